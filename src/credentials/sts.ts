// STS providers: AssumeRole (signed with source credentials) and AssumeRoleWithWebIdentity (unsigned),
// over the query protocol; errors are read by the same code as the client's (protocols/aws-error).
import { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
import { readErrorFields } from '../lib/aws-error.js'
import { formBody } from '../lib/uri.js'
import { XmlParseError, xmlPathText } from '../lib/xml.js'
import { type CredentialsSource, resolveCredentials } from '../protocols/credentials-source.js'
import { sign } from '../sign/sign.js'
import type { Credentials } from '../sign/types.js'
import { createCredentials, fail, parseExpiration } from './credentials.js'
import { envValue, runtimeEnv } from './env.js'
import { describeUrl, httpRequest, requestAttempts, requestTimeout, withRetries } from './http.js'
import { dnsSuffix, endpointFrom, regionFrom } from './region.js'
import type { Env, HttpOptions, ReadFile, ResolvedCredentials } from './types.js'

// https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html
const STS_VERSION = '2011-06-15'
const DEFAULT_TIMEOUT = 10 * 1000 // 10s per attempt
const DEFAULT_ATTEMPTS = 3

/** Options shared by the providers that call STS. */
export interface StsOptions extends HttpOptions {
  /**
   * Region of the STS endpoint and of the signature.
   * @default AWS_REGION, AWS_DEFAULT_REGION, else 'us-east-1'
   */
  region?: string | undefined
  /**
   * STS endpoint URL, e.g. an emulator's.
   * @default AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else https://sts.REGION.amazonaws.com
   */
  endpoint?: string | undefined
  /** Requests made before giving up on network errors, timeouts, 429 and 5xx. @default 3 */
  maxAttempts?: number | undefined
  /** Length of the session in seconds (900 to the role's maximum). @default STS's own (3600) */
  durationSeconds?: number | undefined
  /** An inline session policy (JSON). */
  policy?: string | undefined
  /** Managed session policies' ARNs. */
  policyArns?: readonly string[] | undefined
  /** Where `region` and `endpoint` defaults come from. @default process.env */
  env?: Env | undefined
}

export interface FromAssumeRoleOptions extends StsOptions {
  /** ARN of the role to assume. */
  roleArn: string
  /** Credentials that call AssumeRole, or a provider of them. */
  sourceCredentials: CredentialsSource
  /** @default `awsig-session-<unix seconds>` */
  roleSessionName?: string | undefined
  externalId?: string | undefined
  /** Serial number (or ARN) of the MFA device the role requires; needs `mfaCode`. */
  mfaSerial?: string | undefined
  /** Called for the current MFA code each time the role is assumed. */
  mfaCode?: ((mfaSerial: string) => string | Promise<string>) | undefined
}

export interface FromWebIdentityOptions extends StsOptions {
  /** @default AWS_ROLE_ARN */
  roleArn?: string | undefined
  /** The OIDC token itself, or a function that returns it (read at every call). */
  webIdentityToken?: string | (() => string | Promise<string>) | undefined
  /** File holding the token, read at every call. @default AWS_WEB_IDENTITY_TOKEN_FILE */
  webIdentityTokenFile?: string | undefined
  /** @default AWS_ROLE_SESSION_NAME, else `awsig-session-<unix seconds>` */
  roleSessionName?: string | undefined
  /** Reads `webIdentityTokenFile`. The Node build supplies `fs.readFile`; elsewhere pass one. */
  readFile?: ReadFile | undefined
}

interface StsCall {
  action: string
  params: Record<string, string>
  credentials: Credentials | undefined
  region: string
  endpoint: string
  options: StsOptions
  details: CredentialsErrorDetails
}

export function stsTarget(options: StsOptions): { region: string; endpoint: string } {
  const env = options.env ?? runtimeEnv()
  const region = options.region ?? regionFrom(env) ?? 'us-east-1'
  const endpoint = options.endpoint ?? endpointFrom('sts', env) ?? `https://sts.${region}.${dnsSuffix(region)}`
  return { region, endpoint }
}

const defaultSessionName = () => `awsig-session-${Math.floor(Date.now() / 1000)}`

function addCommonParams(params: Record<string, string>, options: StsOptions, details: CredentialsErrorDetails) {
  if (options.durationSeconds !== undefined) {
    if (!Number.isInteger(options.durationSeconds) || options.durationSeconds < 1) {
      fail('ERR_CREDENTIALS_CONFIG', 'durationSeconds must be a positive integer', details)
    }
    params.DurationSeconds = String(options.durationSeconds)
  }
  if (options.policy !== undefined) params.Policy = options.policy
  options.policyArns?.forEach((arn, i) => {
    params[`PolicyArns.member.${i + 1}.arn`] = arn
  })
}

/** Calls STS and returns the response's XML (status 200). */
async function callSts(call: StsCall): Promise<string> {
  const { details, options } = call
  const timeout = requestTimeout(options.timeout, DEFAULT_TIMEOUT, details)
  const attempts = requestAttempts(options.maxAttempts, DEFAULT_ATTEMPTS, details)
  let url: URL
  try {
    url = new URL(call.endpoint)
  } catch (error) {
    return fail('ERR_CREDENTIALS_CONFIG', 'the STS endpoint is not a valid URL', { ...details, cause: error })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail('ERR_CREDENTIALS_CONFIG', 'the STS endpoint must be an http(s) URL', details)
  }
  const body = formBody({ Action: call.action, Version: STS_VERSION, ...call.params })
  return withRetries(attempts, async () => {
    let headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
    if (call.credentials !== undefined) {
      const signed = await sign({
        method: 'POST',
        url,
        headers,
        body,
        service: 'sts',
        region: call.region,
        credentials: call.credentials,
        keyCache: null,
      })
      headers = signed.headers
    }
    const response = await httpRequest(
      { url: url.href, method: 'POST', headers, body, timeout, fetch: options.fetch },
      details,
    )
    if (response.status !== 200) {
      const { code: awsCode, message, requestId } = readErrorFields(response.headers, response.text)
      throw new CredentialsError(
        'ERR_CREDENTIALS_REQUEST',
        `STS ${call.action} at ${describeUrl(url.href)} failed with HTTP ${response.status}${awsCode ? ` ${awsCode}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`,
        { ...details, status: response.status, awsCode, requestId },
      )
    }
    return response.text
  })
}

/** The credentials of an STS response; `ERR_CREDENTIALS_PARSE` when it is malformed or lacks one. */
export function credentialsFromResult(xml: string, action: string, source: string, details: CredentialsErrorDetails) {
  const result = `${action}Result`
  const read = (path: string[]) => {
    try {
      return xmlPathText(xml, path)
    } catch (error) {
      if (!(error instanceof XmlParseError)) throw error
      return fail('ERR_CREDENTIALS_PARSE', `STS ${action} answered with malformed XML`, { ...details, cause: error })
    }
  }
  const field = (name: string) => {
    const value = read([result, 'Credentials', name])
    if (value === undefined || value === '')
      fail('ERR_CREDENTIALS_PARSE', `STS ${action} response has no ${name}`, details)
    return value
  }
  const arn = read([result, 'AssumedRoleUser', 'Arn'])
  const accountId = arn?.split(':')[4]
  return createCredentials(
    {
      accessKeyId: field('AccessKeyId'),
      secretAccessKey: field('SecretAccessKey'),
      sessionToken: field('SessionToken'),
      expiration: parseExpiration(field('Expiration'), details),
      accountId: accountId !== undefined && /^\d{12}$/.test(accountId) ? accountId : undefined,
    },
    source,
  )
}

/**
 * Assumes a role with STS AssumeRole, signed (by awsig) with the source credentials.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 *
 * @example
 * const provider = cached(fromAssumeRole({ roleArn, sourceCredentials: fromEnv(), region: 'eu-west-1' }))
 */
export function fromAssumeRole(options: FromAssumeRoleOptions): () => Promise<ResolvedCredentials> {
  return assumeRoleProvider(options)
}

/** {@link fromAssumeRole}, naming in its errors the profile the role comes from. */
export function assumeRoleProvider(
  options: FromAssumeRoleOptions,
  profile?: string,
): () => Promise<ResolvedCredentials> {
  return async () => {
    const details: CredentialsErrorDetails = { provider: 'assume-role', profile }
    if (typeof options.roleArn !== 'string' || options.roleArn === '') {
      fail('ERR_CREDENTIALS_CONFIG', 'roleArn is required', details)
    }
    const { region, endpoint } = stsTarget(options)
    const credentials = await resolveCredentials(options.sourceCredentials)
    if (credentials === null || typeof credentials !== 'object') {
      fail('ERR_CREDENTIALS_CONFIG', 'sourceCredentials gave no credentials', details)
    }
    const params: Record<string, string> = {
      RoleArn: options.roleArn,
      RoleSessionName: options.roleSessionName ?? defaultSessionName(),
    }
    if (options.externalId !== undefined) params.ExternalId = options.externalId
    if (options.mfaSerial !== undefined) {
      if (options.mfaCode === undefined) {
        fail('ERR_CREDENTIALS_CONFIG', `the role requires MFA (${options.mfaSerial}): pass mfaCode`, details)
      }
      params.SerialNumber = options.mfaSerial
      params.TokenCode = String(await options.mfaCode(options.mfaSerial))
    }
    addCommonParams(params, options, details)
    const xml = await callSts({ action: 'AssumeRole', params, credentials, region, endpoint, options, details })
    return credentialsFromResult(xml, 'AssumeRole', 'assume-role', details)
  }
}

/**
 * Exchanges an OIDC token (EKS IRSA, GitHub Actions, ...) for role credentials with STS
 * AssumeRoleWithWebIdentity, an unsigned call. Reads `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`
 * and `AWS_ROLE_SESSION_NAME` for what the options leave out; `ERR_CREDENTIALS_NOT_FOUND` when there
 * is no token at all.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 */
export function fromWebIdentity(options: FromWebIdentityOptions = {}): () => Promise<ResolvedCredentials> {
  return webIdentityProvider(options)
}

/** {@link fromWebIdentity}, naming in its errors the profile it comes from. */
export function webIdentityProvider(
  options: FromWebIdentityOptions,
  profile?: string,
): () => Promise<ResolvedCredentials> {
  return async () => {
    const env = options.env ?? runtimeEnv()
    const details: CredentialsErrorDetails = { provider: 'web-identity', profile }
    const tokenFile =
      options.webIdentityToken === undefined
        ? (options.webIdentityTokenFile ?? envValue(env, 'AWS_WEB_IDENTITY_TOKEN_FILE'))
        : undefined
    if (options.webIdentityToken === undefined && tokenFile === undefined) {
      fail('ERR_CREDENTIALS_NOT_FOUND', 'no web identity token (AWS_WEB_IDENTITY_TOKEN_FILE is not set)', details)
    }
    const roleArn = options.roleArn ?? envValue(env, 'AWS_ROLE_ARN')
    if (roleArn === undefined) {
      fail(
        'ERR_CREDENTIALS_CONFIG',
        'a web identity token is configured but no role ARN (AWS_ROLE_ARN or role_arn)',
        details,
      )
    }
    let token: string
    if (tokenFile !== undefined) {
      if (options.readFile === undefined) {
        fail('ERR_CREDENTIALS_CONFIG', 'reading the token file needs `readFile` in this runtime', {
          ...details,
          file: tokenFile,
        })
      }
      try {
        token = await options.readFile(tokenFile)
      } catch (error) {
        return fail('ERR_CREDENTIALS_CONFIG', `cannot read the web identity token file ${tokenFile}`, {
          ...details,
          file: tokenFile,
          cause: error,
        })
      }
    } else {
      const given = options.webIdentityToken
      token = typeof given === 'function' ? await given() : (given as string)
    }
    if (typeof token !== 'string' || token === '') {
      fail('ERR_CREDENTIALS_CONFIG', 'the web identity token is empty', { ...details, file: tokenFile })
    }
    const { region, endpoint } = stsTarget({ ...options, env })
    const params: Record<string, string> = {
      RoleArn: roleArn,
      RoleSessionName: options.roleSessionName ?? envValue(env, 'AWS_ROLE_SESSION_NAME') ?? defaultSessionName(),
      WebIdentityToken: token,
    }
    addCommonParams(params, options, details)
    const xml = await callSts({
      action: 'AssumeRoleWithWebIdentity',
      params,
      credentials: undefined,
      region,
      endpoint,
      options,
      details,
    })
    return credentialsFromResult(xml, 'AssumeRoleWithWebIdentity', 'web-identity', details)
  }
}
