// The node-http transport's answer: an object with every member of a fetch `Response`, made from node:http's
// response without undici's `Response`, `Headers` and body stream, which cost more per request than the
// rest of a small call. `instanceof Response` is false; `new Response(r.body, r)` makes a real one.
import { builtinModuleLoader, type GetBuiltinModule } from '../lib/builtin-module.js'
import { concat } from '../lib/hex.js'
import { ResponseHeaders } from './response-headers.js'

// Told apart without naming `ReadableStream`: the global loads Node's web streams on first use, which a
// body read whole never needs.
const isStream = (source: ResponseSource): source is ReadableStream<Uint8Array> =>
  source !== null && !(source instanceof Uint8Array)

/** What the response is made from: node:http's status line and raw headers, and the request's URL. */
export interface ResponseParts {
  status: number
  statusText: string
  /** node:http's `rawHeaders`: `[name, value, name, value...]` as received. */
  rawHeaders: readonly string[]
  url: string
}

/** The body: read whole already, streamed, or none (204, 304, HEAD...). */
export type ResponseSource = Uint8Array | ReadableStream<Uint8Array> | null

const EMPTY = new Uint8Array(0)
const decoder = new TextDecoder()

let isDisturbed: ((stream: ReadableStream) => boolean) | undefined

/** node:stream's `isDisturbed`, loaded once. */
function nodeIsDisturbed(): (stream: ReadableStream) => boolean {
  // Only the node-http transport makes these responses: node:stream is there.
  const load = builtinModuleLoader() as GetBuiltinModule
  isDisturbed ??= (load('node:stream') as { isDisturbed(s: unknown): boolean }).isDisturbed
  return isDisturbed
}

// Streams read from or cancelled, for runtimes whose node:stream cannot tell (Deno's `isDisturbed` does
// not know its own web streams): there each body stream is `watched`.
const touched = new WeakSet<ReadableStream>()
let mustWatch: boolean | undefined

/** Whether the stream was read from or cancelled: what fetch's `bodyUsed` says. */
function disturbed(stream: ReadableStream): boolean {
  return touched.has(stream) || nodeIsDisturbed()(stream)
}

/** `source`, or where node:stream cannot see a read, a stream over it that notes its first read or cancel. */
function watched<T extends ReadableStream<Uint8Array> | null>(source: T): T {
  if (source === null) return source
  if (mustWatch === undefined) {
    const probe = new ReadableStream()
    void probe.getReader().read()
    mustWatch = !nodeIsDisturbed()(probe)
  }
  if (!mustWatch) return source
  const reader = source.getReader()
  const stream: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>(
    {
      // With no queue (high-water mark 0), pull runs only for a read.
      async pull(controller) {
        touched.add(stream)
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel(reason) {
        touched.add(stream)
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return stream as T
}

/**
 * A fetch `Response` as far as its members go: status, headers (immutable, made when first read),
 * body (a `ReadableStream`, made when first read for a body read whole), the body methods, `clone()`.
 * The same errors as fetch's: a body read twice, or once locked, rejects with a `TypeError`.
 */
export class NodeHttpResponse implements Response {
  readonly status: number
  readonly statusText: string
  readonly url: string
  readonly #rawHeaders: readonly string[]
  #headers: Headers | undefined
  #source: ResponseSource
  #used = false

  constructor(parts: ResponseParts, source: ResponseSource) {
    this.status = parts.status
    this.statusText = parts.statusText
    this.url = parts.url
    this.#rawHeaders = parts.rawHeaders
    this.#source = source instanceof Uint8Array ? source : watched(source)
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300
  }

  get redirected(): boolean {
    return false // node:http does not follow redirects
  }

  get type(): ResponseType {
    return 'basic'
  }

  /** `Object.prototype.toString` gives `[object Response]`, as for fetch's. */
  get [Symbol.toStringTag](): string {
    return 'Response'
  }

  get headers(): Headers {
    this.#headers ??= new ResponseHeaders(this.#rawHeaders)
    return this.#headers
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    const source = this.#source
    if (!(source instanceof Uint8Array)) return source as ReadableStream<Uint8Array<ArrayBuffer>> | null
    // Bytes read whole become a stream only when asked for. Once the body is used, it is what fetch
    // leaves: a stream locked by the read that used it, which nothing can read or pass on.
    const stream = watched(streamOf(this.#used ? EMPTY : source))
    if (this.#used) void stream.getReader().read()
    this.#source = stream
    return stream as ReadableStream<Uint8Array<ArrayBuffer>>
  }

  get bodyUsed(): boolean {
    const source = this.#source
    return source !== null && (this.#used || (isStream(source) && disturbed(source)))
  }

  async text(): Promise<string> {
    const bytes = this.#consume()
    return decoder.decode(bytes instanceof Uint8Array ? bytes : await bytes)
  }

  async json(): Promise<unknown> {
    const bytes = this.#consume()
    return JSON.parse(decoder.decode(bytes instanceof Uint8Array ? bytes : await bytes))
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const streamed = isStream(this.#source)
    const bytes = await this.#consume()
    // Bytes read whole may be shared with a clone: hand out a copy. What readAll made is ours alone.
    return (streamed ? bytes : new Uint8Array(bytes)) as Uint8Array<ArrayBuffer>
  }

  // Rarely used: a real Response over the bytes gives fetch's exact MIME type and form parsing.
  async blob(): Promise<Blob> {
    return new Response(await this.bytes(), { headers: this.headers }).blob()
  }

  async formData(): Promise<FormData> {
    return new Response(await this.bytes(), { headers: this.headers }).formData()
  }

  clone(): NodeHttpResponse {
    if (this.#unusable()) throw new TypeError('Response.clone: Body has already been consumed.')
    let source = this.#source
    if (isStream(source)) {
      const [mine, theirs] = source.tee()
      this.#source = watched(mine)
      source = theirs
    }
    const copy = new NodeHttpResponse(
      { status: this.status, statusText: this.statusText, rawHeaders: this.#rawHeaders, url: this.url },
      source,
    )
    return copy
  }

  #unusable(): boolean {
    const source = this.#source
    return this.#used || (isStream(source) && (source.locked || disturbed(source)))
  }

  /**
   * The whole body, once (no body reads as empty, as often as asked): from the stream, or the bytes read,
   * handed over at once. Throws what the body methods reject with (they are async).
   */
  #consume(): Uint8Array | Promise<Uint8Array> {
    const source = this.#source
    if (source === null) return EMPTY
    if (this.#unusable()) throw new TypeError('Body is unusable: Body has already been read')
    this.#used = true
    if (isStream(source)) return readAll(source)
    return source
  }
}

/** A stream of one chunk: the bytes. Pull-based, so that nothing is queued until it is read. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (bytes.byteLength > 0) controller.enqueue(new Uint8Array(bytes))
        controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}

/** Reads a stream to its end into one new array that holds the body and nothing else (pieces copied once). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader()
  const pieces: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    pieces.push(value)
    length += value.byteLength
  }
  // A single piece may be a view into a larger buffer (node:http's socket reads): copy it too.
  return pieces.length === 1 ? new Uint8Array(pieces[0] as Uint8Array) : concat(pieces, length)
}
