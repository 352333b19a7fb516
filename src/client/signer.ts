// What the client and every adapter share: the signing options (one list of keys), signing one
// request as an adapter sees it, and the adapters' body handling.
import { InvalidInputError } from '../errors.js'
import { collectBytes, type HashableBody, hashableBody, isAsyncIterable } from '../lib/body.js'
import { typeOf } from '../lib/type-of.js'
import { type CredentialsSource, checkCredentialsSource, resolveCredentials } from '../protocols/credentials-source.js'
import { sign } from '../sign/sign.js'
import type { HeadersInput, SignedRequest, SignOptions } from '../sign/types.js'

export type { CredentialsSource }

/** The options of `sign` that change how requests are signed, settable per client, adapter or request. */
export const SIGNING_KEYS = [
  'normalizePath',
  'doubleEncodePath',
  'contentHashHeader',
  'signSessionToken',
  'unsignedHeaders',
  'keyCache',
  'algorithm',
  'regionSet',
] as const satisfies ReadonlyArray<keyof SignOptions>

/** The options of `sign` that change how requests are signed, settable per client, adapter or request. */
export type SigningOptions = Pick<SignOptions, (typeof SIGNING_KEYS)[number]>

/** Copies the signing options that are set (so that `undefined` never overrides a default). */
export function pickSigningOptions(from: SigningOptions | undefined, into: Partial<SignOptions> = {}): SigningOptions {
  if (from === undefined) return into
  const out = into as Record<string, unknown>
  for (const key of SIGNING_KEYS) if (from[key] !== undefined) out[key] = from[key]
  return into
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
  /** The clock, in milliseconds since the epoch (e.g. corrected for skew). @default Date.now */
  now?: (() => number) | undefined
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
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new InvalidInputError('now', 'must be a function returning milliseconds since the epoch')
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
    body?: HashableBody | undefined
    payloadHash?: string | undefined
  },
): Promise<SignedRequest> {
  const signOptions: SignOptions = {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body as SignOptions['body'],
    service: options.service,
    region: options.region,
    credentials: await resolveCredentials(options.credentials),
  }
  if (request.payloadHash !== undefined) signOptions.payloadHash = request.payloadHash
  if (options.now !== undefined) signOptions.date = new Date(options.now())
  pickSigningOptions(options, signOptions)
  return sign(signOptions)
}

/** A body as an adapter signs and sends it. */
export interface AdapterBody {
  /** What to sign as the body (`undefined`: none, or `payloadHash` stands for it). */
  hashable: HashableBody | undefined
  /** The adapter's `payloadHash`, when it stands for a body that is not hashed. */
  payloadHash: string | undefined
  /** What to send: the body as given, or the bytes a stream was read into. */
  send: unknown
}

/**
 * Bytes and text are hashed; anything else is signed with the adapter's `payloadHash` when it has one;
 * otherwise a stream is read into memory to be hashed, and any other body refused (`field` names it).
 */
export async function adapterBody(body: unknown, options: AdapterOptions, field: string): Promise<AdapterBody> {
  if (body == null) return { hashable: undefined, payloadHash: undefined, send: body }
  const hashable = hashableBody(body)
  if (hashable !== undefined) return { hashable, payloadHash: undefined, send: body }
  if (options.payloadHash !== undefined) return { hashable: undefined, payloadHash: options.payloadHash, send: body }
  if (isAsyncIterable(body)) {
    const bytes = await collectBytes(body)
    return { hashable: bytes, payloadHash: undefined, send: bytes }
  }
  throw new InvalidInputError(
    field,
    `cannot be hashed (${typeOf(body)}): pass a string, bytes or a stream (or payloadHash, e.g. UNSIGNED-PAYLOAD for S3)`,
  )
}
