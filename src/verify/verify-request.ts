// verifyRequest: checks a received request's SigV4 (or SigV4a) signature as strictly as AWS does, by
// rebuilding its canonical request with the very code that signs, then verifies its body as it streams.
import { sha256Hex } from '#crypto'
import { CHECKSUM_ALGORITHMS } from '../chunked/checksum.js'
import { decodeChunked } from '../chunked/decode-chunked.js'
import type { StreamSource } from '../chunked/source.js'
import { InvalidInputError, StreamError, VerificationError } from '../errors.js'
import { type EventMessageInput, encodeEventMessage } from '../event-stream/codec.js'
import { verifyEventStream } from '../event-stream/verify.js'
import { timingSafeEqualHex } from '../lib/hex.js'
import { redactTokens } from '../lib/redact.js'
import { typeOf } from '../lib/type-of.js'
import { normalizePath } from '../lib/uri.js'
import { type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { canonicalRequest } from '../sign/canonical.js'
import {
  EMPTY_SHA256,
  Q_SECURITY_TOKEN,
  S3_SIGNING_NAMES,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  streamingEvents,
  streamingPayload,
  streamingPayloadTrailer,
  UNSIGNED_PAYLOAD,
  X_AMZ_CONTENT_SHA256,
  X_AMZ_DECODED_CONTENT_LENGTH,
  X_AMZ_TRAILER,
} from '../sign/constants.js'
import { defaultKeyCache, type SigningKeyCache } from '../sign/key-cache.js'
import { canonicalPath } from '../sign/request.js'
import { stringToSign } from '../sign/sign.js'
import type { Credentials } from '../sign/types.js'
import { type Authorization, readAuthorization } from './authorization.js'
import { contentMismatch, hashCheckedStream, iterableStream, readWhole, tooLarge, toReadableStream } from './body.js'
import { type ReceivedRequest, readRequest, type VerifiableRequest } from './input.js'

/** The secret (and session token, for temporary credentials) behind an access key id. */
export interface VerificationCredentials {
  readonly secretAccessKey: string
  /** When set, the request must carry exactly this token, signed (see `requireSignedSessionToken`). */
  readonly sessionToken?: string | undefined
}

/** What the `credentials` lookup is told besides the access key id. */
export interface CredentialsLookupContext {
  /** The session token the request carries, if any. */
  sessionToken: string | undefined
  /** Signing name of the credential scope. */
  service: string
  /** Region of the credential scope (`''` for SigV4a). */
  region: string
}

/** Answers the secret for an access key id, or `undefined` when the key is unknown. */
export type CredentialsLookup = (
  accessKeyId: string,
  context: CredentialsLookupContext,
) => VerificationCredentials | undefined | null | Promise<VerificationCredentials | undefined | null>

export interface VerifyRequestOptions {
  /**
   * The secret behind an access key id: a lookup function, or a fixed list of credentials (tests, mocks).
   * Answer `undefined` for an unknown key (`ERR_UNKNOWN_ACCESS_KEY`, `InvalidAccessKeyId`).
   */
  credentials: CredentialsLookup | Credentials | readonly Credentials[]
  /** The signing name the scope must carry (or any of a list). @default any */
  service?: string | readonly string[] | undefined
  /**
   * The region the scope must carry (or any of a list). SigV4a region sets must include it (`*` and
   * `us-*` patterns match). @default any
   */
  region?: string | readonly string[] | undefined
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
  /** Accepted algorithms, chosen by the id the request names. Add `sigv4a` from `awsig/sigv4a` to accept SigV4a. @default [sigv4] */
  algorithms?: readonly SigningAlgorithm[] | undefined
  /** How far `x-amz-date` may be from now (header auth), and before now a presigned URL may start. @default 900 (15 minutes, as AWS) */
  maxClockSkew?: number | undefined
  /**
   * Replay protection: called once a signature has verified, with the time until which the same request
   * would verify again. Answer `true` if it was seen before (`ERR_REPLAYED`). See `createReplayCache`.
   * A SigV4a (ECDSA) signature is given in its low-s form: its twin (r, n - s) verifies too, and is the same.
   * @default none
   */
  replay?: ((signature: string, validUntil: number) => boolean | Promise<boolean>) | undefined
  /**
   * Signing rules for paths: remove dot segments and duplicate slashes before signing.
   * @default !S3_SIGNING_NAMES.has(service) (as `sign`)
   */
  normalizePath?: boolean | undefined
  /** Encode the path once more in the canonical request. @default !S3_SIGNING_NAMES.has(service) (as `sign`) */
  doubleEncodePath?: boolean | undefined
  /**
   * Services other than S3 send no `x-amz-content-sha256`: the body is then read whole to compute its hash
   * before the signature can be checked. Larger bodies are refused (`EntityTooLarge`).
   * @default 16 MiB
   */
  maxBufferedBody?: number | undefined
  /**
   * Largest aws-chunked chunk accepted, which bounds the memory one request takes.
   * @default 16 MiB for signed chunks, 64 MiB for `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (SDKs send a whole
   * in-memory body as one chunk)
   */
  maxChunkSize?: number | undefined
  /** Where derived signing keys are cached; `null` disables caching. @default defaultKeyCache */
  keyCache?: SigningKeyCache | null | undefined
  /**
   * `false` accepts a session token sent but not signed (added after signing, as AWS IoT asks of its
   * clients): the `x-amz-security-token` header outside `SignedHeaders`, or `X-Amz-Security-Token` appended
   * to a presigned URL after its signature. The token must still be the one issued with the key.
   * @default true
   */
  requireSignedSessionToken?: boolean | undefined
}

/** A request whose signature verified. Read `body` to the end before trusting it. */
export interface VerifiedRequest {
  accessKeyId: string
  /** The algorithm id: `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256`. */
  algorithm: string
  service: string
  /** Region of the credential scope (SigV4); `undefined` for SigV4a. */
  region: string | undefined
  /** SigV4a: the signed region set. */
  regionSet: string[] | undefined
  /** Lower-case names of the signed headers. */
  signedHeaders: string[]
  /**
   * The path the signature covers, percent-encoded as sent: for services other than S3, with dot segments
   * and empty segments resolved, as the client signed it. `/admin/../public/x` verifies with a signature
   * for `/public/x`, so route on this path, not on the raw request target.
   */
  path: string
  /** Whether the signature came in the query string. */
  presigned: boolean
  /** Presigned: when the URL stops being valid. */
  expiresAt: Date | undefined
  /** The signing time. */
  date: Date
  /**
   * The signature, lower-case hex, as sent. Not a replay key for SigV4a: an ECDSA signature has a twin that
   * verifies too; use the `replay` hook, which gets one form of both.
   */
  signature: string
  /** Whether the request carried a session token (which matched the credentials'). */
  sessionToken: boolean
  /** Hex SHA-256, `UNSIGNED-PAYLOAD` or a `STREAMING-*` value. */
  payloadHash: string
  /**
   * The payload, decoded (aws-chunked) and verified as it streams, or `null` when the request has none.
   * It errors with a {@link VerificationError} instead of ending when the body does not verify: a chunk's
   * bytes come only after its signature verified; the hash, trailer and checksum are checked at the end.
   */
  body: ReadableStream<Uint8Array> | null
  /** aws-chunked trailing headers (`x-amz-checksum-*`...), once `body` has been read to its end. */
  readonly trailers: Readonly<Record<string, string>>
}

const DEFAULT_SKEW = 15 * 60 // 15 min, AWS's limit
const DEFAULT_MAX_BUFFERED = 16 * 1024 * 1024 // 16 MiB
const MAX_SIGNED_CHUNK = 16 * 1024 * 1024 // 16 MiB
const MAX_UNSIGNED_CHUNK = 64 * 1024 * 1024 // 64 MiB
const HEX_SHA256 = /^[0-9a-f]{64}$/
const NO_TRAILERS: Readonly<Record<string, string>> = Object.freeze({})
const EMPTY = new Uint8Array(0)
/**
 * Verifies a signed request: its `Authorization` header or presigned query (SigV4; SigV4a with
 * `algorithms`), time, scope, credentials and session token, then its body as it streams.
 * Throws a {@link VerificationError} whose `status` and `awsCode` are what AWS would answer.
 *
 * @example
 * const verified = await verifyRequest(request, {
 *   credentials: async (accessKeyId) => users.get(accessKeyId),
 *   service: 's3',
 *   region: 'us-east-1',
 * })
 * const bytes = new Uint8Array(await new Response(verified.body).arrayBuffer()) // throws if the body fails
 */
export async function verifyRequest(
  request: VerifiableRequest,
  options: VerifyRequestOptions,
): Promise<VerifiedRequest> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const lookup = credentialsLookup(options.credentials)
  const algorithms = options.algorithms ?? [sigv4]
  const skew = checkSeconds('maxClockSkew', options.maxClockSkew, DEFAULT_SKEW) * 1000
  const maxBuffered = checkSeconds('maxBufferedBody', options.maxBufferedBody, DEFAULT_MAX_BUFFERED)
  const now = options.now === undefined ? Date.now() : options.now()
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new InvalidInputError('now', 'must return milliseconds since the epoch')

  const received = readRequest(request)
  const auth = readAuthorization(received, algorithms)
  checkScope(auth, options)
  checkTime(auth, now, skew)

  // The payload hash the client signed.
  const contentHash = received.headers.get(X_AMZ_CONTENT_SHA256)
  const s3 = S3_SIGNING_NAMES.has(auth.service)
  let payloadHash: string | undefined
  if (contentHash !== undefined) {
    if (contentHash.length !== 1) throw invalid('more than one x-amz-content-sha256 header', 'InvalidArgument')
    payloadHash = contentHash[0] as string
    if (!HEX_SHA256.test(payloadHash) && payloadHash !== UNSIGNED_PAYLOAD && !payloadHash.startsWith('STREAMING-')) {
      throw invalid(
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a lower-case hex SHA-256',
        'InvalidArgument',
      )
    }
  } else if (auth.presigned && s3) payloadHash = UNSIGNED_PAYLOAD
  else if (s3) throw invalid('missing required header for this request: x-amz-content-sha256')

  let found = lookup(auth.accessKeyId, { sessionToken: auth.sessionToken, service: auth.service, region: auth.region })
  if (found instanceof Promise) found = await found
  const secret = credentialsFor(found, auth, options.requireSignedSessionToken !== false)
  let body = received.body
  if (payloadHash === undefined) {
    // Not S3: the signature covers the body's hash, which only the body itself can give.
    const bytes = body === null ? EMPTY : body instanceof Uint8Array ? body : await readWhole(body, maxBuffered)
    if (bytes.length > maxBuffered) throw tooLarge(maxBuffered)
    let hash = bytes.length === 0 ? EMPTY_SHA256 : sha256Hex(bytes)
    if (typeof hash !== 'string') hash = await hash
    payloadHash = hash
    body = bytes.length === 0 ? null : bytes
  }
  // A body here in full (a description's bytes) is checked at once, once the signature has verified.
  let wholeBodyMatches: boolean | undefined
  if (contentHash !== undefined && body instanceof Uint8Array && HEX_SHA256.test(payloadHash)) {
    let hash = body.length === 0 ? EMPTY_SHA256 : sha256Hex(body)
    if (typeof hash !== 'string') hash = await hash
    wholeBodyMatches = timingSafeEqualHex(hash, payloadHash)
  }
  let rebuilt = rebuild(received, auth, payloadHash, options)
  if (rebuilt instanceof Promise) rebuilt = await rebuilt
  const { canonical, stringToSign } = rebuilt
  const path = normalizes(auth, options) ? normalizePath(received.url.path) : received.url.path
  const keyCache = options.keyCache === undefined ? defaultKeyCache : options.keyCache
  let key = auth.algorithm.key(secret, auth.day, auth.region, auth.service, keyCache)
  if (key instanceof Promise) key = await key
  let valid = auth.algorithm.verify(key, stringToSign, auth.signature)
  if (valid instanceof Promise) valid = await valid
  if (!valid && auth.presigned && auth.sessionToken !== undefined && options.requireSignedSessionToken === false) {
    // The token may have been appended after signing: the signed query is then everything else.
    const withoutToken = { ...auth, signedQuery: auth.signedQuery.filter(([name]) => name !== Q_SECURITY_TOKEN) }
    valid = await auth.algorithm.verify(
      key,
      (await rebuild(received, withoutToken, payloadHash, options)).stringToSign,
      auth.signature,
    )
  }
  if (!valid) {
    throw new VerificationError(
      'ERR_SIGNATURE_MISMATCH',
      'the request signature we calculated does not match the signature provided: check the key and signing method',
      // The session token is a credential: it never goes into an error.
      { canonicalRequest: redactTokens(canonical), stringToSign, accessKeyId: auth.accessKeyId },
    )
  }
  if (options.replay !== undefined) {
    const validUntil = auth.presigned ? auth.time + (auth.expires as number) * 1000 : auth.time + skew
    // An ECDSA signature has a twin that verifies too: the hook sees one form of both.
    const signature = auth.algorithm.canonicalSignature?.(auth.signature) ?? auth.signature
    if (await options.replay(signature, validUntil)) {
      throw new VerificationError('ERR_REPLAYED', 'this signed request was already received', {
        accessKeyId: auth.accessKeyId,
      })
    }
  }

  if (payloadHash === streamingEvents(auth.algorithm.id)) {
    // Signed event stream: each message is released once its signature checks out; the body is the
    // inner messages, encoded (read them with decodeEventStream).
    const messages = verifyEventStream(body ?? EMPTY, {
      algorithm: auth.algorithm,
      key,
      scope: auth.scope,
      seed: auth.signature,
      amzDate: auth.amzDate,
      // A stream may outlive its day (Transcribe's run for hours): later messages use their own day's key.
      keyForDay: (day) => auth.algorithm.key(secret, day, auth.region, auth.service, keyCache),
    })
    return verified(auth, path, payloadHash, () => iterableStream(encoded(messages)), noTrailers)
  }
  if (payloadHash.startsWith('STREAMING-')) {
    const decoded = decodeBody(received, auth, key, payloadHash, body, options)
    return verified(
      auth,
      path,
      payloadHash,
      () => iterableStream(decoded),
      () => decoded.trailers,
    )
  }
  if (wholeBodyMatches === false) throw contentMismatch()
  const source = body
  if (source === null) {
    if (payloadHash !== EMPTY_SHA256 && payloadHash !== UNSIGNED_PAYLOAD) throw contentMismatch()
    return verified(auth, path, payloadHash, () => null, noTrailers)
  }
  // Nothing left to check when the payload is unsigned, or its hash was computed from (or checked
  // against) the whole body above; otherwise the body is hashed as it streams. The stream is made when
  // `body` is first read: a caller that ignores the body pays nothing for it.
  const checked = payloadHash === UNSIGNED_PAYLOAD || contentHash === undefined || wholeBodyMatches === true
  const hash = payloadHash
  return verified(
    auth,
    path,
    payloadHash,
    () => (checked ? toReadableStream(source) : hashCheckedStream(source, hash)),
    noTrailers,
  )
}

const noTrailers = () => NO_TRAILERS

async function* encoded(messages: AsyncIterable<EventMessageInput>): AsyncGenerator<Uint8Array> {
  try {
    // A decoded message's `types` make encoding give back the very bytes that were signed.
    for await (const message of messages) yield encodeEventMessage(message)
  } catch (error) {
    // Broken framing (an EventStreamError) is a bad request, answered as S3 answers malformed bodies.
    if (error instanceof VerificationError || error instanceof StreamError) throw error
    throw new VerificationError('ERR_INVALID_REQUEST', `event stream: ${(error as Error).message}`, { cause: error })
  }
}

function verified(
  auth: Authorization,
  path: string,
  payloadHash: string,
  makeBody: () => ReadableStream<Uint8Array> | null,
  trailers: () => Readonly<Record<string, string>>,
): VerifiedRequest {
  let body: ReadableStream<Uint8Array> | null | undefined
  return {
    accessKeyId: auth.accessKeyId,
    algorithm: auth.algorithm.id,
    service: auth.service,
    region: auth.algorithm.regionSet ? undefined : auth.region,
    regionSet: auth.regionSet,
    signedHeaders: auth.signedHeaders,
    path,
    presigned: auth.presigned,
    expiresAt: auth.presigned ? new Date(auth.time + (auth.expires as number) * 1000) : undefined,
    date: new Date(auth.time),
    signature: auth.signature,
    sessionToken: auth.sessionToken !== undefined,
    payloadHash,
    get body() {
      if (body === undefined) body = makeBody()
      return body
    },
    get trailers() {
      return trailers()
    },
  }
}

/** Whether the path's dot segments and empty segments are resolved before signing: not for S3. */
const normalizes = (auth: Authorization, options: Pick<VerifyRequestOptions, 'normalizePath'>) =>
  options.normalizePath ?? !S3_SIGNING_NAMES.has(auth.service)

/** The canonical request and string to sign of the received request, as its signer built them. */
export function rebuild(
  received: ReceivedRequest,
  auth: Authorization,
  payloadHash: string,
  options: Pick<VerifyRequestOptions, 'normalizePath' | 'doubleEncodePath'>,
  signedHeaders: readonly string[] = auth.signedHeaders,
): { canonical: string; stringToSign: string } | Promise<{ canonical: string; stringToSign: string }> {
  const s3 = S3_SIGNING_NAMES.has(auth.service)
  const path = canonicalPath(received.url.path, normalizes(auth, options), options.doubleEncodePath ?? !s3)
  const { canonicalRequest: canonical } = canonicalRequest({
    method: received.method,
    path,
    query: auth.signedQuery,
    headers: received.headers,
    signedHeaders,
    payloadHash,
    host: received.url.host,
  })
  const hash = sha256Hex(canonical)
  const id = auth.algorithm.id
  return typeof hash === 'string'
    ? { canonical, stringToSign: stringToSign(id, auth.amzDate, auth.scope, hash) }
    : hash.then((h) => ({ canonical, stringToSign: stringToSign(id, auth.amzDate, auth.scope, h) }))
}

function decodeBody(
  received: ReceivedRequest,
  auth: Authorization,
  key: unknown,
  payloadHash: string,
  body: StreamSource | null,
  options: VerifyRequestOptions,
) {
  const id = auth.algorithm.id
  const known = [streamingPayload(id), streamingPayloadTrailer(id), STREAMING_UNSIGNED_PAYLOAD_TRAILER]
  if (!known.includes(payloadHash)) {
    throw invalid(
      `x-amz-content-sha256 ${JSON.stringify(payloadHash.slice(0, 64))} is not supported with ${id}`,
      'InvalidArgument',
    )
  }
  const lengthValues = received.headers.get(X_AMZ_DECODED_CONTENT_LENGTH)
  const lengthText = lengthValues?.length === 1 ? (lengthValues[0] as string) : undefined
  if (lengthText === undefined || !/^\d{1,15}$/.test(lengthText)) {
    throw invalid('aws-chunked bodies need one x-amz-decoded-content-length header', 'MissingContentLength', 411)
  }
  // No x-amz-trailer: no trailer may come (a checksum nobody announced would reach `trailers` unchecked).
  const trailer = received.headers.get(X_AMZ_TRAILER)?.join(',') ?? ''
  for (const name of trailer.toLowerCase().split(',')) {
    const checksum = /^\s*x-amz-checksum-(.*?)\s*$/.exec(name)?.[1]
    if (checksum !== undefined && !(CHECKSUM_ALGORITHMS as readonly string[]).includes(checksum)) {
      throw invalid(
        `x-amz-trailer names the checksum ${JSON.stringify(checksum.slice(0, 40))}, which S3 does not support`,
      )
    }
  }
  return decodeChunked(body ?? new Uint8Array(0), {
    mode: payloadHash,
    seedSignature: auth.signature,
    algorithm: auth.algorithm,
    key,
    region: auth.region,
    service: auth.service,
    date: auth.amzDate,
    decodedContentLength: Number(lengthText),
    trailer,
    maxChunkSize:
      options.maxChunkSize ??
      (payloadHash === STREAMING_UNSIGNED_PAYLOAD_TRAILER ? MAX_UNSIGNED_CHUNK : MAX_SIGNED_CHUNK),
    // S3 asks 8 KiB of signed chunks, but clients that send unsigned ones cut them where their source does.
    ...(payloadHash === STREAMING_UNSIGNED_PAYLOAD_TRAILER ? { minChunkSize: 0 } : {}),
  })
}

const invalid = (problem: string, awsCode = 'InvalidRequest', status = 400) =>
  new VerificationError('ERR_INVALID_REQUEST', problem, { awsCode, status })

function checkSeconds(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, 'must be a whole number >= 0')
  }
  return value
}

const listOf = (field: string, value: unknown): readonly string[] | undefined => {
  if (value === undefined) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value
  throw new InvalidInputError(field, `must be a string or a list of strings, got ${typeOf(value)}`)
}

/** A region-set pattern (`*`, `us-*`, `us-east-1`) matches a region. */
const matchesRegion = (pattern: string, region: string) =>
  pattern === '*' || pattern === region || (pattern.endsWith('*') && region.startsWith(pattern.slice(0, -1)))

function checkScope(auth: Authorization, options: VerifyRequestOptions): void {
  const awsCode = auth.presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed'
  const mismatch = (problem: string) =>
    new VerificationError('ERR_SCOPE_MISMATCH', `credential scope: ${problem}`, {
      awsCode,
      accessKeyId: auth.accessKeyId,
    })
  if (auth.day !== auth.amzDate.slice(0, 8)) {
    throw mismatch(
      `the date ${auth.day} is not the day of ${auth.presigned ? 'X-Amz-Date' : 'x-amz-date'} (${auth.amzDate})`,
    )
  }
  const services = listOf('service', options.service)
  if (services !== undefined && !services.includes(auth.service)) {
    throw mismatch(
      `the service ${JSON.stringify(auth.service)} is wrong; expecting ${JSON.stringify(services.join(' or '))}`,
    )
  }
  const regions = listOf('region', options.region)
  if (regions === undefined) return
  if (auth.regionSet !== undefined) {
    if (!regions.some((region) => auth.regionSet?.some((pattern) => matchesRegion(pattern, region)))) {
      throw mismatch(
        `the region set ${auth.regionSet.join(',')} does not include ${JSON.stringify(regions.join(' or '))}`,
      )
    }
  } else if (!regions.includes(auth.region)) {
    throw mismatch(
      `the region ${JSON.stringify(auth.region)} is wrong; expecting ${JSON.stringify(regions.join(' or '))}`,
    )
  }
}

function checkTime(auth: Authorization, now: number, skew: number): void {
  if (!auth.presigned) {
    if (Math.abs(now - auth.time) > skew) {
      throw new VerificationError(
        'ERR_CLOCK_SKEW',
        `the difference between the request time (${auth.amzDate}) and the server's time is too large`,
        { accessKeyId: auth.accessKeyId },
      )
    }
    return
  }
  if (auth.time - now > skew) {
    throw new VerificationError('ERR_NOT_YET_VALID', `request is not valid yet (X-Amz-Date ${auth.amzDate})`, {
      accessKeyId: auth.accessKeyId,
    })
  }
  if (now > auth.time + (auth.expires as number) * 1000) {
    throw new VerificationError('ERR_EXPIRED', 'request has expired', { accessKeyId: auth.accessKeyId })
  }
}

type Lookup = (accessKeyId: string, context: CredentialsLookupContext) => unknown

function credentialsLookup(credentials: VerifyRequestOptions['credentials']): Lookup {
  if (typeof credentials === 'function') return credentials
  const list = Array.isArray(credentials) ? credentials : [credentials]
  for (const [i, item] of list.entries()) {
    if (
      item === null ||
      typeof item !== 'object' ||
      typeof item.accessKeyId !== 'string' ||
      typeof item.secretAccessKey !== 'string'
    ) {
      throw new InvalidInputError(
        Array.isArray(credentials) ? `credentials[${i}]` : 'credentials',
        'must be a lookup function or credentials with accessKeyId and secretAccessKey',
      )
    }
  }
  const byId = new Map<string, Credentials>(list.map((item: Credentials) => [item.accessKeyId, item]))
  return (accessKeyId) => byId.get(accessKeyId)
}

// Credentials objects made for the key cache, one per object the lookup answers, so a lookup that answers
// the same object each time has its fingerprint computed once.
const asCredentials = new WeakMap<object, Credentials>()

function credentialsFor(found: unknown, auth: Authorization, signedToken: boolean): Credentials {
  if (found === undefined || found === null) {
    throw new VerificationError('ERR_UNKNOWN_ACCESS_KEY', 'the access key id does not exist in our records', {
      accessKeyId: auth.accessKeyId,
    })
  }
  const secret = (found as VerificationCredentials).secretAccessKey
  if (typeof found !== 'object' || typeof secret !== 'string' || secret === '') {
    throw new InvalidInputError('credentials', 'the lookup must answer { secretAccessKey, sessionToken? } or undefined')
  }
  const expected = (found as VerificationCredentials).sessionToken ?? undefined
  const given = auth.sessionToken
  if (expected !== undefined || given !== undefined) {
    if (expected === undefined || given === undefined || !timingSafeEqualHex(expected, given)) {
      throw new VerificationError('ERR_INVALID_TOKEN', 'the provided token is malformed or otherwise invalid', {
        accessKeyId: auth.accessKeyId,
      })
    }
    // A presigned URL signs its whole query; a token sent as a header is signed only if SignedHeaders says so.
    const tokenSigned =
      auth.signedHeaders.includes('x-amz-security-token') ||
      (auth.presigned && auth.signedQuery.some(([name]) => name === Q_SECURITY_TOKEN))
    if (signedToken && !tokenSigned) {
      throw new VerificationError('ERR_INVALID_TOKEN', 'x-amz-security-token must be signed', {
        accessKeyId: auth.accessKeyId,
      })
    }
  }
  let credentials = asCredentials.get(found as object)
  if (
    credentials === undefined ||
    credentials.accessKeyId !== auth.accessKeyId ||
    credentials.secretAccessKey !== secret
  ) {
    credentials = { accessKeyId: auth.accessKeyId, secretAccessKey: secret }
    asCredentials.set(found as object, credentials)
  }
  return credentials
}
