// axios: a request interceptor that signs what axios will send. Imports nothing from axios.
// https://axios-http.com/docs/interceptors
import { InvalidInputError } from '../../errors.js'
import { hasHeader, headerPairsOf } from '../../lib/headers.js'
import { type AdapterOptions, adapterBody, checkAdapterOptions, signForAdapter } from '../signer.js'

// The parts of an axios instance and its request config used here, typed loosely so that any axios 1.x fits.
// biome-ignore lint/suspicious/noExplicitAny: axios's config type is generic and version-specific
type AxiosConfig = any
/** The part of an axios instance the interceptor needs: `axios` itself or `axios.create()`'s result. */
export interface AxiosLike {
  getUri(config?: AxiosConfig): string
}

type Transform = (this: unknown, data: unknown, headers: unknown) => unknown

const WITH_DEFAULT_TYPE = new Set(['post', 'put', 'patch'])

async function signConfig(instance: AxiosLike, options: AdapterOptions, config: AxiosConfig): Promise<AxiosConfig> {
  // axios transforms the body after the interceptors run (objects to JSON, URLSearchParams to text,
  // setting content-type): do it now, so that what is hashed is what is sent.
  let data = config.data
  const transforms: Transform[] = config.transformRequest == null ? [] : [config.transformRequest].flat()
  for (const transform of transforms) data = transform.call(config, data, config.headers)
  config.transformRequest = [(body: unknown) => body]
  const method = String(config.method ?? 'get').toLowerCase()
  if (WITH_DEFAULT_TYPE.has(method) && !hasHeader(config.headers, 'content-type')) {
    // What axios's dispatchRequest does next, signed here.
    if (typeof config.headers?.setContentType === 'function') {
      config.headers.setContentType('application/x-www-form-urlencoded', false)
    }
  }
  const body = await adapterBody(data, options, 'data')
  // axios's Node adapter takes an ArrayBuffer, not a Uint8Array: what a stream was read into goes as one.
  if (body.send !== data) data = (body.send as Uint8Array).buffer
  config.data = data

  const url = instance.getUri(config)
  const pairs = headerPairsOf(config.headers)
  const signed = await signForAdapter(options, {
    url,
    method,
    headers: pairs,
    body: body.hashable,
    payloadHash: body.payloadHash,
  })
  // The URL now carries the query as signed: axios must not add params or a base URL again.
  config.url = signed.url
  config.baseURL = undefined
  config.params = undefined
  const headers = { ...signed.headers }
  if (typeof config.headers?.set === 'function') {
    for (const [name, value] of Object.entries(headers)) config.headers.set(name, value)
  } else config.headers = { ...config.headers, ...headers }
  return config
}

/**
 * An axios request interceptor that signs each request with SigV4: URL (base URL and params
 * included), headers and body exactly as axios sends them. Give it the instance it is added to, which
 * resolves the URL.
 *
 * @example
 * import axios from 'axios'
 * const api = axios.create({ baseURL: 'https://dynamodb.us-east-1.amazonaws.com' })
 * const id = api.interceptors.request.use(createAxiosInterceptor(api, { credentials, region: 'us-east-1', service: 'dynamodb' }))
 */
export function createAxiosInterceptor(
  instance: AxiosLike,
  options: AdapterOptions,
): (config: AxiosConfig) => Promise<AxiosConfig> {
  if (instance == null || typeof instance.getUri !== 'function') {
    throw new InvalidInputError('instance', 'must be axios or an instance from axios.create()')
  }
  checkAdapterOptions(options)
  return (config) => signConfig(instance, options, config)
}
