// Random requests for the differential tests (test/sign against botocore and smithy, test/sigv4a against
// the AWS CRT): URLs with every encoding a client may write, repeated query keys, header names and
// values with folding whitespace, every body form, credentials with and without session tokens. Why
// some inputs are avoided is said at the top of test/sign/differential.node.test.ts.
import fc from 'fast-check'
import type { HeadersInput, SignOptions } from '../../src/index.js'

/** Part of a URL component: what the client wrote, and the text it stands for (null: not UTF-8). */
export interface Piece {
  wire: string
  text: string | null
}

export type ComponentKind = 'path' | 'key' | 'value'

// What a client cannot leave raw in each component. In a path `/` separates segments and `?`, `#` end
// it; `+` is a plus. In a query `&` separates pairs, the first `=` ends the key, `+` is a space.
// Everything else may be raw, even where RFC 3986 says otherwise (space, `"`, `<`, non-ASCII...).
export const NOT_RAW: Record<ComponentKind, string> = { path: '/?#%', key: '&=+#%', value: '&+#%' }

export const utf8 = new TextEncoder()
export const hexByte = (byte: number, lower: boolean) => {
  const hex = byte.toString(16).padStart(2, '0')
  return `%${lower ? hex : hex.toUpperCase()}`
}
export const percentEncode = (text: string, lower: boolean) =>
  Array.from(utf8.encode(text), (b) => hexByte(b, lower)).join('')

export const asciiChar = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code))
export const nonAsciiChar = fc.oneof(
  fc.constantFrom('é', 'ü', 'ÿ', 'ß', '€', '日本', '😀', '\u00a0', '\u200b', 'Ω'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }).filter((s) => /^[^\0-\x7f]+$/.test(s)),
)

/** One character (or grapheme), written raw, percent-encoded (either hex case), or `+` for a space. */
export function charPiece(kind: ComponentKind): fc.Arbitrary<Piece> {
  return fc
    .tuple(fc.oneof(asciiChar, nonAsciiChar), fc.constantFrom('raw', 'upper', 'lower', 'plus'))
    .map(([char, how]): Piece => {
      if (how === 'plus' && char === ' ' && kind !== 'path') return { wire: '+', text: ' ' }
      if (how === 'raw' && ![...NOT_RAW[kind]].some((c) => char.includes(c))) return { wire: char, text: char }
      return { wire: percentEncode(char, how === 'lower'), text: char }
    })
}

export function piece(kind: ComponentKind, allowNonUtf8: boolean): fc.Arbitrary<Piece> {
  const pieces: Array<fc.WeightedArbitrary<Piece>> = [
    { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9\-._~]{1,6}$/).map((s) => ({ wire: s, text: s })) },
    { weight: 5, arbitrary: charPiece(kind) },
    // A `%` that starts no escape means itself.
    { weight: 1, arbitrary: fc.constantFrom('%g', '%Z', '%-', '%~').map((s) => ({ wire: s, text: s })) },
  ]
  if (allowNonUtf8) {
    // An escape of a byte that is not UTF-8 on its own: kept as that byte, never "fixed".
    const lone = fc.integer({ min: 0x80, max: 0xff }).map((b): Piece => ({ wire: hexByte(b, false), text: null }))
    pieces.push({ weight: 1, arbitrary: lone })
  }
  return fc.oneof(...pieces)
}

export function component(kind: ComponentKind, minLength: number, allowNonUtf8: boolean): fc.Arbitrary<Piece> {
  return fc.array(piece(kind, allowNonUtf8), { minLength, maxLength: 4 }).map((pieces) => ({
    wire: pieces.map((p) => p.wire).join(''),
    text: pieces.some((p) => p.text === null) ? null : pieces.map((p) => p.text).join(''),
  }))
}

export const pathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', '/') },
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: component('path', 1, true).map((c) => c.wire) },
            // Dot segments and empty segments (`//`): kept for S3, removed for the rest.
            { weight: 1, arbitrary: fc.constantFrom('.', '..', '') },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        fc.boolean(),
      )
      .map(([segments, trailingSlash]) => `/${segments.join('/')}${trailingSlash ? '/' : ''}`),
  },
)

export interface QueryPair {
  key: Piece
  /** null: no `=` at all. */
  value: Piece | null
}

// Keys written differently that mean the same, so that repeated keys are frequent.
export const KEY_POOL: Piece[] = [
  { wire: 'a', text: 'a' },
  { wire: '%61', text: 'a' },
  { wire: 'A', text: 'A' },
  { wire: 'a+b', text: 'a b' },
  { wire: 'a%20b', text: 'a b' },
  { wire: 'a b', text: 'a b' },
  { wire: 'key', text: 'key' },
]

export function queryPair(allowNonUtf8: boolean): fc.Arbitrary<QueryPair> {
  return fc.record({
    key: fc.oneof(component('key', 0, allowNonUtf8), fc.constantFrom(...KEY_POOL)),
    value: fc.option(component('value', 0, allowNonUtf8), { freq: 5 }),
  })
}

/**
 * The query string, `?` included (or nothing). Header signing: any keys, repeated. Presigning: unique
 * keys (botocore keeps one value per key) that are UTF-8 and not `x-amz-*` (awsig's own parameters and
 * hoisted headers).
 */
export function queryArb(mode: Mode): fc.Arbitrary<string> {
  const pairs =
    mode === 'header'
      ? fc.oneof(
          { weight: 3, arbitrary: fc.array(queryPair(false), { maxLength: 6 }) },
          { weight: 1, arbitrary: fc.array(queryPair(true), { maxLength: 6 }) }, // smithy cannot say these
        )
      : fc.uniqueArray(
          queryPair(false).filter((p) => !p.key.text?.toLowerCase().startsWith('x-amz-')),
          { selector: (p) => p.key.text, maxLength: 5 },
        )
  return fc
    .tuple(pairs, fc.constantFrom('', '&'), fc.constantFrom('', '&'), fc.boolean())
    .map(([list, before, after, questionMark]) => {
      const query = list.map(({ key, value }) => (value === null ? key.wire : `${key.wire}=${value.wire}`)).join('&')
      if (query === '') return questionMark ? '?' : ''
      return `?${before}${query}${after}`
    })
}

// Hosts as users write them: upper case, default and other ports, IP literals.
export const hostArb = fc.constantFrom(
  'example.amazonaws.com',
  'examplebucket.s3.us-east-1.amazonaws.com',
  'Example.COM',
  'example.com:443',
  'example.com:80',
  'localhost:9000',
  '127.0.0.1:4566',
  '[::1]:8080',
  '[2001:DB8::1]',
)
export const urlArb = (mode: Mode) =>
  fc
    .tuple(fc.constantFrom('https', 'http', 'HTTPS'), hostArb, pathArb, queryArb(mode))
    .map(([scheme, host, path, query]) => `${scheme}://${host}${path}${query}`)

export const TOKEN_CHARS = [..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"]
export const COMMON_HEADERS = [
  '__proto__', // a name that a plain object would swallow
  'content-type',
  'content-md5',
  'content-encoding',
  'range',
  'if-match',
  'accept',
  'x-amz-acl',
  'x-amz-meta-name',
  'x-amz-server-side-encryption',
  'x-amz-target',
  'x-custom',
  // smithy does not sign these by default (see the top of the file).
  'cache-control',
  'pragma',
  'from',
  'referer',
  'max-forwards',
  'sec-fetch-mode',
  'proxy-x',
]
// Never signed by awsig or botocore, or set by the signers themselves.
export const NOT_GENERATED = new Set([
  ...['authorization', 'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization'],
  ...['te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id'],
  ...['host', 'date', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'set-cookie'],
  ...['x-amz-algorithm', 'x-amz-credential', 'x-amz-expires', 'x-amz-signedheaders', 'x-amz-signature'],
])
export const headerName = fc
  .mixedCase(
    fc.oneof(
      fc.constantFrom(...COMMON_HEADERS),
      fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 10 }),
    ),
  )
  .filter((name) => !NOT_GENERATED.has(name.toLowerCase()))

// Visible ASCII and Latin-1 (not \x85, \xa0: see the top of the file), with runs of spaces and tabs
// anywhere, leading and trailing included.
export const VALUE_CHARS = [
  ...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)),
  ...Array.from({ length: 0xff - 0xa1 + 1 }, (_, i) => String.fromCharCode(0xa1 + i)),
]
export const headerValue = fc
  .array(
    fc.oneof(
      fc.string({ unit: fc.constantFrom(...VALUE_CHARS), minLength: 1, maxLength: 6 }),
      fc.stringMatching(/^[ \t]{1,3}$/),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''))

export type Mode = 'header' | 'query'
export type HeaderForm = 'record' | 'pairs' | 'Headers'

export type Payload =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array; view: 'Uint8Array' | 'ArrayBuffer' | 'DataView' }
  | { kind: 'hash'; payloadHash: string }

export const payloadHashArb = fc.oneof(
  fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
)
export const payloads = {
  none: fc.constant<Payload>({ kind: 'none' }),
  text: fc.string({ unit: 'grapheme', maxLength: 20 }).map((text): Payload => ({ kind: 'text', text })),
  bytes: fc
    .record({ bytes: fc.uint8Array({ maxLength: 64 }), view: fc.constantFrom('Uint8Array', 'ArrayBuffer', 'DataView') })
    .map(({ bytes, view }): Payload => ({ kind: 'bytes', bytes, view })),
  hash: payloadHashArb.map((payloadHash): Payload => ({ kind: 'hash', payloadHash })),
}
export function payloadArb(mode: Mode, s3: boolean): fc.Arbitrary<Payload> {
  if (mode === 'header') return fc.oneof(payloads.none, payloads.text, payloads.bytes, payloads.hash)
  // Presigned S3 URLs sign UNSIGNED-PAYLOAD whatever the body; elsewhere botocore can sign no body.
  return s3 ? fc.oneof(payloads.none, payloads.bytes, payloads.hash) : fc.oneof(payloads.none, payloads.hash)
}

export const credentialsArb = fc
  .record({
    accessKeyId: fc.oneof(
      fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{16}$/),
      // Any visible ASCII but `/` (awsig refuses the rest: the key goes into a header as it is).
      fc.string({ unit: fc.constantFrom(...'ABCxyz019+=_.-~!'), minLength: 1, maxLength: 12 }),
    ),
    secretAccessKey: fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+/]{40}$/),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    ),
    // Visible ASCII, as STS issues them (awsig refuses spaces and line breaks in a token).
    sessionToken: fc.option(fc.string({ unit: fc.constantFrom(...'AZaz09+/='), minLength: 1, maxLength: 40 })),
  })
  .map(({ sessionToken, ...keys }): Credentials => (sessionToken === null ? keys : { ...keys, sessionToken }))

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** One generated request. `headers` are entries of a name and its values, names repeatable. */
export interface Case {
  mode: Mode
  service: string
  region: string
  method: string
  url: string
  /** A URL object is parsed (and its path resolved) by the WHATWG parser before awsig sees it. */
  urlForm: 'string' | 'URL'
  headerForm: HeaderForm
  headers: Array<[string, string[]]>
  payload: Payload
  date: Date
  credentials: Credentials
  expiresIn: number
  hoistHeaders: boolean
}

/** Signing names that take S3's rules (botocore's S3 signers), as the AWS SDKs apply them. */
export const S3_NAMES: ReadonlySet<string> = new Set(['s3', 's3-object-lambda', 's3-outposts', 's3express'])

export function caseArb(mode: Mode, s3: boolean): fc.Arbitrary<Case> {
  return fc.record({
    mode: fc.constant(mode),
    service: s3
      ? fc.constantFrom('s3', 's3', 's3', 's3-object-lambda', 's3-outposts', 's3express')
      : fc.oneof(
          fc.constantFrom('execute-api', 'dynamodb', 'sts', 'lambda'),
          fc.stringMatching(/^[a-z0-9._-]{1,12}$/).filter((s) => !S3_NAMES.has(s)),
        ),
    region: fc.oneof(fc.constantFrom('us-east-1', 'eu-west-2', 'cn-north-1'), fc.stringMatching(/^[a-z0-9-]{1,12}$/)),
    method: fc.mixedCase(fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'PROPFIND')),
    url: urlArb(mode),
    urlForm: fc.constantFrom('string', 'string', 'URL'),
    headerForm: fc.constantFrom<HeaderForm>('record', 'pairs', 'Headers'),
    headers: fc.array(fc.tuple(headerName, fc.array(headerValue, { minLength: 1, maxLength: 3 })), { maxLength: 5 }),
    payload: payloadArb(mode, s3),
    date: fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2099-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    }),
    credentials: credentialsArb,
    expiresIn: fc.integer({ min: 1, max: 604_800 }),
    hoistHeaders: fc.boolean(),
  })
}

/** The case's headers in its input form, and the [name, value] pairs that form puts on the wire. */
export function headersInput(c: Case): { input: HeadersInput; sent: Array<[string, string]> } {
  const pairs = c.headers.flatMap(([name, values]) => values.map((v): [string, string] => [name, v]))
  if (c.headerForm === 'pairs') return { input: pairs, sent: pairs }
  if (c.headerForm === 'Headers') {
    // Headers joins repeated values with ", " and trims each; awsig sees what it holds.
    const headers = new Headers(pairs)
    return { input: headers, sent: [...headers] }
  }
  // A record: one key per name as written, an array for several values (Object.keys order).
  const byName = new Map<string, string[]>()
  for (const [name, values] of c.headers) byName.set(name, [...(byName.get(name) ?? []), ...values])
  const record = Object.fromEntries([...byName].map(([k, v]) => [k, v.length === 1 ? (v[0] as string) : v]))
  const sent = Object.keys(record).flatMap((name) =>
    (byName.get(name) as string[]).map((v): [string, string] => [name, v]),
  )
  return { input: record, sent }
}

export function bodyOf(payload: Payload): Uint8Array | null {
  if (payload.kind === 'text') return utf8.encode(payload.text)
  if (payload.kind === 'bytes') return payload.bytes
  return null
}

/** The body as the case hands it to awsig. */
export function bodyInput(payload: Payload): SignOptions['body'] {
  if (payload.kind === 'text') return payload.text
  if (payload.kind !== 'bytes') return undefined
  const { bytes, view } = payload
  if (view === 'Uint8Array') return bytes
  if (view === 'ArrayBuffer') return bytes.slice().buffer
  const padded = new Uint8Array(bytes.length + 5)
  padded.set(bytes, 3)
  return new DataView(padded.buffer, 3, bytes.length)
}
