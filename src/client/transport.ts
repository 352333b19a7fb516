// send(): sends a signed request (what `sign` or `signChunked` return) the right way for the runtime, so
// that a streamed upload keeps its signed content-length and flat memory everywhere. Universal: the
// node-http transport is loaded lazily and reaches node:http through `process.getBuiltinModule`.

import { AwsigError, InvalidInputError, NetworkError, UnsupportedRuntimeError } from '../errors.js'
import { isStreamBody } from '../lib/body.js'
import { builtinModuleLoader } from '../lib/builtin-module.js'
import { headerPairsOf } from '../lib/headers.js'
import { iterateBody } from '../lib/iterate-body.js'
import { redactUrl } from '../lib/redact.js'
import { typeOf } from '../lib/type-of.js'
import type { HeadersInput } from '../sign/types.js'

/**
 * How a request is sent:
 * - `auto`: the transport that streams a body with flat memory and its `content-length` intact in this
 *   runtime: node-http on Node (its fetch keeps every byte of a streamed request body until the upload
 *   ends) and on Deno (its fetch drops `content-length` and sends the stream chunked, which breaks the
 *   signature); fetch on Bun, Cloudflare Workers (through a `FixedLengthStream`) and browsers. A body that
 *   is not a stream is always sent with fetch.
 * - `fetch`: the `fetch` option or the global `fetch`, with `duplex: 'half'` for a stream. On Workers a
 *   stream of known length goes through a `FixedLengthStream`, so that `content-length` is sent.
 * - `node-http`: `node:http` / `node:https` (Node, Deno, Bun), the body written with backpressure.
 */
export type Transport = 'auto' | 'fetch' | 'node-http'

/** A request to send: `sign`'s or `signChunked`'s result fits as it is. */
export interface SendRequest {
  /** Absolute `http:` or `https:` URL, exactly as signed (`signed.url`). */
  url: string | URL
  /** @default 'GET' */
  method?: string | undefined
  /**
   * Headers, exactly as signed (`signed.headers`): a record, pairs or `Headers`. A `host` header is
   * sent by the node-http transport; fetch always sends the URL's host, so fetch refuses a different one.
   */
  headers?: HeadersInput | undefined
  /** The body: text, bytes, or a stream (`signChunked`'s `body`, any `ReadableStream<Uint8Array>`). */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | null | undefined
  /**
   * Length in bytes of a stream body, for runtimes that must be told it (Workers' `FixedLengthStream`).
   * `signChunked`'s result carries it.
   * @default the `content-length` header
   */
  contentLength?: number | undefined
  /** Aborts the request, the upload and the response body; `send` then rejects with the signal's reason. */
  signal?: AbortSignal | null | undefined
}

/** The fetch function the `fetch` transport calls (the global `fetch`, undici's, a mock...). */
export type SendFetch = (url: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>

export interface SendOptions {
  /**
   * How to send: see {@link Transport}.
   * @default 'auto'
   */
  transport?: Transport | undefined
  /**
   * The fetch of the `fetch` transport.
   * @default globalThis.fetch (looked up at each call)
   */
  fetch?: SendFetch | undefined
  /**
   * An `http.Agent` / `https.Agent` for the node-http transport (connection pooling, TLS options,
   * proxies through an agent). Ignored by fetch.
   * @default node:http's global agent
   */
  agent?: unknown
}

const TRANSPORTS: readonly Transport[] = ['auto', 'fetch', 'node-http']

// Runtime facts, detected once. Workers (workerd) have `FixedLengthStream` and, with nodejs_compat,
// a node:http built on their fetch: their fetch is the right transport.
const FixedLength = (globalThis as { FixedLengthStream?: FixedLengthStreamClass }).FixedLengthStream
const isBun = typeof (globalThis as { Bun?: unknown }).Bun === 'object'

interface FixedLengthStreamClass {
  new (length: number): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }
}

/** The transport `auto` picks for a stream body in this runtime. */
function streamTransport(): 'fetch' | 'node-http' {
  if (FixedLength !== undefined || isBun) return 'fetch'
  return builtinModuleLoader() !== undefined ? 'node-http' : 'fetch'
}

/**
 * Sends a signed request and resolves to a fetch `Response` (status, headers, body stream) whatever the
 * transport (node-http's has every member of one, but is not `instanceof Response`); it does not throw
 * on an HTTP error status. A streamed body is read only as it is sent.
 *
 * Rejects with an `InvalidInputError` for bad input (before any I/O), the signal's reason on abort, the
 * body's `StreamError` when its source fails (e.g. `signChunked`'s source gives the wrong length), and a
 * `NetworkError` (`cause`: the transport's error) when no response arrives.
 *
 * @example
 * import { signChunked } from 'awsig'
 * import { send } from 'awsig/client'
 * const upload = await signChunked({ method: 'PUT', url, service: 's3', region, credentials, body, contentLength })
 * const response = await send(upload)   // node:http on Node and Deno, FixedLengthStream on Workers
 * if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`)
 */
export async function send(request: SendRequest, options: SendOptions = {}): Promise<Response> {
  if (request === null || typeof request !== 'object') {
    throw new InvalidInputError(
      'request',
      `must be an object with url, method, headers and body, got ${typeOf(request)}`,
    )
  }
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const transport = options.transport ?? 'auto'
  if (!TRANSPORTS.includes(transport)) {
    throw new InvalidInputError(
      'transport',
      `must be one of ${TRANSPORTS.join(', ')}, got ${JSON.stringify(transport)}`,
    )
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new InvalidInputError('fetch', `must be a fetch-compatible function, got ${typeOf(options.fetch)}`)
  }
  const url = parseUrl(request.url)
  const method = (request.method ?? 'GET').toUpperCase()
  const signal = request.signal ?? undefined
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidInputError('signal', `must be an AbortSignal, got ${typeOf(signal)}`)
  }
  const body = checkBody(request.body)
  const headers = headerPairsOf(request.headers)
  if (
    request.contentLength !== undefined &&
    !(Number.isSafeInteger(request.contentLength) && request.contentLength >= 0)
  ) {
    throw new InvalidInputError('contentLength', 'must be a whole number of bytes, 0 or more')
  }
  const chosen = transport === 'auto' ? (isStreamBody(body) ? streamTransport() : 'fetch') : transport
  if (chosen === 'node-http' && builtinModuleLoader() === undefined) {
    throw new InvalidInputError('transport', "'node-http' needs node:http (Node, Deno or Bun): use 'fetch' here")
  }
  try {
    return await sendWith(chosen, { url, method, headers, body, contentLength: request.contentLength, signal }, options)
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error
    // fetch wraps a failing body stream in a TypeError: hand back awsig's own error (a StreamError).
    const cause = (error as { cause?: unknown } | undefined)?.cause
    if (error instanceof AwsigError) throw error
    if (cause instanceof AwsigError) throw cause
    const shown = redactUrl(url.href)
    // fetch's TypeError says only "fetch failed": the socket's error is its cause.
    const failure = (cause instanceof Error ? cause : error) as { code?: unknown; message?: unknown }
    const message = typeof failure.message === 'string' && failure.message !== '' ? failure.message : String(failure)
    const detail =
      typeof failure.code === 'string' && !message.includes(failure.code) ? `${failure.code}: ${message}` : message
    throw new NetworkError(`${method} ${shown}: no response (${detail})`, {
      method,
      url: shown,
      cause: error,
    })
  }
}

interface Outgoing {
  url: URL
  method: string
  headers: Array<[string, string]>
  body: SendBody | undefined
  contentLength: number | undefined
  signal: AbortSignal | undefined
}

type SendBody = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

// The node-http transport's module: loading, then loaded (called with no promise in between).
let nodeHttpLoading: Promise<typeof import('./transport.node.js')> | undefined
let nodeHttp: typeof import('./transport.node.js') | undefined

/**
 * Sends with node:http, loading its transport on first use. A bundle made for browsers leaves the
 * transport out (package.json's `browser` field): run where node:http exists all the same, it sends
 * with `otherwise` when given (fetch), else rejects with `UnsupportedRuntimeError`.
 */
function viaNodeHttp(
  request: import('./transport.node.js').NodeHttpSend,
  otherwise?: () => Promise<Response>,
): Promise<Response> {
  if (nodeHttp !== undefined) return nodeHttp.sendWithNodeHttp(request)
  nodeHttpLoading ??= import('./transport.node.js')
  return nodeHttpLoading.then((loaded) => {
    if (typeof loaded.sendWithNodeHttp !== 'function') {
      if (otherwise !== undefined) return otherwise()
      throw new UnsupportedRuntimeError(
        'the node-http transport',
        "this bundle was made for browsers, which leave it out: use transport: 'fetch'",
      )
    }
    nodeHttp = loaded
    return loaded.sendWithNodeHttp(request)
  })
}

/**
 * A record without a prototype: a header named `constructor` would otherwise find Object's, and one named
 * `__proto__` would set the prototype instead of a header (node:http takes the record's own keys).
 */
const newHeaderRecord = (): Record<string, string | string[]> => Object.create(null)

/** Headers for node:http: lower-case names, a repeated header's values in an array. */
function nodeHeaders(pairs: Iterable<readonly [string, string]>): Record<string, string | string[]> {
  const headers = newHeaderRecord()
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    const previous = headers[key]
    headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
  }
  return headers
}

/**
 * Sends with the given transport; rejects with the transport's own errors (the client classifies them).
 * @internal
 */
export async function sendWith(
  transport: 'fetch' | 'node-http',
  request: Outgoing,
  options: Pick<SendOptions, 'fetch' | 'agent'> & { init?: Record<string, unknown> },
): Promise<Response> {
  const { url, method, headers, body, signal } = request
  if (transport === 'node-http') {
    return viaNodeHttp({ url, method, headers: nodeHeaders(headers), body, signal, agent: options.agent })
  }
  const fetchHeaders: Array<[string, string]> = []
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'host') fetchHeaders.push([name, value])
    else if (value.trim() !== url.host) {
      throw new InvalidInputError(
        'headers["host"]',
        `is ${JSON.stringify(value)} but fetch sends the URL's host (${url.host}) and cannot send another: put the host in the URL, or use transport: 'node-http'`,
      )
    }
  }
  const init: RequestInit & { duplex?: 'half' } = { ...options.init, method, headers: fetchHeaders }
  if (signal !== undefined) init.signal = signal
  const fetchFn = options.fetch ?? globalThis.fetch
  if (typeof fetchFn !== 'function') {
    throw new InvalidInputError('fetch', 'no global fetch in this runtime: pass one in the options')
  }
  if (body === undefined || !isStreamBody(body)) {
    if (body !== undefined) init.body = body as BodyInit
    return fetchFn(url.href, init)
  }
  init.duplex = 'half'
  const sent = untilAnswered(body as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>)
  init.body = fixedLength(sent.stream, request.contentLength ?? headerLength(headers))
  try {
    return await fetchFn(url.href, init)
  } finally {
    sent.answered()
  }
}

/**
 * A stream body as fetch reads it, knowing whether it was read to its end. fetch goes on waiting to send
 * the rest after a response that came first (S3's early 403, from a server that reads no more), holding
 * the source and the connection: `answered` ends the body there and releases the source.
 */
function untilAnswered(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>) {
  const iterator = iterateBody(body)
  let ended = false
  let control: ReadableStreamDefaultController<Uint8Array> | undefined
  const release = async (): Promise<void> => {
    ended = true
    await iterator.return?.().catch(() => {})
  }
  const source: UnderlyingDefaultSource<Uint8Array> = {
    start(controller) {
      control = controller
    },
    async pull(controller) {
      const { done, value } = await iterator.next()
      if (done) {
        ended = true
        controller.close()
      } else controller.enqueue(value)
    },
    cancel: release,
  }
  const stream = new ReadableStream<Uint8Array>(source, { highWaterMark: 0 })
  const answered = () => {
    if (ended) return
    control?.error(new Error('the response came before the whole body was sent'))
    void release()
  }
  return { stream, answered }
}

/**
 * On Workers, fetch sends a plain stream with `transfer-encoding: chunked` and drops `content-length`;
 * a `FixedLengthStream` of the right length makes it send `content-length`.
 */
function fixedLength(body: ReadableStream<Uint8Array>, length: number | undefined): BodyInit {
  if (FixedLength === undefined || length === undefined || !(body instanceof ReadableStream)) return body as BodyInit
  const { readable, writable } = new FixedLength(length)
  // Errors reach the reader of `readable` (fetch): nothing to handle here.
  body.pipeTo(writable).catch(() => {})
  return readable
}

function headerLength(headers: Array<[string, string]>): number | undefined {
  const found = headers.find(([name]) => name.toLowerCase() === 'content-length')
  if (found === undefined) return undefined
  const length = Number(found[1])
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined
}

function parseUrl(input: unknown): URL {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    throw new InvalidInputError('url', `must be a string or URL, got ${typeOf(input)}`)
  }
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new InvalidInputError('url', 'must be an absolute http: or https: URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInputError('url', `must be an http: or https: URL, got ${url.protocol}`)
  }
  return url
}

function checkBody(body: SendRequest['body']): SendBody | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  if (isStreamBody(body)) return body as SendBody
  throw new InvalidInputError('body', `must be a string, bytes or a ReadableStream, got ${typeOf(body)}`)
}

/**
 * createClient's default fetch. On Node: node-http for every body (through node:http's global agent,
 * which keeps connections alive), several times cheaper per request than Node's global fetch, answering
 * with a fetch-like `Response` all the same (every member, not the class). The global fetch instead when
 * it was replaced after awsig loaded (a test's stub, a mock), when the init carries fetch-only options (`dispatcher`, `cache`...), or the
 * body is of a kind only fetch takes (`FormData`, `Blob`...). Elsewhere: the global fetch, except that a
 * stream body goes by the transport `auto` picks (node-http on Deno, a FixedLengthStream on Workers).
 * Rejects with the transport's own errors, which the client classifies.
 * @internal
 */
export function fetchByRuntime(url: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
  const { method, headers, body, signal } = init
  // Bytes first: asking whether they are a stream loads Node's web streams, which they never need.
  const bytesLike = isBytesLike(body)
  const stream = !bytesLike && isStreamBody(body)
  if (!stream) {
    if (isNode && bytesLike && !hasFetchOnlyOptions(init) && globalThis.fetch === initialFetch) {
      return viaNodeHttp(
        {
          url: new URL(url),
          method: method ?? 'GET',
          headers: nodeHeadersOf(headers),
          body: checkBody(body as SendRequest['body']),
          signal: signal ?? undefined,
          agent: undefined,
        },
        () => globalThis.fetch(url, init),
      )
    }
    if (typeof globalThis.fetch !== 'function') {
      throw new InvalidInputError('fetch', 'no global fetch in this runtime: pass one in the options')
    }
    return globalThis.fetch(url, init)
  }
  const pairs = headerPairsOf(headers)
  const { method: _m, headers: _h, body: _b, signal: _s, duplex: _d, ...rest } = init
  return sendWith(
    streamTransport(),
    {
      url: new URL(url),
      method: method ?? 'GET',
      headers: pairs,
      body: body as SendBody,
      contentLength: headerLength(pairs),
      signal: signal ?? undefined,
    },
    { init: rest },
  )
}

/** Whether the init has options other than method, headers, body, signal and duplex (`dispatcher`, `cache`...). */
function hasFetchOnlyOptions(init: object): boolean {
  for (const key in init) {
    if (key !== 'method' && key !== 'headers' && key !== 'body' && key !== 'signal' && key !== 'duplex') return true
  }
  return false
}

/** Headers for node:http from fetch's init: the client's plain record copied as it is, any other shape read. */
function nodeHeadersOf(input: unknown): Record<string, string | string[]> {
  if (input !== null && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype) {
    const headers = newHeaderRecord()
    for (const name in input) {
      const value = (input as Record<string, unknown>)[name]
      const key = name.toLowerCase()
      // Anything but one string per name (arrays, names repeated in another case) takes the general path.
      if (typeof value !== 'string' || headers[key] !== undefined) return nodeHeaders(headerPairsOf(input))
      headers[key] = value
    }
    return headers
  }
  return nodeHeaders(headerPairsOf(input))
}

// Node itself (Deno and Bun define `process.versions.node` too, and have a fast fetch of their own).
const isNode =
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string' &&
  !isBun &&
  typeof (globalThis as { Deno?: unknown }).Deno === 'undefined'
// The global fetch as it was when awsig loaded: one replaced since is the caller's choice, and is used.
const initialFetch = globalThis.fetch

function isBytesLike(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  )
}
