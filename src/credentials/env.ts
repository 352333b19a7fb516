// fromEnv: credentials from AWS_ACCESS_KEY_ID and friends; and how the providers read the environment.
import { checkNotExpired, createCredentials, fail, parseExpiration } from './credentials.js'
import type { Env, ResolvedCredentials } from './types.js'

// Feature-detected once: browsers and workers have no `process`.
const processEnv: Env | undefined = (globalThis as { process?: { env?: Env } }).process?.env

/** The environment of this runtime (`process.env`), or an empty one where there is none. */
export function runtimeEnv(): Env {
  return processEnv ?? {}
}

/** A variable's value, with empty strings treated as unset. */
/** Whether a setting (environment variable or profile key) says `true`, in any case. */
export const isTrue = (value: string | undefined): boolean => value !== undefined && value.toLowerCase() === 'true'

export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]
  return value === undefined || value === '' ? undefined : value
}

export interface FromEnvOptions {
  /** Where to read the variables. @default process.env (an empty object where there is no `process`) */
  env?: Env | undefined
}

/**
 * Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (or the older
 * `AWS_SECURITY_TOKEN`, which wins as it does in the AWS CLI), `AWS_CREDENTIAL_EXPIRATION` (ISO 8601)
 * and `AWS_ACCOUNT_ID`.
 *
 * Fails with `ERR_CREDENTIALS_NOT_FOUND` when `AWS_ACCESS_KEY_ID` is unset, `ERR_CREDENTIALS_CONFIG`
 * when the secret is missing, `ERR_CREDENTIALS_EXPIRED` when the expiration has passed.
 *
 * @example
 * const credentials = await fromEnv()()
 */
export function fromEnv(options: FromEnvOptions = {}): () => Promise<ResolvedCredentials> {
  return async () => {
    const env = options.env ?? runtimeEnv()
    const details = { provider: 'env' }
    const accessKeyId = envValue(env, 'AWS_ACCESS_KEY_ID')
    if (accessKeyId === undefined) fail('ERR_CREDENTIALS_NOT_FOUND', 'AWS_ACCESS_KEY_ID is not set', details)
    const secretAccessKey = envValue(env, 'AWS_SECRET_ACCESS_KEY')
    if (secretAccessKey === undefined) {
      fail('ERR_CREDENTIALS_CONFIG', 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not', details)
    }
    const expiry = envValue(env, 'AWS_CREDENTIAL_EXPIRATION')
    const credentials = createCredentials(
      {
        accessKeyId,
        secretAccessKey,
        sessionToken: envValue(env, 'AWS_SECURITY_TOKEN') ?? envValue(env, 'AWS_SESSION_TOKEN'),
        expiration: expiry === undefined ? undefined : parseExpiration(expiry, details, 'AWS_CREDENTIAL_EXPIRATION'),
        accountId: envValue(env, 'AWS_ACCOUNT_ID'),
      },
      'env',
    )
    return checkNotExpired(credentials, details)
  }
}
