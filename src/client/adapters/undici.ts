// undici: a dispatcher interceptor that signs every request the dispatcher sends, for undici's
// `request`, `fetch`, `stream` and `pipeline` alike. Node-only (undici is); imports nothing from undici.
// https://undici.nodejs.org/#/docs/api/Dispatcher?id=dispatchercomposeinterceptors-interceptor
import { headerPairsOf } from '../../lib/headers.js'
import { uriEncode } from '../../lib/uri.js'
import { type AdapterOptions, adapterBody, checkAdapterOptions, signForAdapter } from '../signer.js'

// undici's dispatch(options, handler) → boolean. Typed loosely so that any undici version's fits.
// biome-ignore lint/suspicious/noExplicitAny: undici's own types vary between versions
type Dispatch = (options: any, handler: any) => boolean

interface DispatchOptions {
  origin?: string | URL
  path: string
  method: string
  headers?: unknown
  body?: unknown
  [key: string]: unknown
}

interface Handler {
  onResponseError?(controller: unknown, error: Error): void
  onError?(error: Error): void
}

/** A query value as node:querystring (which undici uses) writes it: other types are empty. */
function queryValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  ) {
    return String(value)
  }
  return ''
}

/**
 * The path with `request`'s `query` option in it, which undici appends only after the interceptors have
 * run: signed here, it is sent as signed. A path that has a query already is left to undici to refuse.
 */
function pathWithQuery(path: string, query: unknown): string | undefined {
  if (query == null || typeof query !== 'object' || /[?#]/.test(path)) return undefined
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${uriEncode(key)}=${uriEncode(queryValue(v))}`)
  }
  return parts.length === 0 ? path : `${path}?${parts.join('&')}`
}

async function signDispatch(options: AdapterOptions, opts: DispatchOptions): Promise<DispatchOptions> {
  const origin = String(opts.origin ?? '').replace(/\/+$/, '')
  const pairs = headerPairsOf(opts.headers)
  // A stream (undici's fetch always sends one) is read to be hashed, then the bytes are sent.
  const body = await adapterBody(opts.body, options, 'body')
  const withQuery = pathWithQuery(opts.path, opts.query)
  const signed = await signForAdapter(options, {
    url: `${origin}${withQuery ?? opts.path}`,
    method: opts.method,
    headers: pairs,
    body: body.hashable,
    payloadHash: body.payloadHash,
  })
  const url = new URL(signed.url)
  const sent: DispatchOptions = {
    ...opts,
    path: signed.url.slice(url.origin.length),
    headers: signed.headers,
    body: body.send,
  }
  if (withQuery !== undefined) delete sent.query
  return sent
}

function fail(handler: Handler, error: Error): void {
  if (typeof handler.onResponseError === 'function') handler.onResponseError(null, error)
  else handler.onError?.(error)
}

/**
 * An undici interceptor that signs each request with SigV4: host, port, path, query, headers and body
 * exactly as undici sends them. A stream body is read into memory to be hashed unless `payloadHash`
 * is given (`UNSIGNED-PAYLOAD` for S3).
 *
 * Compose it after (inside) a retry interceptor so that each retry is signed anew:
 * `agent.compose(createUndiciInterceptor(options), interceptors.retry())` runs retry first.
 *
 * @example
 * import { Agent, request } from 'undici'
 * const dispatcher = new Agent().compose(createUndiciInterceptor({ credentials, region: 'us-east-1', service: 's3' }))
 * await request('https://bucket.s3.amazonaws.com/key', { dispatcher })
 */
export function createUndiciInterceptor(options: AdapterOptions): <D extends Dispatch>(dispatch: D) => D {
  checkAdapterOptions(options)
  return <D extends Dispatch>(dispatch: D): D =>
    ((opts: DispatchOptions, handler: Handler): boolean => {
      signDispatch(options, opts).then(
        (signed) => {
          try {
            dispatch(signed, handler)
          } catch (error) {
            fail(handler, error as Error)
          }
        },
        (error: Error) => fail(handler, error),
      )
      return true
    }) as D
}
