// sign, presign and presignRequest: a request description in, the headers or URL that authorise it out.
// Validation and canonicalisation happen here; the algorithm (SigV4 by default, or SigV4a) signs.
import { sha256Hex } from '#crypto'
import { InvalidInputError } from '../errors.js'
import { uriEncode } from '../lib/uri.js'
import { credentialScope, type SigningAlgorithm, sigv4 } from './algorithm.js'
import { canonicalRequest, canonicalValues, headerNamesToSign } from './canonical.js'
import {
  AUTH_QUERY_PARAMS,
  EMPTY_SHA256,
  MAX_EXPIRES_IN,
  Q_ALGORITHM,
  Q_CREDENTIAL,
  Q_DATE,
  Q_EXPIRES,
  Q_REGION_SET,
  Q_SECURITY_TOKEN,
  Q_SIGNATURE,
  Q_SIGNED_HEADERS,
  S3_SIGNING_NAMES,
  UNSIGNED_PAYLOAD,
  X_AMZ_CONTENT_SHA256,
  X_AMZ_DATE,
  X_AMZ_REGION_SET,
  X_AMZ_SECURITY_TOKEN,
} from './constants.js'
import { dayOf, toAmzDate } from './date.js'
import { defaultKeyCache, type SigningKeyCache } from './key-cache.js'
import { canonicalPath, collectHeaders, type ParsedUrl, parseQuery, parseUrl, typeOf } from './request.js'
import type {
  BodyInput,
  Credentials,
  CredentialsInput,
  PresignedRequest,
  PresignOptions,
  SignedRequest,
  SignOptions,
} from './types.js'

export { EMPTY_SHA256, MAX_EXPIRES_IN, UNSIGNED_PAYLOAD }

// Headers that proxies and HTTP clients add, change or drop: signing them would break the signature.
const NEVER_SIGNED: ReadonlySet<string> = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])
const SIGNER_HEADERS: ReadonlySet<string> = new Set([
  X_AMZ_DATE,
  X_AMZ_REGION_SET,
  X_AMZ_CONTENT_SHA256,
  X_AMZ_SECURITY_TOKEN,
])
const SCOPE_PART = /^[a-z0-9._-]+$/
const REGION_SET_ENTRY = /^(?:[a-z0-9-]+\*?|\*)$/
// Visible ASCII: both go into a header (or the query) as they are.
const ACCESS_KEY_ID = /^[\x21-\x2e\x30-\x7e]+$/
const SESSION_TOKEN = /^[\x21-\x7e]+$/
const PAYLOAD_HASH = /^(?:[0-9a-f]{64}|UNSIGNED-PAYLOAD|STREAMING-[A-Z0-9-]+)$/
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** A request validated and parsed, with everything signing and presigning share. */
export interface PreparedRequest {
  algorithm: SigningAlgorithm
  method: string
  url: ParsedUrl
  /** Lower-case name -> values, as given (`host` included when given). */
  headers: Map<string, string[]>
  service: string
  /** The scope's region (`''` for region-set algorithms). */
  region: string
  /** `x-amz-region-set` / `X-Amz-Region-Set` value, for region-set algorithms. */
  regionSet: string | undefined
  credentials: Credentials
  amzDate: string
  /** `YYYYMMDD` of `amzDate`. */
  day: string
  scope: string
  canonicalPath: string
  /** Path for the URL to send. */
  sendPath: string
  /** The URL to send with header signing. */
  sendUrl: string
  unsigned: ReadonlySet<string>
  keyCache: SigningKeyCache | null
  signSessionToken: boolean
  /** A `host` header that differs from the URL's authority: signed, and so sent. */
  hostHeader: string | undefined
}

/** What every signing function takes to describe and sign a request (no body: each handles its own). */
export type RequestOptions = Omit<SignOptions, 'body' | 'payloadHash' | 'contentHashHeader'>

/** Validates the options shared by every signing function; nothing is hashed or derived yet. */
export function prepareRequest(options: RequestOptions, credentials: Credentials): PreparedRequest {
  const algorithm = checkAlgorithm(options.algorithm)
  const service = checkScopePart('service', options.service)
  let region = ''
  let regionSet: string | undefined
  if (algorithm.regionSet) {
    if (options.region !== undefined) {
      throw new InvalidInputError(
        'region',
        `cannot be given with ${algorithm.id}, which signs for a set of regions: pass regionSet: [${JSON.stringify(options.region)}] instead`,
      )
    }
    regionSet = checkRegionSet(options.regionSet)
  } else {
    if (options.regionSet !== undefined) {
      throw new InvalidInputError(
        'regionSet',
        `needs a region-set algorithm (algorithm: sigv4a from 'awsig/sigv4a'); ${algorithm.id} signs for one region`,
      )
    }
    region = checkScopePart('region', options.region)
  }
  const amzDate = toAmzDate(options.date)
  const day = dayOf(amzDate)
  const method = methodOf(options.method)
  const s3 = S3_SIGNING_NAMES.has(service)
  const target = parseTarget(options.url, options.normalizePath ?? !s3, options.doubleEncodePath ?? !s3)
  const { url } = target
  const headers = collectHeaders(options.headers)
  let unsigned = NEVER_SIGNED
  if (options.unsignedHeaders !== undefined) {
    if (!Array.isArray(options.unsignedHeaders)) throw new InvalidInputError('unsignedHeaders', 'must be an array')
    const names = options.unsignedHeaders.map((name) => String(name).toLowerCase())
    // What the signer itself adds: AWS refuses the request (a verifier would take a rewritten value) if
    // it is not signed.
    const own = names.find((name) => SIGNER_HEADERS.has(name))
    if (own !== undefined) {
      throw new InvalidInputError(
        'unsignedHeaders',
        `cannot name ${own}: the signer adds it, and signs it${own === X_AMZ_SECURITY_TOKEN ? ' (signSessionToken: false sends the token unsigned)' : ''}`,
      )
    }
    unsigned = new Set([...NEVER_SIGNED, ...names])
  }
  return {
    algorithm,
    method,
    url,
    headers,
    service,
    region,
    regionSet,
    credentials,
    amzDate,
    day,
    scope: credentialScope(algorithm, day, region, service),
    canonicalPath: target.canonicalPath,
    sendPath: target.sendPath,
    sendUrl: target.sendUrl,
    unsigned,
    keyCache: options.keyCache === undefined ? defaultKeyCache : options.keyCache,
    signSessionToken: options.signSessionToken !== false,
    hostHeader: hostHeader(headers, url.host),
  }
}

interface Target {
  url: ParsedUrl
  canonicalPath: string
  sendPath: string
  /** The whole URL to send (header signing). */
  sendUrl: string
}
// A service is called at the same URL again and again: the last string parsed is kept (frozen).
let lastTarget: (Target & { href: string; normalize: boolean; doubleEncode: boolean }) | undefined

/** The URL parsed, with its path as signed and as sent. */
function parseTarget(input: string | URL, normalize: boolean, doubleEncode: boolean): Target {
  const last = lastTarget
  if (last !== undefined && input === last.href && normalize === last.normalize && doubleEncode === last.doubleEncode) {
    return last
  }
  const url = parseUrl(input)
  const signedPath = canonicalPath(url.path, normalize, doubleEncode)
  // Single encoding signs the path in SigV4's encoding, so that is also what must go on the wire.
  const sendPath = doubleEncode ? url.path : normalize ? canonicalPath(url.path, false, false) : signedPath
  const target = {
    url,
    canonicalPath: signedPath,
    sendPath,
    sendUrl: `${url.protocol}//${url.host}${sendPath}${querySuffix(url.query)}`,
  }
  if (typeof input === 'string') {
    Object.freeze(url.query)
    lastTarget = { ...target, href: input, normalize, doubleEncode }
  }
  return target
}

function checkAlgorithm(algorithm: unknown): SigningAlgorithm {
  if (algorithm === undefined) return sigv4
  const a = algorithm as Partial<SigningAlgorithm> | null
  if (
    a === null ||
    typeof a !== 'object' ||
    typeof a.id !== 'string' ||
    typeof a.key !== 'function' ||
    typeof a.sign !== 'function'
  ) {
    throw new InvalidInputError(
      'algorithm',
      `must be a signing algorithm (sigv4 from 'awsig', sigv4a from 'awsig/sigv4a'), got ${typeOf(algorithm)}`,
    )
  }
  return a as SigningAlgorithm
}

/**
 * A caller's `host` header: refused if it is not one value; `undefined` when it is the URL's own
 * authority (which every HTTP client sends by itself), else the value, to be signed and sent.
 */
function hostHeader(headers: Map<string, string[]>, urlHost: string): string | undefined {
  const values = headers.get('host')
  if (values === undefined) return undefined
  if (values.length !== 1) throw new InvalidInputError('headers["host"]', 'must be given once')
  const value = canonicalValues(values)
  if (value.toLowerCase() === urlHost) {
    headers.delete('host')
    return undefined
  }
  return value
}

/** Credentials, or a provider that returns them: awaited once per call, then validated. */
export async function resolveCredentials(input: CredentialsInput): Promise<Credentials> {
  if (typeof input !== 'function') return checkCredentials(input)
  let credentials: unknown
  try {
    credentials = await input()
  } catch (cause) {
    if (cause instanceof Error && (cause as { code?: unknown }).code !== undefined) throw cause
    throw new InvalidInputError('credentials', 'the credentials provider failed', { cause })
  }
  return checkCredentials(credentials, 'credentials (returned by the provider)')
}

// Credentials objects that passed, with the id and token they held then: a signer signs with one object
// again and again, so a call that finds the same values skips the checks. Kept only as long as the
// caller's object lives (a WeakMap: Workers have no WeakRef), and the secret not at all (its only rule,
// a non-empty string, is checked again).
const checked = new WeakMap<object, { accessKeyId: unknown; token: unknown }>()

export function checkCredentials(credentials: unknown, field = 'credentials'): Credentials {
  const ok = credentials !== null && typeof credentials === 'object' ? checked.get(credentials) : undefined
  if (ok !== undefined) {
    const c = credentials as Record<string, unknown>
    const secret = c.secretAccessKey
    if (
      c.accessKeyId === ok.accessKeyId &&
      c.sessionToken === ok.token &&
      typeof secret === 'string' &&
      secret !== ''
    ) {
      return credentials as Credentials
    }
  }
  if (credentials === null || typeof credentials !== 'object') {
    throw new InvalidInputError(
      field,
      `must be an object or a function returning one (a credentials provider), got ${typeOf(credentials)}`,
    )
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials as Record<string, unknown>
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw new InvalidInputError(
      'credentials.accessKeyId',
      typeof accessKeyId === 'string'
        ? 'must be non-empty visible ASCII, without spaces or "/"'
        : `must be a string, got ${typeOf(accessKeyId)}`,
    )
  }
  if (typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new InvalidInputError(
      'credentials.secretAccessKey',
      typeof secretAccessKey === 'string' ? 'must not be empty' : `must be a string, got ${typeOf(secretAccessKey)}`,
    )
  }
  if (sessionToken !== undefined && sessionToken !== null) {
    if (typeof sessionToken !== 'string') {
      throw new InvalidInputError(
        'credentials.sessionToken',
        `must be a string when given, got ${typeOf(sessionToken)}`,
      )
    }
    // A trailing newline from a file or an env file is the usual cause; the value is never quoted.
    if (!SESSION_TOKEN.test(sessionToken)) {
      throw new InvalidInputError(
        'credentials.sessionToken',
        'must be non-empty visible ASCII, without spaces or line breaks',
      )
    }
  }
  checked.set(credentials, { accessKeyId, token: sessionToken })
  return credentials as Credentials
}

// The last method given, and its upper case.
let lastMethod: unknown = 'GET'
let lastUpperMethod = 'GET'

/** The request method, upper case (default GET). */
function methodOf(method: unknown): string {
  if (method === undefined) return 'GET'
  if (method !== lastMethod) {
    if (typeof method !== 'string' || !METHOD.test(method)) {
      throw new InvalidInputError('method', 'must be an HTTP method name such as GET or PUT')
    }
    lastUpperMethod = method.toUpperCase()
    lastMethod = method
  }
  return lastUpperMethod
}

// The last two names that passed (a signer's service and region, the same on every call). They start
// as two valid names, so the shortcut never lets through what the check would refuse.
let passed1 = 's3'
let passed2 = 'us-east-1'

function checkScopePart(field: string, value: unknown): string {
  if (value === passed1 || value === passed2) return value as string
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeOf(value)}`)
  if (!SCOPE_PART.test(value)) {
    const lower = value.toLowerCase()
    throw new InvalidInputError(
      field,
      SCOPE_PART.test(lower)
        ? `must be lower case, as AWS spells it: ${JSON.stringify(lower)}, not ${JSON.stringify(value)}`
        : `must be a non-empty name of lower-case letters, digits, "-", "_" or ".", got ${JSON.stringify(value)}`,
    )
  }
  passed2 = passed1
  passed1 = value
  return value
}

function checkRegionSet(value: unknown): string {
  if (value === undefined) {
    throw new InvalidInputError(
      'regionSet',
      "is required by this algorithm: the regions the signature is valid in, e.g. ['us-east-1'] or ['*']",
    )
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidInputError('regionSet', `must be a non-empty array of regions (or ['*']), got ${typeOf(value)}`)
  }
  for (const [i, entry] of value.entries()) {
    if (typeof entry !== 'string' || !REGION_SET_ENTRY.test(entry)) {
      throw new InvalidInputError(
        `regionSet[${i}]`,
        `must be a lower-case region such as "us-east-1", a prefix ending in "*" or "*", got ${typeof entry === 'string' ? JSON.stringify(entry) : typeOf(entry)}`,
      )
    }
  }
  return value.join(',')
}

function checkPayloadHash(field: string, value: unknown): string {
  if (typeof value !== 'string' || !PAYLOAD_HASH.test(value)) {
    throw new InvalidInputError(field, 'must be a lower-case hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* value')
  }
  return value
}

/** The body as something the hash function takes, or a clear error for what cannot be hashed at once. */
function bodyBytes(body: BodyInput): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return body.toString()
  throw new InvalidInputError(
    'body',
    `cannot be hashed in one piece (got ${typeOf(body)}): pass payloadHash (e.g. from createPayloadHasher, or UNSIGNED-PAYLOAD where the service allows it)`,
  )
}

function hashBody(body: string | Uint8Array | undefined): string | Promise<string> {
  return body === undefined || body.length === 0 ? EMPTY_SHA256 : sha256Hex(body)
}

/** The string to sign of a request: algorithm, date, credential scope, hash of the canonical request. */
export function stringToSign(
  algorithmId: string,
  amzDate: string,
  scope: string,
  canonicalRequestHash: string,
): string {
  return `${algorithmId}\n${amzDate}\n${scope}\n${canonicalRequestHash}`
}

/** The signing key of a prepared request, from its cache when held. */
export function keyFor(p: PreparedRequest): unknown | Promise<unknown> {
  return p.algorithm.key(p.credentials, p.day, p.region, p.service, p.keyCache)
}

interface Signed {
  toSign: string
  signature: string
}

/**
 * String-to-sign and signature of a canonical request: synchronous where everything is (SigV4 with a
 * cached key on node:crypto), a promise only when a step needs one (WebCrypto, a key being derived).
 * Awaiting a plain value still costs a turn of the event loop.
 */
function signCanonical(p: PreparedRequest, canonical: string): Signed | Promise<Signed> {
  const hash = sha256Hex(canonical) as string | Promise<string>
  const key = keyFor(p)
  if (typeof hash === 'string' && !(key instanceof Promise)) {
    const toSign = stringToSign(p.algorithm.id, p.amzDate, p.scope, hash)
    const signature = p.algorithm.sign(key, toSign)
    if (typeof signature === 'string') return { toSign, signature }
    return signature.then((s) => ({ toSign, signature: s }))
  }
  return signLater(p, hash, key)
}

// Apart from signCanonical, whose every call would otherwise allocate this closure's context.
async function signLater(p: PreparedRequest, hash: string | Promise<string>, key: unknown): Promise<Signed> {
  const toSign = stringToSign(p.algorithm.id, p.amzDate, p.scope, await hash)
  return { toSign, signature: await p.algorithm.sign(await key, toSign) }
}

function querySuffix(pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = ''
  for (const [k, v] of pairs) out += `${out === '' ? '?' : '&'}${k}=${v}`
  return out
}

/**
 * Headers as they are sent: repeated values each trimmed and folded, then joined with `,`, so that
 * what a server canonicalises from the one line it receives is exactly what was signed.
 */
function sentHeaders(headers: Map<string, string[]>, hostHeader: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, values] of headers) {
    if (name === 'host') continue
    const value = values.length === 1 ? (values[0] as string) : canonicalValues(values)
    // A plain assignment to `__proto__` would set the prototype instead of a header.
    if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true })
    else out[name] = value
  }
  if (hostHeader !== undefined) out.host = hostHeader
  return out
}

/** What `sign` and `presignRequest` return, once signed. */
function result(
  p: PreparedRequest,
  url: string,
  headers: Record<string, string>,
  canonical: { canonicalRequest: string; signedHeaders: string },
  stringToSign: string,
  signature: string,
  payloadHash: string,
): SignedRequest {
  return {
    url,
    method: p.method,
    headers,
    signature,
    canonicalRequest: canonical.canonicalRequest,
    stringToSign,
    signedHeaders: canonical.signedHeaders,
    credentialScope: p.scope,
    payloadHash,
    amzDate: p.amzDate,
  }
}

/** The payload hash to sign: `payloadHash`, an `x-amz-content-sha256` header, or the body's hash. */
function payloadHashOf(options: SignOptions, headers: Map<string, string[]>): string | Promise<string> {
  if (options.payloadHash !== undefined) return checkPayloadHash('payloadHash', options.payloadHash)
  const given = headers.get(X_AMZ_CONTENT_SHA256)
  if (given !== undefined) return checkPayloadHash(`headers["${X_AMZ_CONTENT_SHA256}"]`, given.join(','))
  return hashBody(bodyBytes(options.body))
}

/**
 * Signs a request in the `Authorization` header (SigV4 by default; `algorithm: sigv4a` from
 * `awsig/sigv4a` for SigV4a).
 *
 * @example
 * const signed = await sign({ method: 'GET', url, service: 's3', region: 'us-east-1', credentials })
 * await fetch(signed.url, { method: signed.method, headers: signed.headers })
 */
export async function sign(options: SignOptions): Promise<SignedRequest> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const input = options.credentials
  const credentials = typeof input === 'function' ? await resolveCredentials(input) : checkCredentials(input)
  const p = prepareRequest(options, credentials)
  let payloadHash = payloadHashOf(options, p.headers)
  // Everything is validated: from here on nothing throws for bad input.
  if (typeof payloadHash !== 'string') payloadHash = await payloadHash
  const signed = signPrepared(p, payloadHash, options.contentHashHeader ?? S3_SIGNING_NAMES.has(p.service))
  return signed instanceof Promise ? await signed : signed
}

/** Header signing of a prepared request: the step `sign` and `signChunked` share. Synchronous when it can be. */
export function signPrepared(
  p: PreparedRequest,
  payloadHash: string,
  contentHashHeader: boolean,
): SignedRequest | Promise<SignedRequest> {
  const { headers, credentials } = p
  headers.delete('authorization')
  headers.set(X_AMZ_DATE, [p.amzDate])
  if (p.regionSet !== undefined) headers.set(X_AMZ_REGION_SET, [p.regionSet])
  if (contentHashHeader) headers.set(X_AMZ_CONTENT_SHA256, [payloadHash])
  const token = credentials.sessionToken
  if (token) {
    if (p.signSessionToken) headers.set(X_AMZ_SECURITY_TOKEN, [token])
    else headers.delete(X_AMZ_SECURITY_TOKEN)
  }
  if (p.hostHeader !== undefined) headers.set('host', [p.hostHeader])
  const canonical = canonicalRequest({
    method: p.method,
    path: p.canonicalPath,
    query: p.url.query,
    headers,
    signedHeaders: headerNamesToSign(headers, p.unsigned),
    payloadHash,
    host: p.url.host,
  })
  const signing = signCanonical(p, canonical.canonicalRequest)
  return signing instanceof Promise
    ? signedHeadersLater(p, canonical, signing, payloadHash)
    : signedHeaders(p, canonical, signing, payloadHash)
}

// Here rather than as closures in signPrepared, which would allocate their context on every call.
async function signedHeadersLater(p: PreparedRequest, canonical: Canonical, signing: Promise<Signed>, hash: string) {
  return signedHeaders(p, canonical, await signing, hash)
}

/** What `sign` returns: the headers to send, `authorization` included. */
function signedHeaders(p: PreparedRequest, canonical: Canonical, signed: Signed, payloadHash: string): SignedRequest {
  const { credentials } = p
  const token = credentials.sessionToken
  const out = sentHeaders(p.headers, p.hostHeader)
  if (token && !p.signSessionToken) out[X_AMZ_SECURITY_TOKEN] = token
  out.authorization = `${p.algorithm.id} Credential=${credentials.accessKeyId}/${p.scope}, SignedHeaders=${canonical.signedHeaders}, Signature=${signed.signature}`
  return result(p, p.sendUrl, out, canonical, signed.toSign, signed.signature, payloadHash)
}

type Canonical = ReturnType<typeof canonicalRequest>

// The credential parameter is the same for every URL presigned with one key on one day.
// Compared by its parts: comparing a freshly joined string would cost as much as encoding it.
let lastAccessKeyId = ''
let lastScope = ''
let lastEncodedCredential = ''
function encodedCredential(accessKeyId: string, scope: string): string {
  if (accessKeyId !== lastAccessKeyId || scope !== lastScope) {
    lastEncodedCredential = uriEncode(`${accessKeyId}/${scope}`)
    lastAccessKeyId = accessKeyId
    lastScope = scope
  }
  return lastEncodedCredential
}

// The authentication parameters of the last URL presigned, and what they were made of: a signer that
// presigns many URLs in one second (a page of links) repeats all of them. Compared by their parts.
let lastAuthParts: readonly unknown[] = []
let lastAuth = ''

/**
 * The authentication parameters but the signature, in canonical (sorted) order, as one string: most
 * presigned URLs have no other parameters, and then this is the canonical query string as it is.
 */
function authParameters(p: PreparedRequest, expiresIn: number, token: string | undefined, names: string[]): string {
  const credential = encodedCredential(p.credentials.accessKeyId, p.scope)
  const signedHeaders = encodedSignedHeaders(names)
  const { id } = p.algorithm
  const last = lastAuthParts
  if (
    last[0] === credential &&
    last[1] === p.amzDate &&
    last[2] === expiresIn &&
    last[3] === signedHeaders &&
    last[4] === token &&
    last[5] === p.regionSet &&
    last[6] === id
  ) {
    return lastAuth
  }
  let auth = `${Q_ALGORITHM}=${id}&${Q_CREDENTIAL}=${credential}&${Q_DATE}=${p.amzDate}&${Q_EXPIRES}=${expiresIn}`
  if (p.regionSet !== undefined) auth += `&${Q_REGION_SET}=${uriEncode(p.regionSet)}`
  if (token !== undefined) auth += `&${Q_SECURITY_TOKEN}=${uriEncode(token)}`
  auth += `&${Q_SIGNED_HEADERS}=${signedHeaders}`
  lastAuthParts = [credential, p.amzDate, expiresIn, signedHeaders, token, p.regionSet, id]
  lastAuth = auth
  return auth
}

// Requests of one kind sign the same headers: the last list encoded is kept (`;` always needs it),
// and compared name by name (joining them to compare would cost about what encoding does).
let lastSignedNames: readonly string[] = []
let lastEncodedSignedHeaders = ''
function encodedSignedHeaders(names: readonly string[]): string {
  const last = lastSignedNames
  let same = names.length === last.length
  for (let i = 0; same && i < names.length; i++) same = names[i] === last[i]
  if (!same) {
    lastEncodedSignedHeaders = uriEncode(names.join(';'))
    lastSignedNames = names
  }
  return lastEncodedSignedHeaders
}

/**
 * Presigns a request: the signature goes in the query string, so the URL alone authorises the request
 * until it expires. Returns the URL and, for debugging, the canonical request and string-to-sign.
 */
export async function presignRequest(options: PresignOptions): Promise<PresignedRequest> {
  const presigned = presignAny(options)
  return presigned instanceof Promise ? await presigned : presigned
}

/**
 * `presignRequest`, synchronous where every step is (a credentials object, node:crypto, a cached key):
 * `presign` and `presignRequest` then settle with one promise instead of a chain of them.
 */
function presignAny(options: PresignOptions): PresignedRequest | Promise<PresignedRequest> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const input = options.credentials
  if (typeof input === 'function') return resolveCredentials(input).then((c) => presignWith(options, c))
  return presignWith(options, checkCredentials(input))
}

function presignWith(options: PresignOptions, credentials: Credentials): PresignedRequest | Promise<PresignedRequest> {
  const p = prepareRequest(options, credentials)
  const expiresIn = options.expiresIn ?? 3600
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new InvalidInputError('expiresIn', `must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN} (7 days)`)
  }
  let payloadHash: string | Promise<string>
  if (options.payloadHash !== undefined) payloadHash = checkPayloadHash('payloadHash', options.payloadHash)
  else if (S3_SIGNING_NAMES.has(p.service)) payloadHash = UNSIGNED_PAYLOAD
  else payloadHash = hashBody(bodyBytes(options.body))
  // Everything is validated: from here on nothing throws for bad input.
  if (typeof payloadHash !== 'string') return payloadHash.then((hash) => presignHashed(p, options, expiresIn, hash))
  return presignHashed(p, options, expiresIn, payloadHash)
}

function presignHashed(
  p: PreparedRequest,
  options: PresignOptions,
  expiresIn: number,
  payloadHash: string,
): PresignedRequest | Promise<PresignedRequest> {
  const { headers } = p
  const given = p.url.query
  const query = given.length === 0 ? [] : given.filter(([k]) => !AUTH_QUERY_PARAMS.has(k))
  headers.delete('authorization')
  headers.delete(X_AMZ_DATE)
  headers.delete(X_AMZ_SECURITY_TOKEN)
  headers.delete(X_AMZ_REGION_SET)
  if (options.hoistHeaders) {
    for (const [name, values] of headers) {
      if (name.startsWith('x-amz-') && name !== X_AMZ_CONTENT_SHA256) {
        query.push([uriEncode(name), uriEncode(values.join(','))])
        headers.delete(name)
      }
    }
  }
  if (p.hostHeader !== undefined) headers.set('host', [p.hostHeader])
  const signedNames = headerNamesToSign(headers, p.unsigned)
  const token = p.credentials.sessionToken
  const auth = authParameters(p, expiresIn, token && p.signSessionToken ? token : undefined, signedNames)
  const rest = querySuffix(query)
  const canonical = canonicalRequest({
    method: p.method,
    path: p.canonicalPath,
    query: query.length === 0 ? auth : [...query, ...parseQuery(auth)],
    headers,
    signedHeaders: signedNames,
    payloadHash,
    host: p.url.host,
  })
  const signing = signCanonical(p, canonical.canonicalRequest)
  const prefix = `${p.url.protocol}//${p.url.host}${p.sendPath}${rest === '' ? '?' : `${rest}&`}${auth}&${Q_SIGNATURE}=`
  return signing instanceof Promise
    ? presignedLater(p, prefix, canonical, signing, payloadHash)
    : presigned(p, prefix, canonical, signing, payloadHash)
}

/** What `presignRequest` returns: the URL is `prefix` (everything up to the signature's value) completed. */
function presigned(
  p: PreparedRequest,
  prefix: string,
  canonical: Canonical,
  { toSign, signature }: Signed,
  payloadHash: string,
): PresignedRequest {
  const token = p.credentials.sessionToken
  let url = `${prefix}${signature}`
  if (token && !p.signSessionToken) url += `&${Q_SECURITY_TOKEN}=${uriEncode(token)}`
  return result(p, url, sentHeaders(p.headers, p.hostHeader), canonical, toSign, signature, payloadHash)
}

async function presignedLater(
  p: PreparedRequest,
  prefix: string,
  canonical: Canonical,
  signing: Promise<Signed>,
  payloadHash: string,
) {
  return presigned(p, prefix, canonical, await signing, payloadHash)
}

/**
 * Presigns a request and returns the URL.
 *
 * @example
 * const url = await presign({ url: 'https://bucket.s3.amazonaws.com/key', service: 's3', region, credentials, expiresIn: 600 })
 */
export async function presign(options: PresignOptions): Promise<string> {
  const presigned = presignAny(options)
  return (presigned instanceof Promise ? await presigned : presigned).url
}
