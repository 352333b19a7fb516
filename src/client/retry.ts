// AWS "standard" retry mode: which failures are retried, how long to wait, the retry quota, and the
// pure decision the client's loop asks for after each failed attempt.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (full jitter)
import { type AwsigError, InvalidInputError, isAwsigError } from '../errors.js'
import { parseHttpDate } from '../lib/http-date.js'

// The SDKs' lists (smithy's @smithy/service-error-classification, botocore's standard.py).
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
])
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'IDPCommunicationError',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
])
export const TRANSIENT_STATUS: ReadonlySet<number> = new Set([500, 502, 503, 504])
export const CLOCK_SKEW_CODES: ReadonlySet<string> = new Set([
  'AuthFailure',
  'InvalidSignatureException',
  'RequestExpired',
  'RequestInTheFuture',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
])
// Codes (and messages) that are about time whatever the clocks say: re-signing alone fixes a request
// that waited too long before it was sent.
const TIME_CODES: ReadonlySet<string> = new Set(['RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed'])
const TIME_MESSAGE = /expired|not yet current|skew|in the future/i
/** How far the server's `Date` may be from ours before a signature error is put down to clock skew. */
export const SKEW_THRESHOLD = 5 * 60 * 1000 // 5 min: SigV4 accepts 5 min (S3: 15 min) either way

/** What a failure calls for. */
export type RetryKind = 'throttling' | 'transient' | 'timeout' | 'clock-skew' | 'none'

export function classify(error: unknown): RetryKind {
  if (isAwsigError(error, 'ERR_TIMEOUT')) return 'timeout'
  if (isAwsigError(error, 'ERR_NETWORK')) return 'transient'
  if (!isAwsigError(error, 'ERR_AWS')) return 'none'
  const { awsCode, status } = error
  if (THROTTLING_CODES.has(awsCode) || status === 429) return 'throttling'
  if (CLOCK_SKEW_CODES.has(awsCode)) return 'clock-skew'
  if (TRANSIENT_CODES.has(awsCode) || TRANSIENT_STATUS.has(status)) return 'transient'
  return 'none'
}

/**
 * The clock offset (server time minus local time, ms) to sign with after a clock-skew error, or
 * `undefined` when the error is not one that a new offset and a fresh signature would fix.
 */
export function skewCorrection(
  error: { awsCode: string; awsMessage: string; headers: Readonly<Record<string, string>> },
  localNow: number,
  currentOffset: number,
): number | undefined {
  if (!CLOCK_SKEW_CODES.has(error.awsCode)) return undefined
  // Only an HTTP date: Date.parse would read a proxy's `0` as 2000-01-01 and keep that clock.
  const serverNow = parseHttpDate(error.headers.date, localNow)
  const aboutTime = TIME_CODES.has(error.awsCode) || TIME_MESSAGE.test(error.awsMessage)
  if (serverNow === undefined) return aboutTime ? currentOffset : undefined
  const offset = serverNow - localNow
  if (Math.abs(offset - currentOffset) >= SKEW_THRESHOLD) return offset
  // The clocks agree: a plain SignatureDoesNotMatch is a real mismatch, not worth another try.
  return aboutTime ? currentOffset : undefined
}

export interface RetryOptions {
  /**
   * Attempts in all, the first included: 1 never retries.
   * @default 3
   */
  maxAttempts?: number | undefined
  /**
   * Base of the exponential backoff after a transient error (5xx, network error, timeout), ms. The wait
   * before retry `n` is a random time in `[0, min(maxDelay, baseDelay · 2^n))`.
   * @default 100
   */
  baseDelay?: number | undefined
  /**
   * Base of the exponential backoff after a throttling error (429, `ThrottlingException`, `SlowDown`...), ms.
   * @default 500
   */
  throttlingBaseDelay?: number | undefined
  /**
   * Longest wait before a retry, ms. A `Retry-After` longer than this is not waited for: the error is
   * thrown, with the wait asked for in `retryAfter`.
   * @default 20_000 (20 s)
   */
  maxDelay?: number | undefined
  /**
   * Capacity of the client's retry quota, a token bucket shared by all its requests: a retry takes 5
   * tokens (10 after a timeout), a success gives back what its retries took (1 when it needed none).
   * When the bucket is empty, failures are thrown without retrying, so a struggling service is not
   * flooded. `false` disables the quota.
   * @default 500
   */
  quota?: number | false | undefined
  /** Random number in `[0, 1)` for the jitter. @default Math.random */
  random?: (() => number) | undefined
  /** Waits `ms` milliseconds, or rejects with the signal's reason when it aborts. @default setTimeout */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
}

export interface RetryPolicy {
  maxAttempts: number
  baseDelay: number
  throttlingBaseDelay: number
  maxDelay: number
  random: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  quota: RetryQuota | null
}

export const RETRY_COST = 5
export const TIMEOUT_RETRY_COST = 10
export const NO_RETRY_INCREMENT = 1

/** The standard mode's token bucket. */
export class RetryQuota {
  readonly capacity: number
  #available: number
  constructor(capacity: number) {
    this.capacity = capacity
    this.#available = capacity
  }
  get available(): number {
    return this.#available
  }
  /** Takes tokens for a retry; `false` when there are not enough. */
  take(cost: number): boolean {
    if (cost > this.#available) return false
    this.#available -= cost
    return true
  }
  /** A request succeeded: gives back what its retries took, or 1 when it needed none. */
  release(cost: number): void {
    this.#available = Math.min(this.capacity, this.#available + (cost > 0 ? cost : NO_RETRY_INCREMENT))
  }
}

function checkNumber(field: string, value: unknown, fallback: number, min: number, integer = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new InvalidInputError(field, `must be ${integer ? 'a whole number' : 'a number'} of at least ${min}`)
  }
  return value
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) options = { maxAttempts: 1 }
  if (options === undefined) options = {}
  if (options === null || typeof options !== 'object')
    throw new InvalidInputError('retry', 'must be an object or false')
  const quota = options.quota === false ? null : new RetryQuota(checkNumber('retry.quota', options.quota, 500, 0))
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw new InvalidInputError('retry.random', 'must be a function')
  }
  if (options.sleep !== undefined && typeof options.sleep !== 'function') {
    throw new InvalidInputError('retry.sleep', 'must be a function')
  }
  return {
    maxAttempts: checkNumber('retry.maxAttempts', options.maxAttempts, 3, 1, true),
    baseDelay: checkNumber('retry.baseDelay', options.baseDelay, 100, 0),
    throttlingBaseDelay: checkNumber('retry.throttlingBaseDelay', options.throttlingBaseDelay, 500, 0),
    maxDelay: checkNumber('retry.maxDelay', options.maxDelay, 20 * 1000, 0), // 20 s, as the SDKs
    random: options.random ?? Math.random,
    sleep: options.sleep ?? defaultSleep,
    quota,
  }
}

/** Full jitter: a random wait in `[0, min(maxDelay, base · 2^attempt))` before retry number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, kind: RetryKind, attempt: number): number {
  const base = kind === 'throttling' ? policy.throttlingBaseDelay : policy.baseDelay
  return Math.floor(policy.random() * Math.min(policy.maxDelay, base * 2 ** attempt))
}

/** Where a request stands when an attempt has failed. */
export interface RetryState {
  /** Attempts that count against `maxAttempts` so far (a clock-skew retry does not count). */
  counted: number
  maxAttempts: number
  /** Whether the one clock-skew retry was used. */
  skewRetried: boolean
  /** Correct the clock after a clock-skew error (the client's `correctClockSkew`). */
  correctSkew: boolean
  /** The clock offset signed with, ms. */
  clockOffset: number
  /** The local clock now, ms since the epoch. */
  now: number
}

/** Retry after `delay` ms, taking `cost` tokens from the quota; `clockOffset` when it changes. */
export interface RetryDecision {
  kind: RetryKind
  delay: number
  cost: number
  clockOffset?: number | undefined
}

/**
 * Whether to retry after `failure`, and how: the AWS standard mode's rules, as a function of the
 * failure, the request's state and the policy (the quota is read, not taken). `undefined`: stop.
 */
export function decideRetry(failure: AwsigError, state: RetryState, policy: RetryPolicy): RetryDecision | undefined {
  const kind = classify(failure)
  if (kind === 'none') return undefined
  if (kind === 'clock-skew') {
    if (!state.correctSkew || state.skewRetried || !isAwsigError(failure, 'ERR_AWS')) return undefined
    const clockOffset = skewCorrection(failure, state.now, state.clockOffset)
    return clockOffset === undefined ? undefined : { kind, delay: 0, cost: 0, clockOffset }
  }
  if (state.counted >= state.maxAttempts) return undefined
  const retryAfter = isAwsigError(failure, 'ERR_AWS') ? failure.retryAfter : undefined
  if (retryAfter !== undefined && retryAfter > policy.maxDelay) return undefined
  const cost = kind === 'timeout' ? TIMEOUT_RETRY_COST : RETRY_COST
  if (policy.quota !== null && policy.quota.available < cost) return undefined
  return { kind, delay: Math.max(backoffDelay(policy, kind, state.counted), retryAfter ?? 0), cost }
}
