// fromInstanceMetadata: EC2 instance role credentials from IMDSv2 (v1 fallback), with its token session.
import { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
import { createCredentials, fail, isObject, parseExpiration, requireString } from './credentials.js'
import { envValue, isTrue, runtimeEnv } from './env.js'
import { describeUrl, type HttpResponse, httpRequest, requestAttempts, requestTimeout, withRetries } from './http.js'
import type { Env, HttpOptions, ResolvedCredentials } from './types.js'

// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
const IPV4_ENDPOINT = 'http://169.254.169.254'
const IPV6_ENDPOINT = 'http://[fd00:ec2::254]'
const TOKEN_PATH = '/latest/api/token'
const ROLE_PATH = '/latest/meta-data/iam/security-credentials/'
const DEFAULT_TOKEN_TTL = 21600 // 6h, in seconds, as the AWS CLI asks for
const DEFAULT_TIMEOUT = 1000 // 1s, as the AWS CLI (metadata_service_timeout)
const TOKEN_MARGIN = 60 * 1000 // fetch a new token 1 min before the old one expires
// Static stability: expired credentials from IMDS are used for 5-10 more minutes while it is unwell.
const EXTENSION_MIN = 5 * 60 * 1000
const EXTENSION_JITTER = 5 * 60 * 1000

export interface FromInstanceMetadataOptions extends HttpOptions {
  /** @default process.env */
  env?: Env | undefined
  /**
   * Base URL of the instance metadata service.
   * @default AWS_EC2_METADATA_SERVICE_ENDPOINT, else by `endpointMode`
   */
  endpoint?: string | undefined
  /**
   * `IPv4` (http://169.254.169.254) or `IPv6` (http://[fd00:ec2::254]).
   * @default AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, else 'IPv4'
   */
  endpointMode?: 'IPv4' | 'IPv6' | undefined
  /** Never call IMDS (`ERR_CREDENTIALS_NOT_FOUND`). @default AWS_EC2_METADATA_DISABLED === 'true' */
  disabled?: boolean | undefined
  /**
   * Fall back to IMDSv1 (no token) when the token request is refused or times out.
   * @default AWS_EC2_METADATA_V1_DISABLED !== 'true'
   */
  v1Fallback?: boolean | undefined
  /** Lifetime asked for the IMDSv2 session token, in seconds (1 to 21600). @default 21600 */
  tokenTtl?: number | undefined
  /** Attempts per request on network errors, timeouts, 429 and 5xx. @default AWS_METADATA_SERVICE_NUM_ATTEMPTS, else 1 */
  maxAttempts?: number | undefined
  /** Milliseconds per request. @default AWS_METADATA_SERVICE_TIMEOUT (seconds) * 1000, else 1000 */
  timeout?: number | undefined
  /** The clock, for the token's lifetime. @default Date.now */
  now?: (() => number) | undefined
}

/**
 * Credentials of the EC2 instance's IAM role, through the IMDSv2 token flow (a `PUT` for a session
 * token with a TTL, reused by the provider until shortly before it expires and fetched again after a
 * 401). The token lives in the returned provider: keep the provider to reuse it.
 */
export function fromInstanceMetadata(options: FromInstanceMetadataOptions = {}): () => Promise<ResolvedCredentials> {
  let session: { token: string; expires: number } | undefined
  return async () => {
    const env = options.env ?? runtimeEnv()
    const now = options.now ?? Date.now
    const details: CredentialsErrorDetails = { provider: 'imds' }
    if (options.disabled ?? isTrue(envValue(env, 'AWS_EC2_METADATA_DISABLED'))) {
      fail('ERR_CREDENTIALS_NOT_FOUND', 'disabled by AWS_EC2_METADATA_DISABLED', details)
    }
    const base = baseUrl(options, env, details)
    const envTimeout = envValue(env, 'AWS_METADATA_SERVICE_TIMEOUT')
    const timeout = requestTimeout(
      options.timeout ?? (envTimeout === undefined ? undefined : Number(envTimeout) * 1000),
      DEFAULT_TIMEOUT,
      details,
    )
    const envAttempts = envValue(env, 'AWS_METADATA_SERVICE_NUM_ATTEMPTS')
    const attempts = requestAttempts(
      options.maxAttempts ?? (envAttempts === undefined ? undefined : Number(envAttempts)),
      1,
      details,
    )
    const v1Fallback = options.v1Fallback ?? !isTrue(envValue(env, 'AWS_EC2_METADATA_V1_DISABLED'))
    const ttl = options.tokenTtl ?? DEFAULT_TOKEN_TTL
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600)
      fail('ERR_CREDENTIALS_CONFIG', 'tokenTtl must be 1 to 21600 seconds', details)

    const request = (path: string, method: string, headers: Record<string, string>) =>
      withRetries(attempts, async () => {
        const response = await httpRequest(
          { url: `${base}${path}`, method, headers, timeout, fetch: options.fetch },
          details,
        )
        if (response.status === 429 || response.status >= 500) throw statusError(base + path, response, details)
        return response
      })

    const getToken = async (): Promise<string | undefined> => {
      if (session !== undefined && session.expires > now()) return session.token
      session = undefined
      let response: HttpResponse
      try {
        response = await request(TOKEN_PATH, 'PUT', { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) })
      } catch (error) {
        // A timeout here is what a container behind a hop limit of 1 sees: IMDSv1 may still work.
        if (v1Fallback && error instanceof CredentialsError && error.code === 'ERR_CREDENTIALS_TIMEOUT')
          return undefined
        throw error
      }
      if (response.status === 200 && response.text !== '') {
        const started = now()
        session = { token: response.text, expires: started + Math.max(0, ttl * 1000 - TOKEN_MARGIN) }
        return session.token
      }
      if (v1Fallback && (response.status === 403 || response.status === 404 || response.status === 405))
        return undefined
      throw statusError(base + TOKEN_PATH, response, details)
    }

    const get = async (path: string): Promise<string> => {
      for (let retriedAuth = false; ; retriedAuth = true) {
        const token = await getToken()
        const response = await request(path, 'GET', token === undefined ? {} : { 'x-aws-ec2-metadata-token': token })
        if (response.status === 401 && token !== undefined && !retriedAuth) {
          session = undefined // expired or revoked: one more try with a new token
          continue
        }
        if (response.status === 404 && path === ROLE_PATH) {
          fail('ERR_CREDENTIALS_NOT_FOUND', 'the instance has no IAM role attached', { ...details, status: 404 })
        }
        if (response.status !== 200) throw statusError(base + path, response, details)
        return response.text
      }
    }

    const roleName = (await get(ROLE_PATH)).split('\n')[0]?.trim()
    if (!roleName) fail('ERR_CREDENTIALS_PARSE', 'IMDS listed no role name', details)
    const text = await get(`${ROLE_PATH}${encodeURIComponent(roleName)}`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (error) {
      return fail('ERR_CREDENTIALS_PARSE', 'IMDS answered with invalid JSON', { ...details, cause: error })
    }
    if (!isObject(body)) fail('ERR_CREDENTIALS_PARSE', 'IMDS answered with JSON that is not an object', details)
    if (body.Code !== undefined && body.Code !== 'Success') {
      fail(
        'ERR_CREDENTIALS_REQUEST',
        `IMDS refused credentials for role ${roleName}: ${String(body.Code).slice(0, 100)}`,
        details,
      )
    }
    const what = 'the IMDS response'
    let expiration = parseExpiration(requireString(body, 'Expiration', details, what), details)
    if (expiration.getTime() <= now()) {
      expiration = new Date(now() + EXTENSION_MIN + Math.floor(Math.random() * EXTENSION_JITTER))
    }
    return createCredentials(
      {
        accessKeyId: requireString(body, 'AccessKeyId', details, what),
        secretAccessKey: requireString(body, 'SecretAccessKey', details, what),
        sessionToken: requireString(body, 'Token', details, what),
        expiration,
      },
      'imds',
    )
  }
}

function baseUrl(options: FromInstanceMetadataOptions, env: Env, details: CredentialsErrorDetails): string {
  let base = options.endpoint ?? envValue(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT')
  if (base === undefined) {
    const mode = options.endpointMode ?? envValue(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE') ?? 'IPv4'
    if (mode.toLowerCase() === 'ipv6') base = IPV6_ENDPOINT
    else if (mode.toLowerCase() === 'ipv4') base = IPV4_ENDPOINT
    else fail('ERR_CREDENTIALS_CONFIG', `unknown IMDS endpoint mode ${JSON.stringify(mode)}: use IPv4 or IPv6`, details)
  }
  try {
    const url = new URL(base)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('not http(s)')
  } catch (error) {
    fail('ERR_CREDENTIALS_CONFIG', 'the IMDS endpoint is not a valid http(s) URL', { ...details, cause: error })
  }
  return base.replace(/\/+$/, '')
}

function statusError(url: string, response: HttpResponse, details: CredentialsErrorDetails): CredentialsError {
  return new CredentialsError('ERR_CREDENTIALS_REQUEST', `${describeUrl(url)} answered HTTP ${response.status}`, {
    ...details,
    status: response.status,
  })
}
