// The credentials providers' HTTP: one exchange with a deadline, errors as CredentialsError, and the
// short retry loop of the credentials endpoints.
import { CredentialsError, type CredentialsErrorDetails, isAwsigError } from '../errors.js'
import type { FetchInit, FetchLike, ResponseLike } from '../protocols/fetch.js'

export interface HttpResponse {
  status: number
  headers: ResponseLike['headers']
  text: string
}

export interface HttpRequest {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Milliseconds for the whole exchange, body included. */
  timeout: number
  fetch: FetchLike<ResponseLike> | undefined
}

/** The fetch to use: the given one, else the runtime's. */
export function pickFetch(
  fetchFn: FetchLike<ResponseLike> | undefined,
  details: CredentialsErrorDetails,
): FetchLike<ResponseLike> {
  if (fetchFn !== undefined) return fetchFn
  if (typeof globalThis.fetch !== 'function') {
    throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'no global fetch in this runtime: pass `fetch`', details)
  }
  return globalThis.fetch as FetchLike
}

/** A request's time limit: a positive number of milliseconds (there is always one). */
export function requestTimeout(value: number | undefined, fallback: number, details: CredentialsErrorDetails): number {
  const timeout = value ?? fallback
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'timeout must be a positive number of milliseconds', details)
  }
  return timeout
}

/**
 * One HTTP exchange with a deadline. Network failures become `ERR_CREDENTIALS_REQUEST` and a missed
 * deadline `ERR_CREDENTIALS_TIMEOUT`; any status is returned (the caller decides what it means).
 */
export async function httpRequest(request: HttpRequest, details: CredentialsErrorDetails): Promise<HttpResponse> {
  const fetchFn = pickFetch(request.fetch, details)
  const signal = AbortSignal.timeout(request.timeout)
  const where = describeUrl(request.url)
  try {
    const init: FetchInit = {
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      signal,
      redirect: 'manual',
    }
    if (request.body !== undefined) init.body = request.body
    const response = await fetchFn(request.url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text }
  } catch (error) {
    if (signal.aborted || (error as { name?: string })?.name === 'TimeoutError') {
      throw new CredentialsError('ERR_CREDENTIALS_TIMEOUT', `${where} did not answer within ${request.timeout} ms`, {
        ...details,
        cause: error,
      })
    }
    throw new CredentialsError('ERR_CREDENTIALS_REQUEST', `request to ${where} failed: ${errorText(error)}`, {
      ...details,
      cause: error,
    })
  }
}

/** Scheme, host and path of a URL: no query string (it may carry parameters) and no user info. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return 'the endpoint'
  }
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; cause?: { code?: unknown } }
  const code = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : ''
  return `${typeof e?.message === 'string' ? e.message : String(error)}${code}`
}

/**
 * Resolves after `ms`. The timer keeps the process alive: someone awaits the retry, and an unref'd
 * timer let Node exit mid-retry (exit 13, nothing printed) once the failed request's connection closed.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Retryable: a network error, a timeout, 429 or 5xx. */
export function isRetryable(error: unknown): boolean {
  if (isAwsigError(error, 'ERR_CREDENTIALS_TIMEOUT')) return true
  if (!isAwsigError(error, 'ERR_CREDENTIALS_REQUEST')) return false
  return error.status === undefined || error.status === 429 || error.status >= 500
}

/**
 * Runs `attempt` up to `maxAttempts` times while it fails with a retryable error, waiting a little
 * longer each time (50 ms, 100 ms, 200 ms, ... capped at 1 s).
 */
export async function withRetries<T>(maxAttempts: number, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (n >= maxAttempts || !isRetryable(error)) throw error
      await delay(Math.min(1000, 50 * 2 ** (n - 1)))
    }
  }
}

export function requestAttempts(value: number | undefined, fallback: number, details: CredentialsErrorDetails): number {
  const n = value ?? fallback
  if (!Number.isInteger(n) || n < 1) {
    throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'maxAttempts must be a positive integer', details)
  }
  return n
}
