// The node-http transport: sends a request with node:http / node:https (Node, Deno and Bun all have them),
// streaming the body with backpressure, and answers with a fetch-like `Response` (response.node.ts). The
// modules are reached through `process.getBuiltinModule`, never a static import, so bundles for other
// runtimes stay clean.
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import { builtinModuleLoader } from '../lib/builtin-module.js'
import { concat } from '../lib/hex.js'
import { iterateBody } from '../lib/iterate-body.js'
import { NodeHttpResponse, type ResponseParts } from './response.node.js'

interface BufferModule {
  Buffer: { byteLength(text: string): number }
}

interface HttpModule {
  request(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest
}

/** What the node-http transport sends: the body as bytes or an (async) iterable of bytes. */
export interface NodeHttpSend {
  url: URL
  method: string
  /** Lower-case names; the transport may add `content-length` or `transfer-encoding` to it. */
  headers: Record<string, string | string[]>
  body: string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | undefined
  signal: AbortSignal | undefined
  agent: unknown
}

// Statuses whose response carries no body (fetch gives them a null body).
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

// The built-in modules, loaded on first use.
let httpModule: HttpModule | undefined
let httpsModule: HttpModule | undefined
let bufferModule: BufferModule | undefined

function loader() {
  const load = builtinModuleLoader()
  if (load === undefined) throw new Error('node:http is not available in this runtime (no process.getBuiltinModule)')
  return load
}

function plainHttp(): HttpModule {
  httpModule ??= loader()('node:http') as HttpModule
  return httpModule
}

function https(): HttpModule {
  httpsModule ??= loader()('node:https') as HttpModule
  return httpsModule
}

/**
 * Sends the request and resolves to a fetch-like `Response` (see `NodeHttpResponse`) once the response
 * headers arrive (a small body of known length: once it is read too). The body is written as it is read
 * (never buffered beyond one piece: `write` returning false pauses the reader until `drain`). Rejects with
 * the signal's reason on abort, with the body's own error when its source fails, and with node:http's
 * error (ECONNREFUSED...) when there is no response.
 */
export function sendWithNodeHttp(request: NodeHttpSend): Promise<Response> {
  const { signal, headers, body } = request
  // What the executor throws rejects the promise.
  return new Promise<Response>((resolve, reject) => {
    signal?.throwIfAborted()
    const http = request.url.protocol === 'https:' ? https() : plainHttp()
    let settled = false
    let bodyError: unknown
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      reject(signal?.aborted ? signal.reason : (bodyError ?? error))
    }
    // Frame the body whatever the method: node:http leaves a GET's or DELETE's body unframed.
    if (body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      if (typeof body === 'string') {
        bufferModule ??= loader()('node:buffer') as BufferModule
        headers['content-length'] = String(bufferModule.Buffer.byteLength(body))
      } else if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength)
      else headers['transfer-encoding'] = 'chunked'
    }
    const options = requestOptions(request.url)
    options.method = request.method
    options.headers = headers
    if (request.agent !== undefined) options.agent = request.agent as Agent
    if (signal !== undefined) options.signal = signal

    let answered = false
    const req = http.request(options, (res) => {
      answered = true
      if (settled) {
        res.destroy()
        return
      }
      settled = true
      // An answer before the whole body was sent (S3's early 403, a server that stops reading): the
      // upload stops (see pump), and the connection, which cannot carry another request, closes with
      // the response.
      if (!req.writableFinished) res.once('close', () => req.destroy())
      respond(res, request, resolve, (error) => reject(signal?.aborted ? signal.reason : error))
    })
    req.on('error', fail)
    // Text and bytes go out at once (a string in one write with the headers); streams are pumped.
    if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) req.end(body)
    else {
      pump(req, body, () => answered).catch((error: unknown) => {
        bodyError = error
        // The response may already be here (S3 can answer an error before reading the whole body).
        req.destroy(error instanceof Error ? error : new Error(String(error)))
        fail(error)
      })
    }
  })
}

/**
 * node:http's options for a URL, as its own `urlToHttpOptions` makes them: given as options rather than
 * a URL, node:http neither converts the URL nor copies the options again.
 */
function requestOptions(url: URL): RequestOptions {
  const { hostname } = url
  const options: RequestOptions = {
    protocol: url.protocol,
    // An IPv6 literal without its brackets.
    hostname: hostname.charCodeAt(0) === 0x5b ? hostname.slice(1, -1) : hostname,
    path: `${url.pathname}${url.search}`,
  }
  if (url.port !== '') options.port = Number(url.port)
  if (url.username !== '' || url.password !== '') {
    options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  }
  return options
}

/**
 * Writes a stream body with backpressure, then ends the request. Once the response is in (`answered`),
 * the rest is not sent: the source is released and the request left unended.
 */
async function pump(
  req: ClientRequest,
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  answered: () => boolean,
): Promise<void> {
  const iterator = iterateBody(body)
  try {
    for (;;) {
      if (answered()) {
        await iterator.return?.()
        return
      }
      const { done, value } = await iterator.next()
      if (done) break
      if (req.destroyed) throw new Error('the request was closed before its body was sent')
      if (!req.write(value)) await drained(req)
    }
  } catch (error) {
    await iterator.return?.()
    throw error
  }
  req.end()
}

/** Resolves on `drain`, on the response, or when the request closes (a failed request drains never). */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done)
      req.off('response', done)
      req.off('close', done)
      resolve()
    }
    req.on('drain', done)
    req.on('response', done)
    req.on('close', done)
  })
}

// A body of at most this many bytes, its length announced, is read whole before the response is made:
// most API answers are this small, and bytes in hand cost far less than a stream.
const SMALL_BODY = 64 * 1024

const closedEarly = () => new Error('the connection closed before the response body ended')

/** Makes the response: no body, a small body read whole, or a body streamed as it is read. */
function respond(
  res: IncomingMessage,
  request: NodeHttpSend,
  resolve: (response: Response) => void,
  reject: (error: unknown) => void,
): void {
  const status = res.statusCode ?? 0
  const parts: ResponseParts = {
    status,
    statusText: res.statusMessage ?? '',
    rawHeaders: res.rawHeaders,
    url: urlOf(request.url),
  }
  if (NULL_BODY_STATUS.has(status) || request.method === 'HEAD') {
    res.resume() // nothing to read: let the socket go back to the agent
    resolve(new NodeHttpResponse(parts, null))
    return
  }
  if (isSmall(res.rawHeaders)) {
    readWhole(res, parts, resolve, reject)
    return
  }
  resolve(new NodeHttpResponse(parts, streamOf(res, request.signal)))
}

/**
 * Whether the body is announced at `SMALL_BODY` bytes or less, and not encoded. Read from the raw headers:
 * `res.headers` would build node:http's header record, which nothing else here needs.
 */
function isSmall(raw: readonly string[]): boolean {
  let length: string | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    if (name === 'content-encoding') return false
    if (name === 'content-length') length ??= raw[i + 1]
  }
  return Number(length) <= SMALL_BODY
}

/** The URL as fetch's response gives it: without its fragment. */
function urlOf(url: URL): string {
  const { href } = url
  const hash = href.indexOf('#')
  return hash === -1 ? href : href.slice(0, hash)
}

/** Reads a small body into one array, then resolves with the response. */
function readWhole(
  res: IncomingMessage,
  parts: ResponseParts,
  resolve: (response: Response) => void,
  reject: (error: unknown) => void,
): void {
  const chunks: Uint8Array[] = []
  let received = 0
  let ended = false
  res.on('data', (chunk: Uint8Array) => {
    chunks.push(chunk)
    received += chunk.byteLength
  })
  res.on('end', () => {
    ended = true
    // A node:http chunk is a Buffer, often a view into the socket's read: the response sees a plain view.
    const only = chunks[0]
    const bytes =
      chunks.length === 1 && only !== undefined
        ? new Uint8Array(only.buffer, only.byteOffset, only.byteLength)
        : concat(chunks, received)
    resolve(new NodeHttpResponse(parts, bytes))
  })
  res.on('error', reject)
  // A connection lost mid-body closes the response without 'end'.
  res.on('close', () => {
    if (!ended) reject(closedEarly())
  })
}

/** node:http's response body as a `ReadableStream` (no copy held beyond one piece). */
function streamOf(res: IncomingMessage, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  let reading = true
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on('data', (chunk: Uint8Array) => {
        // Deno's node:http may still deliver a read it had scheduled after `destroy()` (a cancel): an
        // enqueue on the closed stream would throw, uncaught.
        if (!reading) return
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        // Pull-based: stop the socket until the reader asks for more.
        if ((controller.desiredSize ?? 0) <= 0) res.pause()
      })
      res.on('end', () => {
        if (!reading) return
        reading = false
        controller.close()
      })
      const failed = (error: Error | undefined) => {
        if (!reading) return
        reading = false
        // Aborted mid-body: the reader gets the signal's reason, as with fetch.
        controller.error(signal?.aborted ? signal.reason : (error ?? closedEarly()))
      }
      res.on('error', failed)
      // A connection lost mid-body closes the response without 'end'.
      res.on('close', () => failed(undefined))
    },
    pull() {
      if (reading) res.resume()
    },
    cancel() {
      reading = false
      res.destroy()
    },
  })
}
