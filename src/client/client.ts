// createClient: sign and send over any fetch-like function, with the AWS SDKs' standard retries,
// clock-skew correction and typed errors. Each attempt is signed anew.
import {
  AwsError,
  type AwsigError,
  BodyNotReplayableError,
  InvalidInputError,
  NetworkError,
  TimeoutError,
} from '../errors.js'
import { typeOf } from '../sign/request.js'
import { presignRequest, sign } from '../sign/sign.js'
import type { HeadersInput, PresignOptions, SignedRequest, SignOptions } from '../sign/types.js'
import { type PreparedBody, prepareBody, type RequestBody } from './body.js'
import { readAwsError, redactUrl } from './parse-error.js'
import {
  backoffDelay,
  classify,
  RETRY_COST,
  type RetryKind,
  type RetryOptions,
  type RetryPolicy,
  type RetryQuota,
  retryPolicy,
  skewCorrection,
  TIMEOUT_RETRY_COST,
} from './retry.js'
import {
  type CredentialsSource,
  checkCredentialsSource,
  headerPairsOf,
  pickSigningOptions,
  resolveCredentials,
  type SigningOptions,
} from './signer.js'
import { fetchByRuntime } from './transport.js'

/** The parts of a fetch `Response` the client reads. Any fetch's response has them. */
export interface ResponseLike {
  readonly status: number
  readonly statusText: string
  readonly headers: { get(name: string): string | null; forEach(callback: (value: string, key: string) => void): void }
  text(): Promise<string>
  clone(): { text(): Promise<string> }
}

/**
 * The init the client passes to `fetch`: the signed method and headers, the body (bytes, text, form
 * parameters or a stream, with `duplex: 'half'`), the signal, and the caller's other fetch options.
 */
export interface FetchInit extends Omit<RequestInit, 'body' | 'headers' | 'method'> {
  method: string
  headers: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer> | URLSearchParams | ReadableStream<Uint8Array>
  duplex?: 'half'
}

/**
 * A fetch-compatible function: the global `fetch`, undici's, a wrapped or mocked one. (Declared as a
 * method so that fetches typed with another `RequestInit`, such as undici's, are accepted.)
 */
export type FetchLike<R extends ResponseLike = Response> = {
  fetch(url: string, init: FetchInit): Promise<R>
}['fetch']

/** Told before each retry. */
export interface RetryEvent {
  /** The attempt that failed, 1-based. */
  attempt: number
  /** Milliseconds the client waits before the next attempt. */
  delay: number
  /** Why: `throttling`, `transient` (5xx, network), `timeout` or `clock-skew`. */
  kind: RetryKind
  error: AwsigError
}

export interface ClientOptions<R extends ResponseLike = Response> extends SigningOptions {
  /**
   * Credentials, or a provider that returns them. A provider is called for every attempt, so that
   * refreshed credentials are used at once: wrap it in `cached()` from `awsig/credentials`.
   */
  credentials: CredentialsSource
  /** Default region, e.g. `us-east-1`; a request can name another. */
  region: string
  /** Default signing name of the service (`s3`, `dynamodb`...); a request can name another. */
  service?: string | undefined
  /**
   * The function that sends requests.
   * @default globalThis.fetch (looked up at each call); a stream body is sent the way `send` sends it
   * (node:http on Node and Deno, a `FixedLengthStream` on Workers), so that it streams in flat memory
   */
  fetch?: FetchLike<R> | undefined
  /** Retry behaviour (AWS standard mode); `false` never retries. @default {} (3 attempts) */
  retry?: RetryOptions | false | undefined
  /**
   * Milliseconds each attempt may take until the response headers have arrived (and, for an error,
   * its body); a slower attempt fails with a `TimeoutError`, which is retried. A successful response's
   * body is not limited: stream it as slowly as you like. `0` means no limit.
   * @default 0
   */
  timeout?: number | undefined
  /** Milliseconds to add to the local clock when signing; corrected after a clock-skew error. @default 0 */
  clockOffset?: number | undefined
  /**
   * After `RequestTimeTooSkewed`, `RequestExpired`, an expired `InvalidSignatureException` and the like,
   * take the clock offset from the response's `Date`, keep it, re-sign and retry once.
   * @default true
   */
  correctClockSkew?: boolean | undefined
  /**
   * Throw an `AwsError` for responses with a status of 300 or more (304 aside). With `false` the final
   * response is returned whatever its status (retries still happen).
   * @default true
   */
  throwOnError?: boolean | undefined
  /** Called before each retry, e.g. to log it. */
  onRetry?: ((event: RetryEvent) => void) | undefined
  /** The local clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

/** `fetch`'s init, plus what signing needs. `headers` takes records, pairs or `Headers`. */
export interface ClientRequestInit
  extends Omit<RequestInit, 'body' | 'headers' | 'method' | 'credentials'>,
    SigningOptions {
  /** @default 'GET' */
  method?: string | undefined
  /**
   * Headers to sign and send. A `host` header is allowed only when it equals the URL's host: fetch
   * always sends the URL's host and cannot send another, so a different one would be signed but not
   * sent, and the signature would fail; it is refused with an `InvalidInputError`
   * (`headers["host"]`). Put the host to sign in the URL, or send with an adapter that can set Host
   * (`awsig/client/node-http`, `awsig/client/undici`).
   */
  headers?: HeadersInput | undefined
  /**
   * Bytes, text, `URLSearchParams`, `Blob` and `FormData` are hashed and can be retried. A stream is
   * sent once, with `payloadHash`, and is not retried (`BodyNotReplayableError`); a function that
   * returns a new stream for each attempt can be.
   */
  body?: RequestBody | null | undefined
  /** Signing name of the service. @default the client's `service` */
  service?: string | undefined
  /** @default the client's `region` */
  region?: string | undefined
  /** Payload hash to sign instead of hashing the body: required for streams (`UNSIGNED-PAYLOAD` for S3). */
  payloadHash?: string | undefined
  /** @default the client's `timeout` */
  timeout?: number | undefined
  /** Attempts for this request. @default the client's `retry.maxAttempts` */
  maxAttempts?: number | undefined
  /** @default the client's `throwOnError` */
  throwOnError?: boolean | undefined
}

/** Options of {@link Client.presign}. */
export interface ClientPresignInit extends SigningOptions {
  method?: string | undefined
  headers?: HeadersInput | undefined
  service?: string | undefined
  region?: string | undefined
  /** Seconds the URL stays valid. @default 3600 */
  expiresIn?: number | undefined
  hoistHeaders?: boolean | undefined
  payloadHash?: string | undefined
}

/** Options of {@link Client.sign}. */
export interface ClientSignInit extends SigningOptions {
  method?: string | undefined
  headers?: HeadersInput | undefined
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView | URLSearchParams | null | undefined
  service?: string | undefined
  region?: string | undefined
  payloadHash?: string | undefined
}

export interface Client<R extends ResponseLike = Response> {
  /**
   * Signs and sends a request, retrying what AWS's standard mode retries. Resolves to the response
   * (status under 300, or 304); rejects with `AwsError`, `NetworkError`, `TimeoutError`,
   * `BodyNotReplayableError`, `InvalidInputError`, a credentials error, or the signal's reason.
   */
  fetch(url: string | URL, init?: ClientRequestInit): Promise<R>
  /** Signs a request with the client's credentials, region and clock, for sending it yourself. */
  sign(url: string | URL, init?: ClientSignInit): Promise<SignedRequest>
  /** Presigns a URL with the client's credentials, region and clock. */
  presign(url: string | URL, init?: ClientPresignInit): Promise<string>
  /** Milliseconds added to the local clock when signing (server time minus local time). */
  readonly clockOffset: number
  /** The retry quota shared by the client's requests, or `null` when disabled. */
  readonly retryQuota: Pick<RetryQuota, 'capacity' | 'available'> | null
}

const EXTRA_INIT = [
  'service',
  'region',
  'payloadHash',
  'timeout',
  'maxAttempts',
  'throwOnError',
  'normalizePath',
  'doubleEncodePath',
  'contentHashHeader',
  'signSessionToken',
  'unsignedHeaders',
  'keyCache',
  'method',
  'headers',
  'body',
  'signal',
] as const

function checkTimeout(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidInputError(field, 'must be a number of milliseconds, 0 or more')
  }
  return value
}

function urlString(url: unknown): string {
  if (typeof url === 'string') return url
  if (url instanceof URL) return url.href
  throw new InvalidInputError('url', `must be a string or URL, got ${typeOf(url)}`)
}

/** Header pairs, with a content type added when the body implies one and none is set. */
function headerPairs(headers: HeadersInput | undefined, contentType: string | undefined): HeadersInput | undefined {
  if (contentType === undefined) return headers
  const pairs: Array<[string, string]> = []
  if (headers != null) {
    if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const [name, value] of headers as Iterable<readonly [string, string]>) pairs.push([name, value])
    } else {
      for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
        if (Array.isArray(value)) for (const v of value) pairs.push([name, v])
        else if (value != null) pairs.push([name, String(value)])
      }
    }
  }
  if (!pairs.some(([name]) => name.toLowerCase() === 'content-type')) pairs.push(['content-type', contentType])
  return pairs
}

/** Cancels a response's body that will not be read (a body already read or locked is left as it is). */
function discardBody(response: ResponseLike): void {
  try {
    ;(response as { body?: { cancel?(): Promise<void> } | null }).body?.cancel?.()?.catch?.(() => {})
  } catch {
    // a body that cannot be cancelled holds nothing to release
  }
}

/**
 * fetch sends the URL's host and no other: a different `host` header would be signed and not sent.
 * (The adapters for node:http and undici send it.)
 */
function checkHostHeader(url: string, headers: HeadersInput | undefined): void {
  const hosts = headerPairsOf(headers).filter(([name]) => name.toLowerCase() === 'host')
  if (hosts.length === 0) return
  let urlHost: string
  try {
    urlHost = new URL(url).host
  } catch {
    return // signing reports the bad URL
  }
  for (const [, value] of hosts) {
    if (value.trim() !== urlHost) {
      throw new InvalidInputError(
        'headers["host"]',
        `is ${JSON.stringify(value)} but fetch sends the URL's host (${urlHost}) and cannot send another: put the host in the URL, or use an adapter that sets Host (awsig/client/node-http, awsig/client/undici)`,
      )
    }
  }
}

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const detail = cause !== undefined && typeof cause.message === 'string' ? cause.message : message
  return typeof code === 'string' && !detail.includes(code) ? `${code}: ${detail}` : detail
}

/**
 * Creates a client that signs and sends requests with any fetch-like function.
 *
 * @example
 * const client = createClient({ credentials: fromEnv(), region: 'us-east-1' })
 * const response = await client.fetch('https://dynamodb.us-east-1.amazonaws.com/', {
 *   service: 'dynamodb',
 *   ...awsJson('DynamoDB_20120810.GetItem', { TableName: 'users', Key: { id: { S: '42' } } }),
 * })
 * const { Item } = await response.json()
 */
export function createClient<R extends ResponseLike = Response>(options: ClientOptions<R>): Client<R> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const credentials = checkCredentialsSource(options.credentials)
  if (typeof options.region !== 'string' || options.region === '') {
    throw new InvalidInputError('region', 'must be a region name such as us-east-1')
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new InvalidInputError('fetch', `must be a fetch-compatible function, got ${typeOf(options.fetch)}`)
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new InvalidInputError('now', 'must be a function returning milliseconds since the epoch')
  }
  // Without a fetch option, stream bodies go by the runtime's streaming transport (see awsig/client's `send`).
  const fetchFn: FetchLike<R> = options.fetch ?? (fetchByRuntime as unknown as FetchLike<R>)
  const policy: RetryPolicy = retryPolicy(options.retry)
  const defaultTimeout = checkTimeout('timeout', options.timeout, 0)
  const now = options.now ?? Date.now
  const defaults = pickSigningOptions(options)
  const correctSkew = options.correctClockSkew !== false
  const throwByDefault = options.throwOnError !== false
  const onRetry = options.onRetry
  let clockOffset = options.clockOffset ?? 0
  if (typeof clockOffset !== 'number' || !Number.isFinite(clockOffset)) {
    throw new InvalidInputError('clockOffset', 'must be a finite number of milliseconds')
  }

  const target = (init: { service?: string | undefined; region?: string | undefined }) => {
    const service = init.service ?? options.service
    if (service === undefined) {
      throw new InvalidInputError('service', 'is required: give it in the request or in createClient')
    }
    return { service, region: init.region ?? options.region }
  }

  async function signOnce(
    url: string,
    init: Omit<ClientSignInit, 'body' | 'payloadHash'>,
    body: SignOptions['body'] | URLSearchParams,
    payloadHash: string | undefined,
  ): Promise<SignedRequest> {
    const { service, region } = target(init)
    const signOptions: SignOptions = {
      url,
      method: init.method ?? 'GET',
      headers: init.headers,
      body: body as SignOptions['body'],
      service,
      region,
      credentials: await resolveCredentials(credentials),
      date: new Date(now() + clockOffset),
    }
    if (payloadHash !== undefined) signOptions.payloadHash = payloadHash
    pickSigningOptions(defaults, signOptions)
    pickSigningOptions(init, signOptions)
    return sign(signOptions)
  }

  async function send(input: string | URL, init: ClientRequestInit = {}): Promise<R> {
    const url = urlString(input)
    if (init === null || typeof init !== 'object') throw new InvalidInputError('init', 'must be an object')
    target(init) // fail early on a missing service
    const method = (init.method ?? 'GET').toUpperCase()
    const timeout = checkTimeout('timeout', init.timeout, defaultTimeout)
    const maxAttempts = init.maxAttempts ?? policy.maxAttempts
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new InvalidInputError('maxAttempts', 'must be a whole number, 1 or more')
    }
    const throwOnError = init.throwOnError ?? throwByDefault
    const signal = init.signal ?? undefined
    const passThrough: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(init)) {
      if (!(EXTRA_INIT as readonly string[]).includes(key)) passThrough[key] = value
    }

    checkHostHeader(url, init.headers)

    signal?.throwIfAborted()
    const body: PreparedBody = await prepareBody(init.body)
    let payloadHash = init.payloadHash
    if (body.isStream && payloadHash === undefined && !hasHeader(init.headers, 'x-amz-content-sha256')) {
      throw new InvalidInputError(
        'payloadHash',
        'is required for a stream body, which cannot be hashed before it is sent: pass UNSIGNED-PAYLOAD (S3) or its hex SHA-256, or pass the body as bytes',
      )
    }
    const headers = headerPairs(init.headers, body.contentType)
    const shownUrl = redactUrl(url)
    let attempt = 0 // every attempt made
    let counted = 0 // attempts that count against maxAttempts (a clock-skew retry does not)
    let skewRetried = false
    let lastCost = 0

    for (;;) {
      attempt++
      counted++
      signal?.throwIfAborted()
      const signed = await signOnce(url, { ...init, headers }, body.hashable, payloadHash)
      // The body does not change between attempts: hash it once.
      if (payloadHash === undefined && body.hashable !== undefined) {
        payloadHash = signed.canonicalRequest.slice(signed.canonicalRequest.lastIndexOf('\n') + 1)
      }
      const sendBody = await body.next()
      const fetchInit: FetchInit = { ...passThrough, method: signed.method, headers: signed.headers }
      if (sendBody !== undefined) fetchInit.body = sendBody as NonNullable<FetchInit['body']>
      if (body.isStream) fetchInit.duplex = 'half'

      let timedOut = false
      let timer: ReturnType<typeof setTimeout> | undefined
      let forward: (() => void) | undefined
      if (timeout > 0) {
        const controller = new AbortController()
        timer = setTimeout(() => {
          timedOut = true
          controller.abort(new TimeoutError(timeout, { method, url: shownUrl, attempts: attempt }))
        }, timeout)
        if (signal === undefined) fetchInit.signal = controller.signal
        else if (typeof AbortSignal.any === 'function') {
          // The caller's signal may serve many requests: no listener of ours stays on it. The combined
          // signal follows it for as long as fetch holds it, the body download included.
          fetchInit.signal = AbortSignal.any([signal, controller.signal])
        } else {
          // Runtimes without AbortSignal.any: forward by hand (kept after success, for the body).
          forward = () => controller.abort(signal.reason)
          signal.addEventListener('abort', forward, { once: true })
          fetchInit.signal = controller.signal
        }
      } else if (signal !== undefined) fetchInit.signal = signal
      const settle = (keepForwarding: boolean) => {
        clearTimeout(timer)
        if (!keepForwarding && forward !== undefined) signal?.removeEventListener('abort', forward)
      }

      let failure!: AwsigError
      let response: R | undefined
      try {
        response = await fetchFn(signed.url, fetchInit)
      } catch (error) {
        settle(false)
        if (signal?.aborted) throw signal.reason
        failure = timedOut
          ? new TimeoutError(timeout, { method, url: shownUrl, attempts: attempt, cause: error })
          : new NetworkError(`${method} ${shownUrl}: no response (${describeFailure(error)})`, {
              method,
              url: shownUrl,
              attempts: attempt,
              cause: error,
            })
      }
      if (response !== undefined) {
        const { status } = response
        if (status < 300 || status === 304) {
          settle(true)
          policy.quota?.release(lastCost)
          return response
        }
        const readFrom = response
        const error = await readAwsError(
          {
            status,
            statusText: readFrom.statusText,
            headers: readFrom.headers,
            // With throwOnError false the response may be returned: read a copy.
            text: () => (throwOnError ? readFrom.text() : readFrom.clone().text()),
          },
          {
            service: signed.credentialScope.split('/')[2],
            method,
            url,
            attempts: attempt,
            signed,
            now: now(),
          },
        )
        settle(false)
        if (signal?.aborted) throw signal.reason
        failure = timedOut
          ? new TimeoutError(timeout, { method, url: shownUrl, attempts: attempt, cause: error })
          : error
      }

      const kind = classify(failure)
      let delay: number | undefined
      if (kind === 'clock-skew') {
        const offset = correctSkew && !skewRetried ? skewCorrection(failure as AwsError, now(), clockOffset) : undefined
        if (offset !== undefined) {
          clockOffset = offset
          skewRetried = true
          counted-- // retry once, on top of maxAttempts
          delay = 0
        }
      } else if (kind !== 'none' && counted < maxAttempts) {
        const retryAfter = failure instanceof AwsError ? failure.retryAfter : undefined
        const cost = kind === 'timeout' ? TIMEOUT_RETRY_COST : RETRY_COST
        const quota = policy.quota
        if (
          (retryAfter === undefined || retryAfter <= policy.maxDelay) &&
          (quota === null || quota.available >= cost)
        ) {
          if (!body.replayable) return cannotReplay(response, failure)
          quota?.take(cost)
          lastCost = cost
          delay = Math.max(backoffDelay(policy, kind, counted), retryAfter ?? 0)
        }
      }
      if (delay !== undefined) {
        if (!body.replayable) return cannotReplay(response, failure)
        // A response kept whole for throwOnError: false (its copy was read) is not needed any more.
        if (response !== undefined && !throwOnError) discardBody(response)
        onRetry?.({ attempt, delay, kind, error: failure })
        if (delay > 0) await policy.sleep(delay, signal)
        continue
      }
      if (response !== undefined && !throwOnError && failure instanceof AwsError) return response
      throw failure
    }

    /**
     * A retry is due but the body cannot be sent again: the error response is final, so it is returned
     * as any final response is with throwOnError: false; otherwise its body is released and the
     * attempt's failure thrown as a BodyNotReplayableError.
     */
    function cannotReplay(response: R | undefined, failure: AwsigError): R {
      if (response !== undefined && !throwOnError && failure instanceof AwsError) return response
      if (response !== undefined) discardBody(response)
      throw new BodyNotReplayableError(failure, { method, url: shownUrl, attempts: attempt })
    }
  }

  function hasHeader(headers: HeadersInput | undefined, name: string): boolean {
    if (headers == null) return false
    if (typeof (headers as Headers).has === 'function') return (headers as Headers).has(name)
    if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const [key] of headers as Iterable<readonly [string, string]>) if (key.toLowerCase() === name) return true
      return false
    }
    return Object.keys(headers).some((key) => key.toLowerCase() === name)
  }

  return {
    fetch: send,
    async sign(input, init = {}) {
      return signOnce(urlString(input), init, init.body ?? undefined, init.payloadHash)
    },
    async presign(input, init = {}) {
      const { service, region } = target(init)
      const presignOptions: PresignOptions = {
        url: urlString(input),
        method: init.method ?? 'GET',
        headers: init.headers,
        service,
        region,
        credentials: await resolveCredentials(credentials),
        date: new Date(now() + clockOffset),
      }
      if (init.expiresIn !== undefined) presignOptions.expiresIn = init.expiresIn
      if (init.hoistHeaders !== undefined) presignOptions.hoistHeaders = init.hoistHeaders
      if (init.payloadHash !== undefined) presignOptions.payloadHash = init.payloadHash
      pickSigningOptions(defaults, presignOptions as SignOptions)
      pickSigningOptions(init, presignOptions as SignOptions)
      return (await presignRequest(presignOptions)).url
    },
    get clockOffset() {
      return clockOffset
    },
    get retryQuota() {
      return policy.quota
    },
  }
}
