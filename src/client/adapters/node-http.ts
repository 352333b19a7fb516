// node:http / node:https: the options to pass to `http.request` with the signature in the headers.
// Node-only in spirit (the options are node:http's); imports nothing from Node, not even types.
import { headerPairsOf } from '../../lib/headers.js'
import { type AdapterOptions, checkAdapterOptions, signForAdapter } from '../signer.js'

/** node:http's `OutgoingHttpHeaders`, structurally. */
export type OutgoingHttpHeaders = Readonly<Record<string, number | string | readonly string[] | undefined>>

/** A request to sign for `http.request` / `https.request`. */
export interface NodeHttpRequest {
  /** Absolute `http:` or `https:` URL, query included. */
  url: string | URL
  /** @default 'GET' */
  method?: string | undefined
  /** node:http style headers (`OutgoingHttpHeaders`), pairs or `Headers`. */
  headers?: OutgoingHttpHeaders | Iterable<readonly [string, string]> | Headers | undefined
  /** The body you will write with `req.end(body)`; a stream needs `payloadHash`. */
  body?: string | Uint8Array | undefined
  /** Payload hash to sign instead of hashing `body` (a stream you will pipe: `UNSIGNED-PAYLOAD` for S3). */
  payloadHash?: string | undefined
}

/** Options for `http.request` / `https.request`: the URL's parts and every header to send, `host` included. */
export interface NodeHttpRequestOptions {
  protocol: 'http:' | 'https:'
  hostname: string
  port: number | undefined
  /** Path and query, encoded exactly as signed. */
  path: string
  method: string
  headers: Record<string, string>
}

/**
 * Returns a function that signs a request for node:http or node:https. The `host` header it returns is
 * the one it signed, so Node sends exactly that.
 *
 * @example
 * import https from 'node:https'
 * const signRequest = createNodeHttpSigner({ credentials, region: 'us-east-1', service: 's3' })
 * const options = await signRequest({ url: 'https://bucket.s3.amazonaws.com/key', method: 'PUT', body })
 * https.request(options, (res) => { ... }).end(body)
 */
export function createNodeHttpSigner(
  options: AdapterOptions,
): (request: NodeHttpRequest) => Promise<NodeHttpRequestOptions> {
  checkAdapterOptions(options)
  return async (request) => {
    const pairs = headerPairsOf(request.headers)
    const signed = await signForAdapter(options, {
      url: request.url,
      method: request.method ?? 'GET',
      headers: pairs,
      body: request.body,
      payloadHash: request.payloadHash,
    })
    const url = new URL(signed.url)
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
    const headers = { ...signed.headers }
    if (headers.host === undefined) headers.host = url.host
    return {
      protocol: url.protocol as 'http:' | 'https:',
      hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: signed.url.slice(url.origin.length),
      method: signed.method,
      headers,
    }
  }
}
