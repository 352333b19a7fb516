// fromContainer: ECS and EKS Pod Identity credentials from the container credentials endpoint.
import type { CredentialsErrorDetails } from '../errors.js'
import { CredentialsError } from '../errors.js'
import { createCredentials, fail, isObject, optionalString, parseExpiration, requireString } from './credentials.js'
import { envValue, runtimeEnv } from './env.js'
import { describeUrl, httpRequest, requestAttempts, requestTimeout, withRetries } from './http.js'
import type { Env, HttpOptions, ReadFile, ResolvedCredentials } from './types.js'

// https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
const ECS_HOST = 'http://169.254.170.2'
const ALLOWED_HOSTS = new Set(['169.254.170.2', '169.254.170.23', 'fd00:ec2::23', 'localhost'])
const DEFAULT_TIMEOUT = 2 * 1000 // 2s per attempt, as the AWS CLI
const DEFAULT_ATTEMPTS = 3

export interface FromContainerOptions extends HttpOptions {
  /** @default process.env */
  env?: Env | undefined
  /** Requests made before giving up on network errors, timeouts, 429 and 5xx. @default 3 */
  maxAttempts?: number | undefined
  /** Reads `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`. The Node build supplies `fs.readFile`. */
  readFile?: ReadFile | undefined
}

function isLoopback(host: string): boolean {
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (v4 !== null) return v4.slice(1).every((part) => Number(part) <= 255)
  const mapped =
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(host) ?? /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.exec(host)
  return mapped !== null
}

/** The URL to fetch, after the allowed-host rules for `_FULL_URI` (https anywhere; http only to loopback and the ECS/EKS hosts). */
export function containerUrl(env: Env, details: CredentialsErrorDetails): string {
  const relative = envValue(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')
  if (relative !== undefined) return `${ECS_HOST}${relative}`
  const full = envValue(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI')
  if (full === undefined) {
    fail('ERR_CREDENTIALS_NOT_FOUND', 'neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set', details)
  }
  let url: URL
  try {
    url = new URL(full)
  } catch (error) {
    return fail('ERR_CREDENTIALS_CONFIG', 'AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL', {
      ...details,
      cause: error,
    })
  }
  if (url.protocol === 'https:') return full
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (url.protocol !== 'http:' || !(isLoopback(host) || ALLOWED_HOSTS.has(host))) {
    fail(
      'ERR_CREDENTIALS_CONFIG',
      `AWS_CONTAINER_CREDENTIALS_FULL_URI host ${JSON.stringify(host)} is not allowed: use https, a loopback address or ${[...ALLOWED_HOSTS].join(', ')}`,
      details,
    )
  }
  return full
}

async function authorization(env: Env, readFile: ReadFile | undefined, details: CredentialsErrorDetails) {
  const file = envValue(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')
  let token: string | undefined
  if (file !== undefined) {
    if (readFile === undefined) {
      fail('ERR_CREDENTIALS_CONFIG', 'reading the token file needs `readFile` in this runtime', { ...details, file })
    }
    try {
      token = await readFile(file)
    } catch (error) {
      return fail('ERR_CREDENTIALS_CONFIG', `cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${file}`, {
        ...details,
        file,
        cause: error,
      })
    }
  } else token = envValue(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN')
  if (token !== undefined && /[\r\n]/.test(token)) {
    fail('ERR_CREDENTIALS_CONFIG', 'the container authorization token contains a line break', { ...details, file })
  }
  return token
}

/**
 * Credentials from the ECS task role or EKS Pod Identity endpoint:
 * `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`,
 * with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as
 * `Authorization`. `ERR_CREDENTIALS_NOT_FOUND` when neither URI variable is set.
 */
export function fromContainer(options: FromContainerOptions = {}): () => Promise<ResolvedCredentials> {
  return async () => {
    const env = options.env ?? runtimeEnv()
    const details: CredentialsErrorDetails = { provider: 'container' }
    const url = containerUrl(env, details)
    const timeout = requestTimeout(options.timeout, DEFAULT_TIMEOUT, details)
    const attempts = requestAttempts(options.maxAttempts, DEFAULT_ATTEMPTS, details)
    const where = describeUrl(url)
    return withRetries(attempts, async () => {
      // Read at every attempt: the token file is rotated.
      const token = await authorization(env, options.readFile, details)
      const headers: Record<string, string> = { accept: 'application/json' }
      if (token !== undefined) headers.authorization = token
      const response = await httpRequest({ url, headers, timeout, fetch: options.fetch }, details)
      if (response.status !== 200) {
        throw new CredentialsError('ERR_CREDENTIALS_REQUEST', `${where} answered HTTP ${response.status}`, {
          ...details,
          status: response.status,
        })
      }
      let body: unknown
      try {
        body = JSON.parse(response.text)
      } catch (error) {
        return fail('ERR_CREDENTIALS_PARSE', `${where} answered with invalid JSON`, { ...details, cause: error })
      }
      if (!isObject(body)) fail('ERR_CREDENTIALS_PARSE', `${where} answered with JSON that is not an object`, details)
      const what = `the response of ${where}`
      return createCredentials(
        {
          accessKeyId: requireString(body, 'AccessKeyId', details, what),
          secretAccessKey: requireString(body, 'SecretAccessKey', details, what),
          sessionToken: requireString(body, 'Token', details, what),
          expiration: parseExpiration(requireString(body, 'Expiration', details, what), details),
          accountId: optionalString(body, 'AccountId'),
        },
        'container',
      )
    })
  }
}
