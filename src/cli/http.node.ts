// The command's transport: a fetch-like function over node:http/node:https that streams request bodies
// (global fetch keeps a streamed body in memory) and hands back the response body as a Node stream.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import type { FetchInit } from '../client/index.js'

/** A response: what the client reads, plus the Node stream of the body and the raw status line. */
export interface NodeResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Headers
  readonly httpVersion: string
  /** Header pairs as received, original case. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>
  readonly body: IncomingMessage
  text(): Promise<string>
  clone(): { text(): Promise<string> }
}

function headersOf(message: IncomingMessage): { headers: Headers; raw: Array<[string, string]> } {
  const headers = new Headers()
  const raw: Array<[string, string]> = []
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) {
    const name = message.rawHeaders[i] as string
    const value = message.rawHeaders[i + 1] as string
    raw.push([name, value])
    try {
      headers.append(name, value)
    } catch {
      // a header fetch's Headers refuses: keep it in `raw` only
    }
  }
  return { headers, raw }
}

function toNodeBody(body: FetchInit['body']): Readable | string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  if (body instanceof URLSearchParams) return body.toString()
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import('node:stream/web').ReadableStream)
  if (typeof (body as unknown as Readable).pipe === 'function') return body as unknown as Readable
  return Readable.from(body as unknown as AsyncIterable<Uint8Array>)
}

/**
 * Sends one request. `host` in `init.headers` (signed) is sent as given; node:http otherwise sets the
 * URL's. Rejects on a connection failure, as fetch does.
 */
export function nodeFetch(url: string, init: FetchInit): Promise<NodeResponse> {
  const target = new URL(url)
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  const body = toNodeBody(init.body)
  return new Promise((resolve, reject) => {
    const request = send(target, { method: init.method, headers: init.headers, signal: init.signal ?? undefined })
    request.once('error', reject)
    request.once('response', (message: IncomingMessage) => {
      const { headers, raw } = headersOf(message)
      let text: Promise<string> | undefined
      const readText = () => {
        text ??= (async () => {
          const chunks: Buffer[] = []
          for await (const chunk of message) chunks.push(chunk as Buffer)
          return Buffer.concat(chunks).toString('utf8')
        })()
        return text
      }
      resolve({
        status: message.statusCode ?? 0,
        statusText: message.statusMessage ?? '',
        headers,
        httpVersion: message.httpVersion,
        rawHeaders: raw,
        body: message,
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
