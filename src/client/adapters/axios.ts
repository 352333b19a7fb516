// axios: a request interceptor that signs what axios will send. Imports nothing from axios.
// https://axios-http.com/docs/interceptors
import { InvalidInputError } from '../../errors.js'
import { isStreamBody } from '../body.js'
import {
  type AdapterOptions,
  checkAdapterOptions,
  collectBytes,
  headerPairsOf,
  headersToSend,
  signForAdapter,
} from '../signer.js'

// The parts of an axios instance and its request config used here, typed loosely so that any axios 1.x fits.
// biome-ignore lint/suspicious/noExplicitAny: axios's config type is generic and version-specific
type AxiosConfig = any
/** The parts of an axios instance the interceptor needs: `axios` itself or `axios.create()`'s result. */
export interface AxiosLike {
  getUri(config?: AxiosConfig): string
  interceptors: { request: { use(onFulfilled: (config: AxiosConfig) => AxiosConfig | Promise<AxiosConfig>): number } }
}

type Transform = (this: unknown, data: unknown, headers: unknown) => unknown

const WITH_DEFAULT_TYPE = new Set(['post', 'put', 'patch'])

function headerNames(headers: AxiosConfig): string[] {
  const json = typeof headers?.toJSON === 'function' ? headers.toJSON() : headers
  return json == null ? [] : Object.keys(json)
}

async function signConfig(instance: AxiosLike, options: AdapterOptions, config: AxiosConfig): Promise<AxiosConfig> {
  // axios transforms the body after the interceptors run (objects to JSON, URLSearchParams to text,
  // setting content-type): do it now, so that what is hashed is what is sent.
  let data = config.data
  const transforms: Transform[] = config.transformRequest == null ? [] : [config.transformRequest].flat()
  for (const transform of transforms) data = transform.call(config, data, config.headers)
  config.transformRequest = [(body: unknown) => body]
  const method = String(config.method ?? 'get').toLowerCase()
  if (WITH_DEFAULT_TYPE.has(method) && !headerNames(config.headers).some((n) => n.toLowerCase() === 'content-type')) {
    // What axios's dispatchRequest does next, signed here.
    if (typeof config.headers?.setContentType === 'function') {
      config.headers.setContentType('application/x-www-form-urlencoded', false)
    }
  }
  let hashable: string | Uint8Array | undefined
  let payloadHash: string | undefined
  if (data == null) hashable = undefined
  else if (typeof data === 'string' || data instanceof Uint8Array) hashable = data
  else if (data instanceof ArrayBuffer) hashable = new Uint8Array(data)
  else if (ArrayBuffer.isView(data)) hashable = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  else if (options.payloadHash !== undefined) payloadHash = options.payloadHash
  else if (isStreamBody(data) && typeof data[Symbol.asyncIterator] === 'function') {
    hashable = await collectBytes(data)
    data = hashable.buffer // axios's Node adapter takes an ArrayBuffer, not a Uint8Array
  } else {
    throw new InvalidInputError(
      'data',
      'cannot be hashed: pass a string, bytes or a stream (or payloadHash, e.g. UNSIGNED-PAYLOAD for S3)',
    )
  }
  config.data = data

  const url = instance.getUri(config)
  const pairs = headerPairsOf(typeof config.headers?.toJSON === 'function' ? config.headers.toJSON() : config.headers)
  const signed = await signForAdapter(options, { url, method, headers: pairs, body: hashable, payloadHash })
  // The URL now carries the query as signed: axios must not add params or a base URL again.
  config.url = signed.url
  config.baseURL = undefined
  config.params = undefined
  const headers = headersToSend(signed, pairs)
  if (typeof config.headers?.set === 'function') {
    for (const [name, value] of Object.entries(headers)) config.headers.set(name, value)
  } else config.headers = { ...config.headers, ...headers }
  return config
}

/**
 * Adds a request interceptor to an axios instance that signs each request with SigV4: URL (base URL
 * and params included), headers and body exactly as axios sends them. Returns the interceptor's id,
 * for `instance.interceptors.request.eject(id)`.
 *
 * @example
 * import axios from 'axios'
 * const api = axios.create({ baseURL: 'https://dynamodb.us-east-1.amazonaws.com' })
 * addAwsigInterceptor(api, { credentials, region: 'us-east-1', service: 'dynamodb' })
 */
export function addAwsigInterceptor(instance: AxiosLike, options: AdapterOptions): number {
  if (instance == null || typeof instance.getUri !== 'function') {
    throw new InvalidInputError('instance', 'must be axios or an instance from axios.create()')
  }
  checkAdapterOptions(options)
  return instance.interceptors.request.use((config) => signConfig(instance, options, config))
}
