// got: a `beforeRequest` hook that signs what got will send. got runs its hooks after it has
// serialised `json`/`form` bodies and merged `searchParams`, and again for every retry and redirect,
// so each attempt is signed anew. Imports nothing from got.
// https://github.com/sindresorhus/got/blob/main/documentation/9-hooks.md#beforerequest
import { headerPairsOf } from '../../lib/headers.js'
import { type AdapterOptions, adapterBody, checkAdapterOptions, signForAdapter } from '../signer.js'

/** The parts of got's `Options` the hook reads and writes. */
export interface GotOptionsLike {
  url?: string | URL | undefined
  method: string
  headers: Record<string, string | string[] | undefined>
  body?: unknown
}

/**
 * A got `beforeRequest` hook that signs each request with SigV4: URL (`prefixUrl` and `searchParams`
 * included), headers and body exactly as got sends them. A stream body is read into memory to be
 * hashed unless `payloadHash` is given (`UNSIGNED-PAYLOAD` for S3).
 *
 * @example
 * import got from 'got'
 * const s3 = got.extend({ hooks: { beforeRequest: [createGotHook({ credentials, region: 'us-east-1', service: 's3' })] } })
 * await s3.put('https://bucket.s3.amazonaws.com/key', { body: 'hello' })
 */
export function createGotHook(options: AdapterOptions): (gotOptions: GotOptionsLike) => Promise<void> {
  checkAdapterOptions(options)
  return async (gotOptions) => {
    const body = await adapterBody(gotOptions.body, options, 'body')
    if (body.send !== gotOptions.body) gotOptions.body = body.send
    const pairs = headerPairsOf(gotOptions.headers)
    const signed = await signForAdapter(options, {
      url: String(gotOptions.url),
      method: gotOptions.method,
      headers: pairs,
      body: body.hashable,
      payloadHash: body.payloadHash,
    })
    if (signed.url !== String(gotOptions.url)) gotOptions.url = new URL(signed.url)
    for (const [name, value] of Object.entries(signed.headers)) gotOptions.headers[name] = value
  }
}
