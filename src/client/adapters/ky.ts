// ky: a `beforeRequest` hook that signs the `Request` ky is about to send. ky runs it for every
// retry, so each attempt is signed anew. Universal, like ky; imports nothing from ky.
// https://github.com/sindresorhus/ky#hooksbeforerequest
import { headerPairsOf } from '../../lib/headers.js'
import { type AdapterOptions, checkAdapterOptions, signForAdapter } from '../signer.js'

/**
 * A ky `beforeRequest` hook that signs each request with SigV4: URL (`prefixUrl` and `searchParams`
 * included), headers and body exactly as ky sends them. The body is read from a clone of the request
 * to be hashed, unless `payloadHash` is given (`UNSIGNED-PAYLOAD` for S3), which leaves streams alone.
 *
 * @example
 * import ky from 'ky'
 * const dynamo = ky.create({ hooks: { beforeRequest: [createKyHook({ credentials, region: 'us-east-1', service: 'dynamodb' })] } })
 */
export function createKyHook(options: AdapterOptions): (request: Request) => Promise<Request | undefined> {
  checkAdapterOptions(options)
  return async (request) => {
    let body: Uint8Array | undefined
    let payloadHash: string | undefined
    if (request.body !== null) {
      if (options.payloadHash !== undefined) payloadHash = options.payloadHash
      else body = new Uint8Array(await request.clone().arrayBuffer())
    }
    const pairs = headerPairsOf(request.headers)
    const signed = await signForAdapter(options, {
      url: request.url,
      method: request.method,
      headers: pairs,
      body,
      payloadHash,
    })
    const headers = { ...signed.headers }
    if (signed.url === request.url) {
      for (const [name, value] of Object.entries(headers)) request.headers.set(name, value)
      return undefined
    }
    // The signed encoding of the path differs from the WHATWG one (S3 keys with `'`, `(`...): send ours.
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers,
      signal: request.signal,
      redirect: request.redirect,
      credentials: request.credentials,
      cache: request.cache,
      keepalive: request.keepalive,
    }
    if (body !== undefined) init.body = body as Uint8Array<ArrayBuffer>
    else if (request.body !== null) {
      init.body = request.body
      init.duplex = 'half'
    }
    return new Request(signed.url, init)
  }
}
