// The node-http transport: sends a request with node:http / node:https (Node, Deno and Bun all have them),
// streaming the body with backpressure, and answers with a fetch `Response`. The modules are reached
// through `process.getBuiltinModule`, never a static import, so bundles for other runtimes stay clean.
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import { builtinModuleLoader } from '../lib/builtin-module.js'
import { concat } from '../lib/hex.js'

interface BufferModule {
  Buffer: { byteLength(text: string): number }
}

interface HttpModule {
  request(url: URL, options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest
}

/** What the node-http transport sends: headers as pairs, the body as bytes or an (async) iterable of bytes. */
export interface NodeHttpSend {
  url: URL
  method: string
  headers: Array<[string, string]>
  body: string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | undefined
  signal: AbortSignal | undefined
  agent: unknown
}

// A response's status must be 200 to 599 for `new Response`, and these may not carry a body.
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

/**
 * Sends the request and resolves to a `Response` once the response headers arrive. The body is written
 * as it is read (never buffered beyond one piece: `write` returning false pauses the reader until
 * `drain`). Rejects with the signal's reason on abort, with the body's own error when its source fails,
 * and with node:http's error (ECONNREFUSED...) when there is no response.
 */
export function sendWithNodeHttp(request: NodeHttpSend): Promise<Response> {
  const load = builtinModuleLoader()
  if (load === undefined) throw new Error('node:http is not available in this runtime (no process.getBuiltinModule)')
  const http = load(request.url.protocol === 'https:' ? 'node:https' : 'node:http') as HttpModule
  const { signal } = request
  signal?.throwIfAborted()

  return new Promise<Response>((resolve, reject) => {
    let settled = false
    let bodyError: unknown
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      reject(signal?.aborted ? signal.reason : (bodyError ?? error))
    }
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of request.headers) {
      const key = name.toLowerCase()
      const previous = headers[key]
      headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
    }
    // Frame the body whatever the method: node:http leaves a GET's or DELETE's body unframed.
    const { body } = request
    if (body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      if (typeof body === 'string')
        headers['content-length'] = String((load('node:buffer') as BufferModule).Buffer.byteLength(body))
      else if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength)
      else headers['transfer-encoding'] = 'chunked'
    }
    const options: RequestOptions = { method: request.method, headers }
    if (request.agent !== undefined) options.agent = request.agent as Agent
    if (signal !== undefined) options.signal = signal

    const req = http.request(request.url, options, (res) => {
      if (settled) {
        res.destroy()
        return
      }
      settled = true
      const small = smallBody(res)
      if (small === undefined) resolve(toResponse(res, signal))
      else small.then(resolve, (error: unknown) => reject(signal?.aborted ? signal.reason : error))
    })
    req.on('error', fail)
    void pump(req, request.body).catch((error: unknown) => {
      bodyError = error
      // The response may already be here (S3 can answer an error before reading the whole body).
      req.destroy(error instanceof Error ? error : new Error(String(error)))
      fail(error)
    })
  })
}

/** Writes the body with backpressure, then ends the request. */
async function pump(req: ClientRequest, body: NodeHttpSend['body']): Promise<void> {
  if (body === undefined) {
    req.end()
    return
  }
  // A string goes out in one write with the headers (node:http joins them); bytes take a second buffer.
  if (typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body)
    return
  }
  const iterator = iterate(body)
  try {
    for (;;) {
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

function iterate(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterator<Uint8Array> {
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    const reader = body.getReader()
    return {
      next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
      async return() {
        await reader.cancel().catch(() => {})
        return { done: true, value: undefined }
      },
    }
  }
  return (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
}

/** Resolves on `drain`, or when the request closes (a failed request drains never). */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done)
      req.off('close', done)
      resolve()
    }
    req.on('drain', done)
    req.on('close', done)
  })
}

// A body of at most this many bytes, its length announced, is read whole before the Response is made:
// a Response over bytes costs far less than one over a stream (most API answers are this small).
const SMALL_BODY = 64 * 1024

/** The response, its body read whole, when it is small and of known length; undefined otherwise. */
function smallBody(res: IncomingMessage): Promise<Response> | undefined {
  const status = res.statusCode ?? 0
  const length = Number(res.headers['content-length'])
  if (NULL_BODY_STATUS.has(status) || !(length <= SMALL_BODY) || res.headers['content-encoding'] !== undefined) {
    return undefined
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    res.on('data', (chunk: Uint8Array) => chunks.push(chunk))
    res.on('error', reject)
    res.on('close', () => reject(new Error('the connection closed before the response body ended')))
    res.on('end', () => {
      const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, length)
      resolve(
        new Response(bytes as Uint8Array<ArrayBuffer>, {
          status,
          statusText: res.statusMessage ?? '',
          headers: headersOf(res),
        }),
      )
    })
  })
}

function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers()
  const raw = res.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string)
  return headers
}

/** node:http's response as a fetch `Response`, its body streamed (no copy held beyond one piece). */
function toResponse(res: IncomingMessage, signal: AbortSignal | undefined): Response {
  const status = res.statusCode ?? 0
  const init: ResponseInit = { status, statusText: res.statusMessage ?? '', headers: headersOf(res) }
  if (NULL_BODY_STATUS.has(status)) {
    res.resume() // nothing to read: let the socket go back to the agent
    return new Response(null, init)
  }
  let reading = true
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      res.on('data', (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        // Pull-based: stop the socket until the reader asks for more.
        if ((controller.desiredSize ?? 0) <= 0) res.pause()
      })
      res.on('end', () => {
        if (!reading) return
        reading = false
        controller.close()
      })
      const failed = (error: Error) => {
        if (!reading) return
        reading = false
        // Aborted mid-body: the reader gets the signal's reason, as with fetch.
        controller.error(signal?.aborted ? signal.reason : error)
      }
      res.on('error', failed)
      // A connection lost mid-body closes the response without 'end'.
      res.on('close', () => failed(new Error('the connection closed before the response body ended')))
    },
    pull() {
      if (reading) res.resume()
    },
    cancel() {
      reading = false
      res.destroy()
    },
  })
  return new Response(body, init)
}
