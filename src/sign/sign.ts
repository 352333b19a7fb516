import { deriveSigningKey, hmacHex, sha256Hex } from '#crypto'
import { InvalidInputError } from '../errors.js'
import { uriEncode } from '../lib/uri.js'
import { credentialsId, defaultKeyCache, type SigningKeyCache } from './key-cache.js'
import {
  canonicalHeaderValue,
  canonicalPath,
  canonicalQuery,
  collectHeaders,
  type ParsedUrl,
  parseUrl,
  sortSmall,
  typeOf,
} from './request.js'
import type { BodyInput, Credentials, PresignedRequest, PresignOptions, SignedRequest, SignOptions } from './types.js'

export const ALGORITHM = 'AWS4-HMAC-SHA256'
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
/** SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Longest presigned URL lifetime SigV4 allows: 7 days. */
export const MAX_EXPIRES_IN = 7 * 24 * 60 * 60 // 604800 s

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
const SCOPE_PART = /^[A-Za-z0-9._-]+$/
// Visible ASCII: both go into a header (or the query) as they are.
const ACCESS_KEY_ID = /^[\x21-\x2e\x30-\x7e]+$/
const SESSION_TOKEN = /^[\x21-\x7e]+$/
const PAYLOAD_HASH = /^(?:[0-9a-f]{64}|UNSIGNED-PAYLOAD|STREAMING-[A-Z0-9-]+)$/
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Query parameters that presigning writes itself.
const AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
])

/** Everything both header signing and presigning need, validated. */
interface Prepared {
  method: string
  url: ParsedUrl
  headers: Map<string, string[]>
  service: string
  region: string
  credentials: Credentials
  amzDate: string
  scope: string
  canonicalPath: string
  /** Path for the URL to send. */
  sendPath: string
  unsigned: ReadonlySet<string>
  keyCache: SigningKeyCache | null
  signSessionToken: boolean
}

function prepare(options: SignOptions | PresignOptions): Prepared {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const credentials = checkCredentials(options.credentials)
  const service = checkScopePart('service', options.service)
  const region = checkScopePart('region', options.region)
  const amzDate = toAmzDate(options.date)
  const method = options.method === undefined ? 'GET' : options.method
  if (typeof method !== 'string' || !METHOD.test(method)) {
    throw new InvalidInputError('method', 'must be an HTTP method name such as GET or PUT')
  }
  const url = parseUrl(options.url)
  const headers = collectHeaders(options.headers)
  const s3 = service === 's3'
  const normalize = options.normalizePath ?? !s3
  const doubleEncode = options.doubleEncodePath ?? !s3
  let unsigned = NEVER_SIGNED
  if (options.unsignedHeaders !== undefined) {
    if (!Array.isArray(options.unsignedHeaders)) throw new InvalidInputError('unsignedHeaders', 'must be an array')
    unsigned = new Set([...NEVER_SIGNED, ...options.unsignedHeaders.map((name) => String(name).toLowerCase())])
  }
  const signedPath = canonicalPath(url.path, normalize, doubleEncode)
  return {
    method: method.toUpperCase(),
    url,
    headers,
    service,
    region,
    credentials,
    amzDate,
    scope: `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`,
    canonicalPath: signedPath,
    // Single encoding signs the path in SigV4's encoding, so that is also what must go on the wire.
    sendPath: doubleEncode ? url.path : normalize ? canonicalPath(url.path, false, false) : signedPath,
    unsigned,
    keyCache: options.keyCache === undefined ? defaultKeyCache : options.keyCache,
    signSessionToken: options.signSessionToken !== false,
  }
}

function checkCredentials(credentials: unknown): Credentials {
  if (credentials === null || typeof credentials !== 'object') {
    throw new InvalidInputError('credentials', `must be an object, got ${typeOf(credentials)}`)
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
  return credentials as Credentials
}

function checkScopePart(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeOf(value)}`)
  if (!SCOPE_PART.test(value)) {
    throw new InvalidInputError(
      field,
      `must be a non-empty name of letters, digits, "-", "_" or ".", got ${JSON.stringify(value)}`,
    )
  }
  return value
}

/** `20150830T123600Z` */
function toAmzDate(date: unknown): string {
  if (date === undefined) date = new Date()
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new InvalidInputError('date', `must be a valid Date, got ${typeOf(date)}`)
  }
  const year = date.getUTCFullYear()
  if (year < 1000 || year > 9999) throw new InvalidInputError('date', 'must be between years 1000 and 9999')
  // getUTC* with a lookup table: about twice as fast as slicing toISOString().
  return `${year}${TWO_DIGITS[date.getUTCMonth() + 1]}${TWO_DIGITS[date.getUTCDate()]}T${TWO_DIGITS[date.getUTCHours()]}${TWO_DIGITS[date.getUTCMinutes()]}${TWO_DIGITS[date.getUTCSeconds()]}Z`
}
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'))

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

/**
 * The SigV4 signing key for credentials, day (`YYYYMMDD`), region and service, from `keyCache` when
 * it holds it. Opaque: pass it to the crypto backend's `hmacHex`.
 */
export async function signingKeyFor(
  credentials: Credentials,
  day: string,
  region: string,
  service: string,
  keyCache: SigningKeyCache | null,
): Promise<unknown> {
  const secret = credentials.secretAccessKey
  if (keyCache === null) return deriveSigningKey(secret, day, region, service)
  const id = await credentialsId(credentials.accessKeyId, secret, credentials)
  let key = keyCache.lookup(id, day, region, service)
  if (key === undefined) {
    key = await deriveSigningKey(secret, day, region, service)
    keyCache.store(id, day, region, service, key)
  }
  return key
}

/** The signing key when the cache holds it and the credentials' fingerprint is known, without a promise. */
function cachedSigningKey(p: Prepared): unknown {
  if (p.keyCache === null) return undefined
  const { accessKeyId, secretAccessKey } = p.credentials
  const id = credentialsId(accessKeyId, secretAccessKey, p.credentials)
  return typeof id === 'string' ? p.keyCache.lookup(id, p.amzDate.slice(0, 8), p.region, p.service) : undefined
}

const signingKey = (p: Prepared) => signingKeyFor(p.credentials, p.amzDate.slice(0, 8), p.region, p.service, p.keyCache)

/** Canonical header block and signed-header list of the headers to sign (`host` included). */
function canonicalHeaders(host: string, headers: Map<string, string[]>, unsigned: ReadonlySet<string>) {
  const names = ['host']
  for (const name of headers.keys()) if (name !== 'host' && !unsigned.has(name)) names.push(name)
  sortSmall(names, (a, b) => a > b)
  let block = ''
  let signedHeaders = ''
  for (const name of names) {
    const values = name === 'host' ? (headers.get('host') ?? [host]) : (headers.get(name) as string[])
    block += `${name}:${values.length === 1 ? canonicalHeaderValue(values[0] as string) : values.map(canonicalHeaderValue).join(',')}\n`
    signedHeaders = signedHeaders === '' ? name : `${signedHeaders};${name}`
  }
  return { block, signedHeaders }
}

function stringToSign(amzDate: string, scope: string, canonicalRequestHash: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${canonicalRequestHash}`
}

/**
 * String-to-sign and signature of a canonical request. Awaits only real promises (WebCrypto):
 * node:crypto answers synchronously, and awaiting a plain value still costs a microtask turn.
 */
async function signCanonical(p: Prepared, canonicalRequest: string) {
  let hash = sha256Hex(canonicalRequest)
  if (typeof hash !== 'string') hash = await hash
  const toSign = stringToSign(p.amzDate, p.scope, hash)
  let key = cachedSigningKey(p)
  if (key === undefined) key = await signingKey(p)
  let signature = hmacHex(key, toSign)
  if (typeof signature !== 'string') signature = await signature
  return { toSign, signature }
}

function queryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = ''
  for (const [k, v] of pairs) out += `${out === '' ? '?' : '&'}${k}=${v}`
  return out
}

/** Headers as they are sent: repeated values joined with `,` (how AWS reads repeated headers). */
function headersToSend(headers: Map<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, values] of headers) {
    if (name === 'host') continue
    // A plain assignment to `__proto__` would set the prototype instead of a header.
    if (name === '__proto__')
      Object.defineProperty(out, name, { value: values.join(','), enumerable: true, writable: true })
    else out[name] = values.join(',')
  }
  return out
}

/**
 * Signs a request with SigV4 in the `Authorization` header.
 *
 * @example
 * const signed = await sign({ method: 'GET', url, service: 's3', region: 'us-east-1', credentials })
 * await fetch(signed.url, { method: signed.method, headers: signed.headers })
 */
export async function sign(options: SignOptions): Promise<SignedRequest> {
  const p = prepare(options)
  const { headers, credentials } = p
  const contentHashHeader = options.contentHashHeader ?? p.service === 's3'
  let payloadHash: string | Promise<string>
  if (options.payloadHash !== undefined) payloadHash = checkPayloadHash('payloadHash', options.payloadHash)
  else if (headers.has('x-amz-content-sha256')) {
    payloadHash = checkPayloadHash('headers["x-amz-content-sha256"]', headers.get('x-amz-content-sha256')?.join(','))
  } else payloadHash = hashBody(bodyBytes(options.body))
  // Everything is validated: from here on nothing throws for bad input.
  // Await only a promise (WebCrypto): awaiting a plain value still costs a microtask turn.
  if (typeof payloadHash !== 'string') payloadHash = await payloadHash

  headers.delete('authorization')
  headers.set('x-amz-date', [p.amzDate])
  if (contentHashHeader) headers.set('x-amz-content-sha256', [payloadHash])
  const token = credentials.sessionToken
  if (token) {
    if (p.signSessionToken) headers.set('x-amz-security-token', [token])
    else headers.delete('x-amz-security-token')
  }
  const { block, signedHeaders } = canonicalHeaders(p.url.host, headers, p.unsigned)
  const canonicalRequest = `${p.method}\n${p.canonicalPath}\n${canonicalQuery(p.url.query)}\n${block}\n${signedHeaders}\n${payloadHash}`
  const { toSign, signature } = await signCanonical(p, canonicalRequest)

  const out = headersToSend(headers)
  if (token && !p.signSessionToken) out['x-amz-security-token'] = token
  out.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${p.scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return {
    url: `${p.url.protocol}//${p.url.host}${p.sendPath}${queryString(p.url.query)}`,
    method: p.method,
    headers: out,
    signature,
    canonicalRequest,
    stringToSign: toSign,
    signedHeaders,
    credentialScope: p.scope,
  }
}

/**
 * Presigns a request: the signature goes in the query string, so the URL alone authorises the request
 * until it expires. Returns the URL and, for debugging, the canonical request and string-to-sign.
 */
export async function presignRequest(options: PresignOptions): Promise<PresignedRequest> {
  const p = prepare(options)
  const { headers, credentials } = p
  const expiresIn = options.expiresIn ?? 3600
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new InvalidInputError('expiresIn', `must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN} (7 days)`)
  }
  let payloadHash: string | Promise<string>
  if (options.payloadHash !== undefined) payloadHash = checkPayloadHash('payloadHash', options.payloadHash)
  else if (p.service === 's3') payloadHash = UNSIGNED_PAYLOAD
  else payloadHash = hashBody(bodyBytes(options.body))
  // Await only a promise (WebCrypto): awaiting a plain value still costs a microtask turn.
  if (typeof payloadHash !== 'string') payloadHash = await payloadHash

  const query = p.url.query.filter(([k]) => !AUTH_PARAMS.has(k))
  headers.delete('authorization')
  headers.delete('x-amz-date')
  headers.delete('x-amz-security-token')
  if (options.hoistHeaders) {
    for (const [name, values] of headers) {
      if (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256') {
        query.push([uriEncode(name), uriEncode(values.join(','))])
        headers.delete(name)
      }
    }
  }
  const { block, signedHeaders } = canonicalHeaders(p.url.host, headers, p.unsigned)
  const token = credentials.sessionToken
  query.push(
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', uriEncode(`${credentials.accessKeyId}/${p.scope}`)],
    ['X-Amz-Date', p.amzDate],
    ['X-Amz-Expires', String(expiresIn)],
  )
  if (token && p.signSessionToken) query.push(['X-Amz-Security-Token', uriEncode(token)])
  query.push(['X-Amz-SignedHeaders', uriEncode(signedHeaders)])
  const canonicalRequest = `${p.method}\n${p.canonicalPath}\n${canonicalQuery(query)}\n${block}\n${signedHeaders}\n${payloadHash}`
  const { toSign, signature } = await signCanonical(p, canonicalRequest)
  query.push(['X-Amz-Signature', signature])
  if (token && !p.signSessionToken) query.push(['X-Amz-Security-Token', uriEncode(token)])
  return {
    url: `${p.url.protocol}//${p.url.host}${p.sendPath}${queryString(query)}`,
    method: p.method,
    headers: headersToSend(headers),
    signature,
    canonicalRequest,
    stringToSign: toSign,
    signedHeaders,
    credentialScope: p.scope,
  }
}

/**
 * Presigns a request and returns the URL.
 *
 * @example
 * const url = await presign({ url: 'https://bucket.s3.amazonaws.com/key', service: 's3', region, credentials, expiresIn: 600 })
 */
export async function presign(options: PresignOptions): Promise<string> {
  return (await presignRequest(options)).url
}
