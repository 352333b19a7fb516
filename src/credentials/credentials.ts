// Credentials objects that keep their secret out of logs, and the helpers every provider uses to
// fail with a CredentialsError and to read what services return.
import { CredentialsError, type CredentialsErrorCode, type CredentialsErrorDetails, isAwsigError } from '../errors.js'
import { INSPECT, redactedCredentials } from '../lib/redact.js'
import type { ResolvedCredentials } from './types.js'

export interface CredentialFields {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string | undefined
  expiration?: Date | undefined
  accountId?: string | undefined
}

// Shared, non-enumerable methods: the objects themselves only carry data.
const proto = Object.create(Object.prototype, {
  toJSON: {
    value(this: ResolvedCredentials) {
      return redactedCredentials(this)
    },
  },
  [INSPECT]: {
    value(this: ResolvedCredentials, _depth: number, options: unknown, inspect: (v: unknown, o: unknown) => string) {
      const view = redactedCredentials(this)
      return `Credentials ${typeof inspect === 'function' ? inspect(view, options) : JSON.stringify(view)}`
    },
  },
  toString: {
    value(this: ResolvedCredentials) {
      return `[Credentials ${this.accessKeyId} from ${this.source}]`
    },
  },
})

/**
 * A frozen credentials object whose secret and session token are non-enumerable and redacted from
 * `util.inspect`, `JSON.stringify` and `String()`.
 */
export function createCredentials(fields: CredentialFields, source: string): ResolvedCredentials {
  const out = Object.create(proto) as Record<string, unknown>
  out.accessKeyId = fields.accessKeyId
  Object.defineProperty(out, 'secretAccessKey', { value: fields.secretAccessKey, enumerable: false })
  if (fields.sessionToken !== undefined && fields.sessionToken !== '') {
    Object.defineProperty(out, 'sessionToken', { value: fields.sessionToken, enumerable: false })
  }
  if (fields.expiration !== undefined) out.expiration = fields.expiration
  if (fields.accountId !== undefined && fields.accountId !== '') out.accountId = fields.accountId
  out.source = source
  return Object.freeze(out) as unknown as ResolvedCredentials
}

/** `new CredentialsError(...)` in one line. */
export function fail(code: CredentialsErrorCode, message: string, details: CredentialsErrorDetails): never {
  throw new CredentialsError(code, message, details)
}

/**
 * A date-time as `Date` parses it, with a trailing `UTC` read as `Z`: older AWS CLI v2 releases wrote
 * `2020-06-17T10:18:08UTC`, which botocore (dateutil) reads and `Date` does not.
 */
export const utcAsZ = (value: string): string => value.replace(/(\d)\s*UTC$/i, '$1Z')

/** ISO 8601 (`2024-01-01T00:00:00Z`, with or without fraction or offset, or a `UTC` suffix) or epoch milliseconds. */
export function parseExpiration(value: unknown, details: CredentialsErrorDetails, what = 'Expiration'): Date {
  let date: Date | undefined
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value)
  else if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(value.trim())) {
    date = new Date(utcAsZ(value.trim().replace(' ', 'T')))
  }
  if (date === undefined || Number.isNaN(date.getTime())) {
    fail('ERR_CREDENTIALS_PARSE', `${what} is not an ISO 8601 date-time`, details)
  }
  return date
}

/** Throws `ERR_CREDENTIALS_EXPIRED` when `expiration` is not in the future. */
export function checkNotExpired(c: ResolvedCredentials, details: CredentialsErrorDetails, now = Date.now()) {
  if (c.expiration !== undefined && c.expiration.getTime() <= now) {
    fail(
      'ERR_CREDENTIALS_EXPIRED',
      `credentials from ${details.provider} expired at ${c.expiration.toISOString()}`,
      details,
    )
  }
  return c
}

/** A CredentialsError (of `code`), from this copy of the package or another. */
export function isCredentialsError(error: unknown, code?: CredentialsErrorCode): error is CredentialsError {
  return code === undefined ? isAwsigError(error) && error instanceof CredentialsError : isAwsigError(error, code)
}

/** A non-empty string field of a parsed JSON object, or an error naming it. */
export function requireString(
  obj: Record<string, unknown>,
  key: string,
  details: CredentialsErrorDetails,
  what: string,
) {
  const value = obj[key]
  if (typeof value !== 'string' || value === '') {
    fail('ERR_CREDENTIALS_PARSE', `${what} has no ${key}`, details)
  }
  return value
}

export function optionalString(obj: Record<string, unknown>, key: string): string | undefined {
  const value = obj[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
