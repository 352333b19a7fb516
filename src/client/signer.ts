// What the client and every adapter share: credentials from a value or a provider, signing options.
import { InvalidInputError } from '../errors.js'
import { typeOf } from '../sign/request.js'
import { sign } from '../sign/sign.js'
import type { Credentials, HeadersInput, SignedRequest, SignOptions } from '../sign/types.js'

/**
 * Credentials, or a provider that returns them (every `awsig/credentials` provider is one). A provider
 * is called for every attempt: wrap it in `cached()` so that it fetches only when they expire.
 */
export type CredentialsSource = Credentials | (() => Credentials | Promise<Credentials>)

/** The options of `sign` that change how requests are signed, settable per client, adapter or request. */
export type SigningOptions = Pick<
  SignOptions,
  'normalizePath' | 'doubleEncodePath' | 'contentHashHeader' | 'signSessionToken' | 'unsignedHeaders' | 'keyCache'
>

const SIGNING_KEYS = [
  'normalizePath',
  'doubleEncodePath',
  'contentHashHeader',
  'signSessionToken',
  'unsignedHeaders',
  'keyCache',
] as const

/** Copies the signing options that are set (so that `undefined` never overrides a default). */
export function pickSigningOptions(from: SigningOptions | undefined, into: Partial<SignOptions> = {}): SigningOptions {
  if (from === undefined) return into
  const out = into as Record<string, unknown>
  for (const key of SIGNING_KEYS) if (from[key] !== undefined) out[key] = from[key]
  return into
}

export function checkCredentialsSource(source: unknown, field = 'credentials'): CredentialsSource {
  if (typeof source === 'function') return source as CredentialsSource
  if (source !== null && typeof source === 'object') return source as Credentials
  throw new InvalidInputError(field, `must be credentials or a function that returns them, got ${typeOf(source)}`)
}

export async function resolveCredentials(source: CredentialsSource): Promise<Credentials> {
  return typeof source === 'function' ? await source() : source
}

/** What every adapter needs to sign: who, where, and how. */
export interface AdapterOptions extends SigningOptions {
  /** Credentials or a provider; a provider is called for every request. */
  credentials: CredentialsSource
  /** e.g. `us-east-1`. */
  region: string
  /** Signing name of the service, e.g. `s3`, `dynamodb`. */
  service: string
  /**
   * Payload hash to sign for bodies that are streams (`UNSIGNED-PAYLOAD` where the service allows it, as
   * S3 does). Without it a stream body is read into memory to be hashed, or refused where it cannot be.
   */
  payloadHash?: string | undefined
  /** Clock for the signature, e.g. corrected for skew. @default () => new Date() */
  now?: (() => Date) | undefined
}

export function checkAdapterOptions(options: AdapterOptions): AdapterOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  checkCredentialsSource(options.credentials)
  if (typeof options.region !== 'string' || options.region === '') {
    throw new InvalidInputError('region', 'must be a region name such as us-east-1')
  }
  if (typeof options.service !== 'string' || options.service === '') {
    throw new InvalidInputError('service', 'must be a signing name such as s3 or dynamodb')
  }
  return options
}

/** Signs one request as an adapter sees it. */
export async function signForAdapter(
  options: AdapterOptions,
  request: {
    url: string | URL
    method: string
    headers: HeadersInput
    body?: string | Uint8Array | URLSearchParams | undefined
    payloadHash?: string | undefined
  },
): Promise<SignedRequest> {
  const signOptions: SignOptions = {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body as string | Uint8Array | undefined,
    service: options.service,
    region: options.region,
    credentials: await resolveCredentials(options.credentials),
  }
  if (request.payloadHash !== undefined) signOptions.payloadHash = request.payloadHash
  if (options.now !== undefined) signOptions.date = options.now()
  pickSigningOptions(options, signOptions)
  return sign(signOptions)
}

/** Collects an async iterable of chunks (a Node stream, undici's fetch body) into one buffer. */
export async function collectBytes(body: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  const encoder = new TextEncoder()
  for await (const chunk of body) {
    const bytes =
      typeof chunk === 'string'
        ? encoder.encode(chunk)
        : chunk instanceof Uint8Array
          ? chunk
          : ArrayBuffer.isView(chunk)
            ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
            : new Uint8Array(chunk as ArrayBuffer)
    chunks.push(bytes)
    size += bytes.byteLength
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * Header pairs from any shape HTTP clients use: a record (array values repeat the header), a flat
 * `[name, value, name, value]` array (undici), `[name, value]` pairs, or `Headers`. `undefined`, `null`
 * and `false` values (axios's way of removing a header) are left out.
 */
export function headerPairsOf(input: unknown): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  const add = (name: unknown, value: unknown) => {
    if (value === undefined || value === null || value === false) return
    if (Array.isArray(value)) for (const v of value) add(name, v)
    else pairs.push([String(name), typeof value === 'string' ? value : String(value)])
  }
  if (input == null) return pairs
  if (Array.isArray(input)) {
    if (input.length > 0 && !Array.isArray(input[0])) {
      // undici's flat form; names and values may be Buffers.
      for (let i = 0; i + 1 < input.length; i += 2) add(String(input[i]), String(input[i + 1]))
    } else for (const entry of input as unknown[][]) add(entry[0], entry[1])
  } else if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of input as Iterable<[unknown, unknown]>) add(name, value)
  } else if (typeof input === 'object') {
    for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
      if (typeof value !== 'function') add(name, value)
    }
  }
  return pairs
}

/**
 * The headers to send after signing: `sign` leaves `host` out (clients set it), but a `host` the caller
 * gave was signed and must be sent.
 */
export function headersToSend(
  signed: SignedRequest,
  pairs: ReadonlyArray<readonly [string, string]>,
): Record<string, string> {
  const host = pairs.find(([name]) => name.toLowerCase() === 'host')
  return host === undefined ? signed.headers : { host: host[1], ...signed.headers }
}
