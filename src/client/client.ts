// createClient: sign and send over any fetch-like function, with the AWS SDKs' standard retries,
// clock-skew correction and typed errors. Each attempt is signed anew (attempt.ts); the retry
// decision is a pure function (retry.ts); this file wires them into the request loop.

import { parseEndpoint } from '../endpoint/index.js'
import { type AwsigError, BodyNotReplayableError, InvalidInputError, isAwsigError } from '../errors.js'
import { untilAborted } from '../lib/abort.js'
import { hasHeader, headerPairsOf } from '../lib/headers.js'
import { redactUrl } from '../lib/redact.js'
import { typeOf } from '../lib/type-of.js'
import { type CredentialsSource, checkCredentialsSource, resolveCredentials } from '../protocols/credentials-source.js'
import type { FetchLike, ResponseLike } from '../protocols/fetch.js'
import { presignRequest, sign } from '../sign/sign.js'
import type { Credentials, HeadersInput, PresignOptions, SignedRequest, SignOptions } from '../sign/types.js'
import { type AttemptContext, discardBody, sendAttempt } from './attempt.js'
import { type PreparedBody, prepareBody, type RequestBody } from './body.js'
import { decideRetry, type RetryKind, type RetryOptions, type RetryQuota, retryPolicy } from './retry.js'
import { pickSigningOptions, SIGNING_KEYS, type SigningOptions } from './signer.js'
import { fetchByRuntime } from './transport.js'

export type { FetchInit, FetchLike, ResponseLike } from '../protocols/fetch.js'

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
  /**
   * Base URL that a relative URL given to `fetch`, `sign` or `presign` is appended to, as an HTTP
   * client's base URL is: with `endpoint: 'https://sqs.us-east-1.amazonaws.com/123456789012'`,
   * `client.fetch('/my-queue')` calls `https://sqs.us-east-1.amazonaws.com/123456789012/my-queue`.
   * Absolute URLs are used as they are.
   */
  endpoint?: string | URL | undefined
  /** Default signing name of the service (`s3`, `dynamodb`...); a request can name another. */
  service?: string | undefined
  /**
   * The function that sends requests (any fetch-like function: undici's, a mock...).
   * @default on Node, node:http (its global keep-alive agent), answering with an object that has every
   * member of a fetch `Response` but is not `instanceof Response` (`new Response(r.body, r)` makes one):
   * several times cheaper per request than Node's fetch; the global fetch when it was replaced after awsig loaded,
   * or for fetch-only init options and bodies (`dispatcher`, `FormData`...). Elsewhere globalThis.fetch
   * (looked up at each call), a stream body sent the way `send` sends it (node:http on Deno, a
   * `FixedLengthStream` on Workers), so that it streams in flat memory
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
   * returns a new stream for each attempt can be (a function that returns any other body is called
   * once, and that body sent on every attempt).
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

/** The signing options' keys, looked up by name. */
const SIGNING_KEY_SET: ReadonlySet<string> = new Set(SIGNING_KEYS)

/** The keys of {@link ClientRequestInit} the client consumes; every other key goes to `fetch` as it is. */
const CLIENT_KEYS = new Set<string>([
  ...SIGNING_KEYS,
  'service',
  'region',
  'payloadHash',
  'timeout',
  'maxAttempts',
  'throwOnError',
  'method',
  'headers',
  'body',
  'signal',
] satisfies ReadonlyArray<keyof ClientRequestInit>)

/** A time limit in milliseconds where `0` means none. */
function limitOption(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidInputError(field, 'must be a number of milliseconds, 0 or more (0: no limit)')
  }
  return value
}

function checkEndpoint(endpoint: unknown): string | undefined {
  if (endpoint === undefined) return undefined
  const text = endpoint instanceof URL ? endpoint.href : endpoint
  if (typeof text !== 'string' || !/^https?:\/\/[^/?#]+/i.test(text)) {
    throw new InvalidInputError('endpoint', 'must be an absolute http: or https: URL')
  }
  return text.replace(/\/+$/, '')
}

/**
 * Refuses a client region that contradicts a standard AWS endpoint's (`sqs.eu-west-1.amazonaws.com` with
 * `region: 'us-east-1'`): every request would be signed for the wrong region. Custom hosts, global
 * endpoints and multi-region ones say nothing, and pass.
 */
function checkEndpointRegion(endpoint: string, region: string): void {
  const parsed = parseEndpoint(endpoint)
  if (parsed === undefined || parsed.global || parsed.region === '*' || parsed.region === region) return
  throw new InvalidInputError(
    'region',
    `is ${JSON.stringify(region)} but the endpoint ${new URL(endpoint).host} is in ${JSON.stringify(parsed.region)}: give region: ${JSON.stringify(parsed.region)}, or a request's own region`,
  )
}

/** The URL to sign: absolute as given, or a relative one appended to the client's `endpoint`. */
function resolveUrl(url: unknown, endpoint: string | undefined): string {
  if (url instanceof URL) return url.href
  if (typeof url !== 'string') throw new InvalidInputError('url', `must be a string or URL, got ${typeOf(url)}`)
  if (endpoint === undefined || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url
  return url.startsWith('/') || url.startsWith('?') || url === '' ? `${endpoint}${url}` : `${endpoint}/${url}`
}

/** Header pairs, with a content type added when the body implies one and none is set. */
function withContentType(headers: HeadersInput | undefined, contentType: string | undefined): HeadersInput | undefined {
  if (contentType === undefined || hasHeader(headers, 'content-type')) return headers
  return [...headerPairsOf(headers), ['content-type', contentType]]
}

const isPlainRecord = (value: object): value is Record<string, unknown> =>
  Object.getPrototypeOf(value) === Object.prototype

function namesHost(record: Record<string, unknown>): boolean {
  for (const name in record) if (name.length === 4 && name.toLowerCase() === 'host') return true
  return false
}

/**
 * fetch sends the URL's host and no other: a different `host` header would be signed and not sent.
 * (The adapters for node:http and undici send it.)
 */
function checkHostHeader(url: string, headers: HeadersInput | undefined): void {
  if (headers == null || (isPlainRecord(headers) && !namesHost(headers))) return // the usual case, read cheaply
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
  const endpoint = checkEndpoint(options.endpoint)
  if (endpoint !== undefined) checkEndpointRegion(endpoint, options.region)
  // Without a fetch option, stream bodies go by the runtime's streaming transport (see awsig/client's `send`).
  const fetchFn: FetchLike<R> = options.fetch ?? (fetchByRuntime as unknown as FetchLike<R>)
  const policy = retryPolicy(options.retry)
  const defaultTimeout = limitOption('timeout', options.timeout, 0)
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

  /** The client's signing options with a request's own on top (the client's object when it has none). */
  const signingFor = (own: SigningOptions): SigningOptions => {
    for (const _ in own) return { ...defaults, ...own }
    return defaults
  }

  /** The options every signature shares: where, who, when (now, on the corrected clock), and how. */
  function signingBase(
    url: string,
    init: { method?: string | undefined; headers?: HeadersInput | undefined; payloadHash?: string | undefined },
    where: { service: string; region: string },
    signing: SigningOptions,
    resolved: Credentials,
  ): PresignOptions {
    const base: PresignOptions = {
      url,
      method: init.method ?? 'GET',
      headers: init.headers,
      service: where.service,
      region: where.region,
      credentials: resolved,
      date: new Date(now() + clockOffset),
    }
    if (init.payloadHash !== undefined) base.payloadHash = init.payloadHash
    Object.assign(base, signing)
    // A region-set algorithm (SigV4a) signs for `regionSet`, by default the request's region alone.
    if (base.algorithm?.regionSet) {
      base.regionSet ??= [where.region]
      delete base.region
    }
    return base
  }

  /** Credentials now: a provider is called (and awaited), an object is used as it is. */
  const currentCredentials = (): Credentials | Promise<Credentials> =>
    typeof credentials === 'function' ? resolveCredentials(credentials) : credentials

  async function send(input: string | URL, init: ClientRequestInit = {}): Promise<R> {
    const url = resolveUrl(input, endpoint)
    if (init === null || typeof init !== 'object') throw new InvalidInputError('init', 'must be an object')
    const where = target(init) // fail early on a missing service
    const maxAttempts = init.maxAttempts ?? policy.maxAttempts
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new InvalidInputError('maxAttempts', 'must be a whole number, 1 or more')
    }
    const throwOnError = init.throwOnError ?? throwByDefault
    const signal = init.signal ?? undefined
    // One pass over the init: the request's signing options, and what goes to fetch as it is.
    let passThrough: Record<string, unknown> | undefined
    let own: Record<string, unknown> | undefined
    for (const key of Object.keys(init)) {
      const value = (init as Record<string, unknown>)[key]
      if (SIGNING_KEY_SET.has(key)) {
        if (value === undefined) continue
        own ??= {}
        own[key] = value
      } else if (!CLIENT_KEYS.has(key)) {
        passThrough ??= {}
        passThrough[key] = value
      }
    }
    const signing = own === undefined ? defaults : signingFor(own)
    checkHostHeader(url, init.headers)

    signal?.throwIfAborted()
    const prepared = prepareBody(init.body)
    const body: PreparedBody = prepared instanceof Promise ? await prepared : prepared
    const { payloadHash } = init
    if (body.isStream && payloadHash === undefined && !hasHeader(init.headers, 'x-amz-content-sha256')) {
      throw new InvalidInputError(
        'payloadHash',
        'is required for a stream body, which cannot be hashed before it is sent: pass UNSIGNED-PAYLOAD (S3) or its hex SHA-256, or pass the body as bytes',
      )
    }
    const ctx: AttemptContext<R> = {
      fetch: fetchFn,
      method: (init.method ?? 'GET').toUpperCase(),
      url,
      passThrough,
      body,
      timeout: limitOption('timeout', init.timeout, defaultTimeout),
      signal,
      throwOnError,
      now,
    }
    const request = { method: init.method, headers: withContentType(init.headers, body.contentType), payloadHash }
    let attempt = 0 // every attempt made
    let counted = 0 // attempts that count against maxAttempts (a clock-skew retry does not)
    let skewRetried = false
    let lastCost = 0

    for (;;) {
      attempt++
      counted++
      signal?.throwIfAborted()
      const resolved = currentCredentials()
      const signOptions = signingBase(
        url,
        request,
        where,
        signing,
        // A slow provider (instance metadata out of reach) is not waited for once the caller aborts.
        resolved instanceof Promise ? await untilAborted(resolved, signal) : resolved,
      ) as SignOptions
      signOptions.body = body.hashable
      const signed = await sign(signOptions)
      // The body does not change between attempts: hash it once.
      if (request.payloadHash === undefined && body.hashable !== undefined) {
        request.payloadHash = signed.canonicalRequest.slice(signed.canonicalRequest.lastIndexOf('\n') + 1)
      }
      const { response, failure } = await sendAttempt(ctx, signed, attempt)
      if (failure === undefined) {
        policy.quota?.release(lastCost)
        return response
      }
      const decision = decideRetry(
        failure,
        { counted, maxAttempts, skewRetried, correctSkew, clockOffset, now: now() },
        policy,
      )
      // The error response is final: with throwOnError false it is returned, as any final response.
      const returnable = response !== undefined && !throwOnError && isAwsigError(failure, 'ERR_AWS')
      if (decision === undefined) {
        if (returnable) return response
        throw failure
      }
      if (!body.replayable) {
        if (returnable) return response
        if (response !== undefined) discardBody(response)
        throw new BodyNotReplayableError({
          method: ctx.method,
          url: redactUrl(url),
          attempts: attempt,
          cause: failure,
        })
      }
      if (decision.clockOffset !== undefined) {
        clockOffset = decision.clockOffset
        skewRetried = true
        counted-- // retry once, on top of maxAttempts
      }
      if (decision.cost > 0) {
        policy.quota?.take(decision.cost)
        lastCost = decision.cost
      }
      // A response kept whole for throwOnError: false (its copy was read) is not needed any more.
      if (response !== undefined && !throwOnError) discardBody(response)
      onRetry?.({ attempt, delay: decision.delay, kind: decision.kind, error: failure })
      if (decision.delay > 0) await policy.sleep(decision.delay, signal)
    }
  }

  /** Signs for `sign` and `presign`: the client's options, the request's on top. */
  async function signingOptions(url: string, init: ClientPresignInit): Promise<PresignOptions> {
    const where = target(init)
    const signing = signingFor(pickSigningOptions(init))
    return signingBase(url, init, where, signing, await resolveCredentials(credentials))
  }

  return {
    fetch: send,
    async sign(input, init = {}) {
      const signOptions = (await signingOptions(resolveUrl(input, endpoint), init)) as SignOptions
      signOptions.body = (init.body ?? undefined) as SignOptions['body']
      return sign(signOptions)
    },
    async presign(input, init = {}) {
      const presignOptions = await signingOptions(resolveUrl(input, endpoint), init)
      if (init.expiresIn !== undefined) presignOptions.expiresIn = init.expiresIn
      if (init.hoistHeaders !== undefined) presignOptions.hoistHeaders = init.hoistHeaders
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
