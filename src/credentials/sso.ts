// IAM Identity Center (SSO): role credentials from an access token, and the OIDC token refresh.
// Errors are read by the same code as the client's (protocols/aws-error).
import { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
import { readErrorFields } from '../lib/aws-error.js'
import type { ResponseLike } from '../protocols/fetch.js'
import { createCredentials, fail, isObject, optionalString, parseExpiration, requireString } from './credentials.js'
import { runtimeEnv } from './env.js'
import { describeUrl, httpRequest, requestAttempts, requestTimeout, withRetries } from './http.js'
import { dnsSuffix, endpointFrom } from './region.js'
import type { Env, HttpOptions, ResolvedCredentials } from './types.js'

// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
// https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateToken.html
const DEFAULT_TIMEOUT = 10 * 1000 // 10s per attempt
const DEFAULT_ATTEMPTS = 3
const LOGIN_HINT = 'run `aws sso login` to sign in again'

export interface FromSsoTokenOptions extends HttpOptions {
  /** `sso_account_id`. */
  accountId: string
  /** `sso_role_name`. */
  roleName: string
  /** `sso_region`: where the IAM Identity Center portal is. */
  region: string
  /** The IAM Identity Center access token (what `aws sso login` caches), or a function returning it. */
  accessToken: string | (() => string | Promise<string>)
  /** Portal endpoint. @default AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, else https://portal.sso.REGION.amazonaws.com */
  endpoint?: string | undefined
  /** Requests made before giving up on network errors, timeouts, 429 and 5xx. @default 3 */
  maxAttempts?: number | undefined
  /** @default process.env */
  env?: Env | undefined
}

function serviceError(
  what: string,
  url: string,
  status: number,
  text: string,
  headers: ResponseLike['headers'],
  details: CredentialsErrorDetails,
) {
  const { code: awsCode, requestId } = readErrorFields(headers, text)
  const expired = status === 401 || awsCode === 'UnauthorizedException' || awsCode === 'InvalidGrantException'
  return new CredentialsError(
    expired ? 'ERR_CREDENTIALS_EXPIRED' : 'ERR_CREDENTIALS_REQUEST',
    `${what} at ${describeUrl(url)} failed with HTTP ${status}${awsCode ? ` ${awsCode}` : ''}${expired ? `: the SSO session has expired or is invalid; ${LOGIN_HINT}` : ''}`,
    { ...details, status, awsCode, requestId },
  )
}

/**
 * Role credentials from IAM Identity Center (SSO) GetRoleCredentials, given an access token. The Node
 * build's `fromSso` finds the token in the `aws sso login` cache from a profile.
 */
export function fromSsoToken(options: FromSsoTokenOptions): () => Promise<ResolvedCredentials> {
  return ssoTokenProvider(options)
}

/** {@link fromSsoToken}, naming in its errors the profile it comes from. */
export function ssoTokenProvider(options: FromSsoTokenOptions, profile?: string): () => Promise<ResolvedCredentials> {
  return async () => {
    const details: CredentialsErrorDetails = { provider: 'sso', profile }
    for (const key of ['accountId', 'roleName', 'region'] as const) {
      if (typeof options[key] !== 'string' || options[key] === '')
        fail('ERR_CREDENTIALS_CONFIG', `${key} is required`, details)
    }
    const env = options.env ?? runtimeEnv()
    const timeout = requestTimeout(options.timeout, DEFAULT_TIMEOUT, details)
    const attempts = requestAttempts(options.maxAttempts, DEFAULT_ATTEMPTS, details)
    const base = (
      options.endpoint ??
      endpointFrom('sso', env) ??
      `https://portal.sso.${options.region}.${dnsSuffix(options.region)}`
    ).replace(/\/+$/, '')
    const url = `${base}/federation/credentials?${new URLSearchParams({ account_id: options.accountId, role_name: options.roleName })}`
    const token = typeof options.accessToken === 'function' ? await options.accessToken() : options.accessToken
    if (typeof token !== 'string' || token === '')
      fail('ERR_CREDENTIALS_CONFIG', 'the SSO access token is empty', details)
    const body = await withRetries(attempts, async () => {
      const response = await httpRequest(
        { url, headers: { 'x-amz-sso_bearer_token': token }, timeout, fetch: options.fetch },
        details,
      )
      if (response.status !== 200) {
        throw serviceError('SSO GetRoleCredentials', url, response.status, response.text, response.headers, details)
      }
      try {
        return JSON.parse(response.text) as unknown
      } catch (error) {
        return fail('ERR_CREDENTIALS_PARSE', 'SSO GetRoleCredentials answered with invalid JSON', {
          ...details,
          cause: error,
        })
      }
    })
    const role = isObject(body) ? body.roleCredentials : undefined
    if (!isObject(role))
      fail('ERR_CREDENTIALS_PARSE', 'SSO GetRoleCredentials response has no roleCredentials', details)
    const what = 'the SSO GetRoleCredentials response'
    return createCredentials(
      {
        accessKeyId: requireString(role, 'accessKeyId', details, what),
        secretAccessKey: requireString(role, 'secretAccessKey', details, what),
        sessionToken: requireString(role, 'sessionToken', details, what),
        expiration: parseExpiration(role.expiration, details, 'roleCredentials.expiration'),
        accountId: options.accountId,
      },
      'sso',
    )
  }
}

export interface SsoOidcToken {
  accessToken: string
  /** Seconds. */
  expiresIn: number
  refreshToken?: string | undefined
}

/** SSO OIDC CreateToken with the `refresh_token` grant: a new access token from a cached refresh token. */
export async function refreshSsoToken(
  input: {
    region: string
    clientId: string
    clientSecret: string
    refreshToken: string
    endpoint?: string | undefined
  },
  options: HttpOptions & { env?: Env | undefined; details: CredentialsErrorDetails },
): Promise<SsoOidcToken> {
  const { details } = options
  const env = options.env ?? runtimeEnv()
  const base = (
    input.endpoint ??
    endpointFrom('sso-oidc', env) ??
    `https://oidc.${input.region}.${dnsSuffix(input.region)}`
  ).replace(/\/+$/, '')
  const url = `${base}/token`
  const response = await httpRequest(
    {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grantType: 'refresh_token',
        clientId: input.clientId,
        clientSecret: input.clientSecret,
        refreshToken: input.refreshToken,
      }),
      timeout: requestTimeout(options.timeout, DEFAULT_TIMEOUT, details),
      fetch: options.fetch,
    },
    details,
  )
  if (response.status !== 200)
    throw serviceError('SSO OIDC CreateToken', url, response.status, response.text, response.headers, details)
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch (error) {
    return fail('ERR_CREDENTIALS_PARSE', 'SSO OIDC CreateToken answered with invalid JSON', {
      ...details,
      cause: error,
    })
  }
  if (!isObject(body) || typeof body.expiresIn !== 'number') {
    fail('ERR_CREDENTIALS_PARSE', 'SSO OIDC CreateToken response has no expiresIn', details)
  }
  return {
    accessToken: requireString(body, 'accessToken', details, 'the SSO OIDC CreateToken response'),
    expiresIn: body.expiresIn,
    refreshToken: optionalString(body, 'refreshToken'),
  }
}
