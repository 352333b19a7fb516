// The command's transport: a fetch-like function that streams request bodies (global fetch keeps a
// streamed body in memory) and hands back the response body as a stream or straight into a file.
// Requests without a streamed body over plain http read the response with one reused 1 MiB buffer
// (net's `onread`), which costs less CPU than curl; everything else goes through node:http(s).
import { writeSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import type { FetchInit } from '../client/index.js'

/** A response: what the client reads, plus the body as a stream or written to a file descriptor. */
export interface NodeResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: ResponseHeaders
  readonly httpVersion: string
  /** Header pairs as received, original case. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>
  /** The body as a Node stream (created on first use). */
  readonly body: Readable
  /** Writes the body to `fd` as it arrives (synchronous writes, as curl does); `onBytes` counts them. */
  writeTo(fd: number, onBytes?: (count: number) => void): Promise<void>
  text(): Promise<string>
  clone(): { text(): Promise<string> }
}

/** The response headers as the client reads them (`get`, `forEach`), without loading fetch's `Headers`. */
export interface ResponseHeaders {
  get(name: string): string | null
  forEach(callback: (value: string, key: string) => void): void
}

const READ_BUFFER = 1024 * 1024 // 1 MiB per socket read on the fast path

function headersFrom(raw: ReadonlyArray<readonly [string, string]>): ResponseHeaders {
  const values = new Map<string, string>()
  for (const [name, value] of raw) {
    const key = name.toLowerCase()
    const previous = values.get(key)
    values.set(key, previous === undefined ? value : `${previous}, ${value}`)
  }
  return {
    get: (name) => values.get(name.toLowerCase()) ?? null,
    forEach: (callback) => {
      for (const [key, value] of values) callback(value, key)
    },
  }
}

export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset)
}

function toNodeBody(body: FetchInit['body']): Readable | string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  if (body instanceof URLSearchParams) return body.toString()
  // A web stream (duck-typed: touching the global ReadableStream loads Node's web streams).
  if (typeof (body as { getReader?: unknown }).getReader === 'function') {
    return Readable.fromWeb(body as import('node:stream/web').ReadableStream)
  }
  if (typeof (body as unknown as Readable).pipe === 'function') return body as unknown as Readable
  return Readable.from(body as unknown as AsyncIterable<Uint8Array>)
}

/**
 * What `text()` reads at most: more than any AWS error (the client keeps 64 KiB of one). A body that goes
 * on (a proxy's page, a body that never ends) is cut there and its connection closed.
 */
const TEXT_LIMIT = 1024 * 1024 // 1 MiB

/** Collects a stream into text, up to {@link TEXT_LIMIT}. */
function textOf(stream: Readable): Promise<string> {
  return (async () => {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size >= TEXT_LIMIT) break // leaving the loop destroys the stream, and so the connection
    }
    return Buffer.concat(chunks).subarray(0, TEXT_LIMIT).toString('utf8')
  })()
}

/**
 * Sends one request. Rejects on a connection failure, as fetch does. The response body must be read
 * (`body`, `writeTo` or `text`) for the connection to finish.
 */
export async function nodeFetch(url: string, init: FetchInit): Promise<NodeResponse> {
  const target = new URL(url)
  const body = toNodeBody(init.body)
  if (target.protocol === 'http:' && (body === undefined || typeof body === 'string' || body instanceof Uint8Array)) {
    return rawFetch(target, init, body)
  }
  // node:https (and TLS) only for https URLs.
  const send = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest
  return new Promise((resolve, reject) => {
    const request = send(target, { method: init.method, headers: init.headers, signal: init.signal ?? undefined })
    request.once('error', reject)
    request.once('response', (message: IncomingMessage) => {
      // A response that ends (or is dropped) while the body is still being sent, an early error above all:
      // the upload stops there, as curl's does, instead of waiting on a server that no longer reads it.
      message.once('close', () => {
        if (request.writableFinished) return
        if (typeof body === 'object' && !(body instanceof Uint8Array)) body.destroy()
        request.destroy()
      })
      const raw: Array<[string, string]> = []
      for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) {
        raw.push([message.rawHeaders[i] as string, message.rawHeaders[i + 1] as string])
      }
      let text: Promise<string> | undefined
      const readText = () => {
        text ??= textOf(message)
        return text
      }
      resolve({
        status: message.statusCode ?? 0,
        statusText: message.statusMessage ?? '',
        headers: headersFrom(raw),
        httpVersion: message.httpVersion,
        rawHeaders: raw,
        body: message,
        writeTo: (fd, onBytes) =>
          new Promise<void>((done, fail) => {
            message.on('data', (chunk: Buffer) => {
              try {
                writeAll(fd, chunk)
              } catch (error) {
                message.destroy(error as Error)
                return
              }
              onBytes?.(chunk.length)
            })
            message.once('end', done)
            message.once('error', fail)
          }),
        text: readText,
        clone: () => ({ text: readText }),
      })
    })
    if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) request.end(body)
    else {
      body.once('error', (error) => request.destroy(error))
      body.pipe(request)
    }
  })
}

type Framing =
  | { kind: 'none' }
  | { kind: 'length'; remaining: number }
  | { kind: 'close' }
  | { kind: 'chunked'; state: 'size' | 'data' | 'data-end' | 'trailer'; remaining: number; line: string }

const CRLF2 = Buffer.from('\r\n\r\n')
/** A response head (status line and headers) larger than this is refused: it would otherwise never end. */
const MAX_HEAD = 256 * 1024 // 256 KiB; node:http allows 16 KiB, curl 300 KiB

/** HTTP/1.1 over a plain socket, `Connection: close`, reading into one reused buffer. */
function rawFetch(target: URL, init: FetchInit, body: string | Uint8Array | undefined): Promise<NodeResponse> {
  const method = init.method.toUpperCase()
  const payload = typeof body === 'string' ? Buffer.from(body) : body
  const lines = [`${method} ${target.pathname}${target.search} HTTP/1.1`]
  let hasHost = false
  let hasLength = false
  for (const [name, value] of Object.entries(init.headers)) {
    const lower = name.toLowerCase()
    if (lower === 'host') hasHost = true
    if (lower === 'content-length') hasLength = true
    if (lower === 'connection') continue
    lines.push(`${name}: ${value}`)
  }
  if (!hasHost) lines.unshift(lines.shift() as string, `host: ${target.host}`)
  if (!hasLength && (payload !== undefined || method === 'POST' || method === 'PUT')) {
    lines.push(`content-length: ${payload?.length ?? 0}`)
  }
  lines.push('connection: close', '', '')

  return new Promise((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(READ_BUFFER)
    let head: Buffer | undefined = Buffer.alloc(0)
    let framing: Framing = { kind: 'close' }
    let sink: ((view: Buffer) => void) | undefined
    let pending: Buffer[] = []
    let ended = false
    let failure: Error | undefined
    let settled = false
    const waiters: Array<{ end(): void; fail(error: Error): void }> = []

    const finish = (error?: Error) => {
      if (ended) return
      ended = true
      failure = error
      socket.destroy()
      for (const waiter of waiters.splice(0)) error ? waiter.fail(error) : waiter.end()
      if (!settled) {
        settled = true
        reject(error ?? new Error('the connection closed before a response'))
      }
    }

    /** Body bytes, framing removed. `view` is only valid during the call. */
    const deliver = (view: Buffer) => {
      if (view.length === 0) return
      if (sink !== undefined) sink(view)
      else pending.push(Buffer.from(view))
    }

    /** Delivers up to `counter.remaining` bytes of `data` from `at`; returns where it stopped. */
    const deliverCounted = (data: Buffer, at: number, counter: { remaining: number }) => {
      const take = Math.min(counter.remaining, data.length - at)
      deliver(data.subarray(at, at + take))
      counter.remaining -= take
      return at + take
    }

    const bodyBytes = (data: Buffer) => {
      let at = 0
      while (at < data.length && !ended) {
        if (framing.kind === 'close') {
          deliver(data.subarray(at))
          return
        }
        if (framing.kind === 'length') {
          deliverCounted(data, at, framing)
          if (framing.remaining === 0) finish()
          return
        }
        if (framing.kind === 'none') {
          finish()
          return
        }
        // chunked
        if (framing.state === 'data') {
          at = deliverCounted(data, at, framing)
          if (framing.remaining === 0) framing.state = 'data-end'
          continue
        }
        const newline = data.indexOf(10, at)
        const end = newline === -1 ? data.length : newline + 1
        framing.line += data.toString('latin1', at, end)
        at = end
        if (newline === -1) return
        const line = framing.line.trim()
        framing.line = ''
        if (framing.state === 'data-end') framing.state = 'size'
        else if (framing.state === 'size') {
          // Hex digits only: parseInt would also take "-5", "0x5" and "5zz".
          const digits = (line.split(';')[0] as string).trim()
          if (!/^[0-9a-fA-F]{1,12}$/.test(digits)) return finish(new Error('malformed chunked response'))
          const size = Number.parseInt(digits, 16)
          if (size === 0) framing.state = 'trailer'
          else {
            framing.state = 'data'
            framing.remaining = size
          }
        } else if (line === '') return finish() // end of trailer
      }
    }

    const onHead = (data: Buffer) => {
      head = Buffer.concat([head as Buffer, data])
      const end = head.indexOf(CRLF2)
      if (end === -1) {
        if (head.length > MAX_HEAD) finish(new Error('the response headers are over 256 KiB'))
        return
      }
      const headText = head.toString('latin1', 0, end)
      const rest = head.subarray(end + 4)
      const [statusLine = '', ...headerLines] = headText.split('\r\n')
      const match = /^HTTP\/(\d\.\d) (\d{3}) ?(.*)$/.exec(statusLine)
      if (match === null) return finish(new Error(`not an HTTP response: ${JSON.stringify(statusLine.slice(0, 80))}`))
      const status = Number(match[2])
      if (status >= 100 && status < 200) {
        head = Buffer.alloc(0)
        return onHead(Buffer.from(rest))
      }
      head = undefined
      const raw: Array<[string, string]> = headerLines.map((line) => {
        const colon = line.indexOf(':')
        return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()]
      })
      const headers = headersFrom(raw)
      const length = headers.get('content-length')
      if (method === 'HEAD' || status === 204 || status === 304) framing = { kind: 'none' }
      else if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
        framing = { kind: 'chunked', state: 'size', remaining: 0, line: '' }
      } else if (length !== null) {
        // Sent twice with one value ("5, 5" once joined) is that value, as node:http takes it.
        const values = new Set(length.split(',').map((value) => value.trim()))
        const [value = ''] = values
        if (values.size !== 1 || !/^\d+$/.test(value)) {
          return finish(new Error(`the response's content-length ${JSON.stringify(length)} is not a number of bytes`))
        }
        framing = { kind: 'length', remaining: Number(value) }
      }
      // Hold the rest until someone reads the body.
      socket.pause()
      let readable: Readable | undefined
      let text: Promise<string> | undefined
      const attach = (to: (view: Buffer) => void): Promise<void> =>
        new Promise<void>((end, fail) => {
          sink = to
          for (const piece of pending) to(piece)
          pending = []
          if (ended) return failure ? fail(failure) : end()
          waiters.push({ end, fail })
          socket.resume()
        })
      const response: NodeResponse = {
        status,
        statusText: match[3] ?? '',
        headers,
        httpVersion: match[1] as string,
        rawHeaders: raw,
        get body() {
          if (readable === undefined) {
            // Destroyed before its end (text() had enough, a pipeline failed): the connection goes too.
            const stream = new Readable({
              read: () => socket.resume(),
              destroy: (error, callback) => {
                finish()
                callback(error)
              },
            })
            readable = stream
            attach((view) => {
              if (!stream.push(Buffer.from(view))) socket.pause()
            }).then(
              () => stream.push(null),
              (error: Error) => stream.destroy(error),
            )
          }
          return readable
        },
        writeTo: (fd, onBytes) =>
          attach((view) => {
            writeAll(fd, view)
            onBytes?.(view.length)
          }),
        text() {
          text ??= textOf(response.body)
          return text
        },
        clone: () => ({ text: () => response.text() }),
      }
      settled = true
      resolve(response)
      bodyBytes(Buffer.from(rest))
      if (framing.kind === 'none' || (framing.kind === 'length' && framing.remaining === 0)) finish()
    }

    const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname
    const socket = connect({
      host,
      port: Number(target.port || 80),
      onread: {
        buffer,
        callback(count: number, data: Uint8Array) {
          const view = Buffer.from(data.buffer, data.byteOffset, count)
          try {
            if (head !== undefined) onHead(view)
            else bodyBytes(view)
          } catch (error) {
            finish(error as Error)
          }
          return !ended
        },
      },
    })
    socket.once('error', (error) => finish(error))
    socket.once('end', () => {
      if (framing.kind === 'length' && framing.remaining > 0) {
        finish(new Error(`the connection closed ${framing.remaining} bytes before the end of the body`))
      } else if (framing.kind === 'chunked') {
        // The last chunk ends the response (finish): a chunked body still open here was cut short.
        finish(new Error('the connection closed before the end of the chunked body'))
      } else finish()
    })
    socket.once('close', () => finish())
    init.signal?.addEventListener('abort', () => finish(init.signal?.reason as Error), { once: true })
    socket.write(lines.join('\r\n'))
    if (payload !== undefined && payload.length > 0) socket.write(payload)
  })
}
