// What verification reads from a received request, whatever it arrived as: a WHATWG Request (Node, Bun,
// Deno, Workers, Hono), a Node IncomingMessage, or a plain description like the one `sign` takes.
import type { StreamSource } from '../chunked/source.js'
import { InvalidInputError, VerificationError } from '../errors.js'
import { typeOf } from '../lib/type-of.js'
import { collectHeaders, type ParsedUrl, parseUrl } from '../sign/request.js'
import type { HeadersInput } from '../sign/types.js'

/**
 * A Node `http.IncomingMessage` (or anything shaped like one): read as it is, with its raw path (dot
 * segments kept, as S3 keys need) and its raw headers (repeated headers kept apart).
 */
export interface IncomingMessageLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined
  /** The request target, e.g. `/bucket/key?list-type=2`. */
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
  /** Names and values alternating, as received. */
  rawHeaders: string[]
  socket?: { encrypted?: boolean } | null | undefined
  /** 2 for HTTP/2 requests, whose body is not announced by headers. */
  httpVersionMajor?: number | undefined
}

/** A request described as `sign` takes one: for tests, proxies and anything that is not a Request. */
export interface RequestDescription {
  /** @default 'GET' */
  method?: string | undefined
  /** Absolute URL, query included, path as sent (dot segments kept). */
  url: string | URL
  /** Headers as received; `host` defaults to the URL's. */
  headers?: HeadersInput | undefined
  /** The body as received, if any. */
  body?: StreamSource | string | null | undefined
}

/** What `verifyRequest` accepts. */
export type VerifiableRequest = Request | IncomingMessageLike | RequestDescription

/** The parts of a received request that verification needs, validated. */
export interface ReceivedRequest {
  method: string
  url: ParsedUrl
  headers: Map<string, string[]>
  /** The body, or `null` when the request has none. */
  body: StreamSource | null
}

const encoder = new TextEncoder()

const isIncomingMessage = (value: object): value is IncomingMessageLike =>
  Array.isArray((value as IncomingMessageLike).rawHeaders) && typeof (value as IncomingMessageLike).url === 'string'

const isRequest = (value: object): value is Request =>
  typeof (value as Request).url === 'string' &&
  typeof (value as Request).headers?.get === 'function' &&
  'body' in value &&
  typeof (value as Request).arrayBuffer === 'function'

/** A hostile request must give a typed verification error, not an input error: wrap what parsing throws. */
function received<T>(what: string, parse: () => T): T {
  try {
    return parse()
  } catch (cause) {
    if (cause instanceof InvalidInputError) {
      throw new VerificationError('ERR_INVALID_REQUEST', `the request's ${what} cannot be read: ${cause.message}`, {
        cause,
      })
    }
    throw cause
  }
}

/** Reads `request` into a {@link ReceivedRequest}. Throws for what cannot be a request at all. */
export function readRequest(request: VerifiableRequest): ReceivedRequest {
  if (request === null || typeof request !== 'object') {
    throw new InvalidInputError(
      'request',
      `must be a Request, an IncomingMessage or { method, url, headers }, got ${typeOf(request)}`,
    )
  }
  if (isIncomingMessage(request)) {
    const raw = request.rawHeaders
    const pairs: Array<[string, string]> = []
    let authority: string | undefined
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i] as string
      // HTTP/2 (node:http2's compatibility API): pseudo-headers are not headers; `:authority` is the host.
      if (name.startsWith(':')) {
        if (name === ':authority') authority = raw[i + 1]
      } else pairs.push([name, raw[i + 1] as string])
    }
    const headers = received('headers', () => collectHeaders(pairs))
    if (!headers.has('host') && authority !== undefined) headers.set('host', [authority])
    const host = headers.get('host')?.[0]
    if (host === undefined) throw new VerificationError('ERR_INVALID_REQUEST', 'the request has no Host header')
    const scheme = request.socket?.encrypted ? 'https' : 'http'
    const target = request.url as string
    if (!target.startsWith('/')) {
      throw new VerificationError('ERR_INVALID_REQUEST', 'the request target is not a path (absolute-form or *)')
    }
    const url = received('URL', () => parseUrl(`${scheme}://${host}${target}`))
    // HTTP/1.1: no Content-Length and no Transfer-Encoding means no body. HTTP/2 frames say it instead.
    const hasBody = headers.has('content-length')
      ? headers.get('content-length')?.[0] !== '0'
      : headers.has('transfer-encoding') || authority !== undefined || (request.httpVersionMajor ?? 1) >= 2
    return { method: (request.method ?? 'GET').toUpperCase(), url, headers, body: hasBody ? toBytes(request) : null }
  }
  if (isRequest(request)) {
    const headers = received('headers', () => collectHeaders(request.headers))
    const url = received('URL', () => parseUrl(request.url))
    return { method: request.method.toUpperCase(), url, headers, body: request.body }
  }
  const description = request as RequestDescription
  const url = received('URL', () => parseUrl(description.url))
  const headers = received('headers', () => collectHeaders(description.headers))
  const body = description.body
  return {
    method: (description.method ?? 'GET').toUpperCase(),
    url,
    headers,
    body: body === undefined || body === null ? null : typeof body === 'string' ? encoder.encode(body) : body,
  }
}

/** A Node Readable gives Buffers (or strings when an encoding is set): make them bytes. */
async function* toBytes(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const piece of source) yield typeof piece === 'string' ? encoder.encode(piece) : piece
}
