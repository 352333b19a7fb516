// Differential tests: awsig against two reference signers on random requests.
//
// - botocore (the AWS SDK for Python, run in a child process: test/support/botocore-signer.py) on every
//   request: canonical request, string to sign, signature, and the headers or URL it produces.
// - @smithy/signature-v4 (the AWS SDK for JavaScript v3's signer) on the subset where its input model
//   can express the same request (see `toSmithy`).
//
// Both references are given the URL awsig says to send (`signed.url`), whose path and query are in
// their canonical encoding already: botocore takes the query string (and the S3 path) verbatim, so it
// can only check that awsig signs what it sends. What the URL *means* is checked separately: Python's
// urllib decodes the original URL and `signed.url`, and the bytes must be the same; and the S3 path and
// every query key and value of `signed.url` must be in SigV4's encoding (RFC 3986, upper-case hex,
// unreserved characters never escaped). Together these pin the canonical encoding down.
//
// Where the references disagree with us or with each other (by design, not by bug), the generators
// avoid the input or the adapter bridges it, and the last `describe` pins the disagreement down:
// - botocore never signs connection, expect, keep-alive, proxy-authenticate, proxy-authorization, te,
//   trailer, transfer-encoding, upgrade, user-agent, x-amzn-trace-id; awsig's list is the same (with
//   authorization, minus proxy-authenticate). None is generated, nor headers the signers set themselves
//   (host, date, x-amz-date, x-amz-security-token, x-amz-content-sha256).
// - botocore replaces a `Date` header with its own and then signs no X-Amz-Date.
// - botocore collapses every character Python's str.split() calls whitespace (\x85, \xa0 too) in header
//   values; awsig and smithy collapse only spaces and tabs (HTTP's whitespace). Values here use neither.
// - botocore's SigV4QueryAuth parses the query into a dict: a repeated key keeps only its first value,
//   and escapes that are not UTF-8 become U+FFFD. Query-mode keys here are unique and UTF-8.
// - botocore's SigV4QueryAuth (non-S3) hashes the body, but first moves a non-empty body into the query
//   as form parameters (JSON-decoding it), so only an empty body works: it signs the empty-string hash,
//   not UNSIGNED-PAYLOAD. S3SigV4QueryAuth signs UNSIGNED-PAYLOAD. awsig does both by default.
// - botocore's SigV4QueryAuth drops `content-type: application/x-www-form-urlencoded; charset=utf-8`.
// - botocore chooses the payload hash from request-context flags awsig has no counterpart for; the
//   Python side replaces it with `payloadHash` when the test gives one.
// - smithy never signs cache-control, from, max-forwards, pragma, referer, proxy-*, sec-*: the test
//   passes every generated name as `signableHeaders`.
// - smithy takes one string per header: awsig trims each value of a repeated header before joining,
//   smithy trims only the joined string. Compared only when repeated values have no edge whitespace.
// - smithy presigning hoists every x-amz-* header into the query with the name as given; awsig hoists
//   only with `hoistHeaders` and with the lower-case name. The test passes lower-case names and
//   `unhoistableHeaders`.
// - smithy takes the payload hash from an x-amz-content-sha256 header (or hashes the body) and signs
//   that header only if asked: the test passes it as unsignable when awsig does not sign it.
// - smithy neither adds `host` nor upper-cases the method; it drops any `x-amz-signature` query key.
import { createHash } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { SignatureV4 } from '@smithy/signature-v4'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HeadersInput, type PresignOptions, presignRequest, type SignOptions, sign } from '../../src/index.js'
import { canonicalHeaderValue } from '../../src/sign/request.js'
import { Botocore, type BotocoreSigned, botocoreInstalled, type DecodedUrl } from '../support/botocore.js'
import { NodeSha256 } from '../support/node-sha256.js'
import { bodyInput, bodyOf, type Case, caseArb, headersInput, type Mode, S3_NAMES } from '../support/request-cases.js'

/** Runs per property; 4 properties, 10,000 requests per `npm test`. */
const RUNS = { headerS3: 2500, headerOther: 2500, queryS3: 2500, queryOther: 2500 }

// =====================================================================================================
// Running awsig and the references
// =====================================================================================================

const AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
])
const EMPTY_SHA256 = createHash('sha256').digest('hex')

/** The payload hash the signers should sign, worked out independently of them. */
function expectedPayloadHash(c: Case): string {
  if (c.payload.kind === 'hash') return c.payload.payloadHash
  if (c.mode === 'query' && S3_NAMES.has(c.service)) return 'UNSIGNED-PAYLOAD'
  const body = bodyOf(c.payload)
  return body === null ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex')
}

async function signWithAwsig(c: Case, input: HeadersInput) {
  const common = {
    method: c.method,
    url: c.urlForm === 'URL' ? new URL(c.url) : c.url,
    headers: input,
    service: c.service,
    region: c.region,
    credentials: c.credentials,
    date: c.date,
    ...(c.payload.kind === 'hash' ? { payloadHash: c.payload.payloadHash } : { body: bodyInput(c.payload) }),
  } satisfies SignOptions
  if (c.mode === 'header') return sign(common)
  const options: PresignOptions = { ...common, expiresIn: c.expiresIn, hoistHeaders: c.hoistHeaders }
  return presignRequest(options)
}

/** `[key, value]` pairs of a URL's query, as written. */
function queryPairs(url: string): Array<[string, string]> {
  const query = url.split('#')[0]?.split('?').slice(1).join('?') ?? ''
  if (query === '') return []
  return query.split('&').map((part): [string, string] => {
    const eq = part.indexOf('=')
    return eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]
  })
}
const pathOf = (url: string) => /^[a-z]+:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? ''
/** A presigned URL without the parameters presigning added (botocore adds its own). */
function withoutAuthParams(url: string): string {
  const pairs = queryPairs(url).filter(([key]) => !AUTH_PARAMS.has(key))
  return `${url.split('?')[0]}${pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`}`
}
const sortPairs = (pairs: Array<[string, string]>) =>
  pairs.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))

/** Lower-case names, repeated headers joined with `,` (how awsig reports the headers to send), sorted. */
function joinHeaders(pairs: Iterable<readonly [string, string]>): Array<[string, string]> {
  const joined = new Map<string, string>()
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase()
    const previous = joined.get(lower)
    joined.set(lower, previous === undefined ? value : `${previous},${value}`)
  }
  return [...joined].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/
/**
 * In SigV4's encoding: unreserved characters raw, everything else as upper-case hex escapes. In a path
 * `/` separates segments, and an escaped slash (`%2F`, part of a segment) stays escaped.
 */
function isCanonical(text: string, path: boolean): boolean {
  const form = path ? /^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*$/ : /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/
  if (!form.test(text)) return false
  for (const [, hex] of text.matchAll(/%([0-9A-F]{2})/g)) {
    if (UNRESERVED.test(String.fromCharCode(Number.parseInt(hex as string, 16)))) return false
  }
  return true
}

interface SigningParts {
  canonicalRequest: string
  stringToSign: string
  signature: string
}
const partsOf = ({ canonicalRequest, stringToSign, signature }: SigningParts): SigningParts => ({
  canonicalRequest,
  stringToSign,
  signature,
})

// --- smithy ------------------------------------------------------------------------------------------

/** SignatureV4 that remembers the canonical request and string to sign it computed last. */
class CapturingSignatureV4 extends SignatureV4 {
  canonicalRequest = ''
  stringToSign = ''
  protected override createCanonicalRequest(...args: Parameters<SignatureV4['createCanonicalRequest']>): string {
    this.canonicalRequest = super.createCanonicalRequest(...args)
    return this.canonicalRequest
  }
  protected override async createStringToSign(...args: Parameters<SignatureV4['createStringToSign']>): Promise<string> {
    this.stringToSign = await super.createStringToSign(...args)
    return this.stringToSign
  }
}

type SmithyRequest = Parameters<SignatureV4['presign']>[0]
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true })
const hexToText = (hex: string) => fatalUtf8.decode(Buffer.from(hex, 'hex'))

/**
 * Signs the case with smithy, or returns null where smithy's input model cannot say the same thing.
 * smithy gets the query decoded from the *original* URL (by urllib) and encodes it itself.
 */
async function signWithSmithy(
  c: Case,
  sent: Array<[string, string]>,
  signedUrl: string,
  original: DecodedUrl,
): Promise<SigningParts | null> {
  const s3 = S3_NAMES.has(c.service)
  // One string per header: comparable when repeated values have no edge whitespace.
  const counts = new Map<string, number>()
  for (const [name] of sent) counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1)
  for (const [name, value] of sent) {
    if ((counts.get(name.toLowerCase()) as number) > 1 && /^[ \t]|[ \t]$/.test(value)) return null
  }
  const headers: Record<string, string> = Object.fromEntries(joinHeaders(sent))
  // smithy's query: decoded strings, an array for a repeated key.
  const values = new Map<string, string[]>()
  try {
    for (const [key, value] of original.query) {
      const text = hexToText(key)
      values.set(text, [...(values.get(text) ?? []), hexToText(value)])
    }
  } catch {
    return null // not UTF-8
  }
  if (values.has('__proto__')) return null
  const query = Object.fromEntries([...values].map(([k, v]) => [k, v.length === 1 ? (v[0] as string) : v]))

  const signableHeaders = new Set(Object.keys(headers))
  const unsignableHeaders = new Set<string>()
  const host = new URL(signedUrl).host
  let body: Uint8Array | undefined
  const payloadInHeader = c.mode === 'query' || s3 || c.payload.kind === 'hash'
  if (payloadInHeader) {
    headers['x-amz-content-sha256'] = expectedPayloadHash(c)
    if (!(c.mode === 'header' && s3)) unsignableHeaders.add('x-amz-content-sha256')
  } else {
    body = bodyOf(c.payload) ?? undefined
  }
  const request: SmithyRequest = {
    method: c.method.toUpperCase(),
    protocol: new URL(signedUrl).protocol,
    hostname: host,
    path: pathOf(signedUrl),
    query,
    headers: { ...headers, host },
    body,
  }
  const signer = new CapturingSignatureV4({
    service: c.service,
    region: c.region,
    credentials: c.credentials,
    sha256: NodeSha256,
    uriEscapePath: !s3,
    applyChecksum: false,
  })
  let signature: string | undefined
  if (c.mode === 'header') {
    const signed = await signer.sign(request, { signingDate: c.date, signableHeaders, unsignableHeaders })
    signature = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1]
  } else {
    const unhoistableHeaders = new Set(['x-amz-content-sha256'])
    if (!c.hoistHeaders) for (const name of Object.keys(headers)) unhoistableHeaders.add(name)
    const presigned = await signer.presign(request, {
      signingDate: c.date,
      expiresIn: c.expiresIn,
      signableHeaders,
      unsignableHeaders,
      unhoistableHeaders,
    })
    signature = String(presigned.query?.['X-Amz-Signature'])
  }
  return { canonicalRequest: signer.canonicalRequest, stringToSign: signer.stringToSign, signature: signature ?? '' }
}

// --- the property ----------------------------------------------------------------------------------

// Without botocore the whole file is skipped after a loud warning, as the moto tests do; in CI
// (`CI=true`) a missing botocore is an error instead.
const HAVE_BOTOCORE = botocoreInstalled()
if (!HAVE_BOTOCORE) {
  if (process.env.CI === 'true') throw new Error('differential tests: python3 cannot import botocore')
  const bar = '!'.repeat(78)
  console.warn(
    `\n${bar}\n!! SKIPPING the differential tests: python3 cannot import botocore.\n!! To run them: pip install botocore\n${bar}\n`,
  )
}

let botocore: Botocore
beforeAll(() => {
  if (HAVE_BOTOCORE) botocore = new Botocore()
})
afterAll(async () => {
  await botocore?.close()
})
const HOISTED_HEX = Buffer.from('x-amz-').toString('hex')

/** Asserts equality; cheap when equal, vitest's diff when not. */
function same<T>(label: string, actual: T, expected: T): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, label).toEqual(expected)
}

/** Checks one case against both references; returns whether smithy could be compared. */
async function check(c: Case): Promise<boolean> {
  const { input, sent } = headersInput(c)
  const ours = await signWithAwsig(c, input)
  const s3 = S3_NAMES.has(c.service)
  const givenUrl = c.urlForm === 'URL' ? new URL(c.url).href : c.url

  // What botocore gets: the URL awsig sends (without the parameters presigning adds) and the headers
  // the user of the URL must send.
  const hoisted = (name: string) => c.mode === 'query' && c.hoistHeaders && name.toLowerCase().startsWith('x-amz-')
  const botocoreUrl = c.mode === 'header' ? ours.url : withoutAuthParams(ours.url)
  const botocoreHeaders = sent.filter(([name]) => !hoisted(name))
  const [theirs, [original, sending]] = await Promise.all([
    botocore.sign({
      mode: c.mode,
      service: c.service,
      region: c.region,
      method: c.method,
      url: botocoreUrl,
      headers: botocoreHeaders,
      // SigV4QueryAuth would move a body into the query: presigning never gives it one.
      body: c.mode === 'header' ? bodyOf(c.payload) : null,
      payloadHash: c.payload.kind === 'hash' ? c.payload.payloadHash : undefined,
      date: c.date,
      credentials: c.credentials,
      expires: c.expiresIn,
    }),
    botocore.decode([givenUrl, botocoreUrl]) as Promise<[DecodedUrl, DecodedUrl]>,
  ])

  // 1. The same canonical request, string to sign and signature as botocore.
  same('awsig vs botocore', partsOf(ours), partsOf(theirs))

  // 2. The same headers (and presigned URL) as botocore, up to SigV4's folding of each value: botocore
  // sends repeated values as given (`one ,two`), which a verifier canonicalises to `one ,two`, not the
  // `one,two` both sign; awsig sends each value folded, so that what is sent is what was signed.
  // So: the same header names as botocore, unsigned ones with the same values, signed ones sent as signed.
  const names = (pairs: Iterable<readonly [string, string]>) => joinHeaders(pairs).map(([name]) => name)
  same('header names vs botocore', names(Object.entries(ours.headers)), names(theirs.headers))
  for (const [name, value] of Object.entries(ours.headers)) {
    if (!ours.signedHeaders.split(';').includes(name)) continue
    const line = ours.canonicalRequest.split('\n').find((l) => l.startsWith(`${name}:`))
    same(`sent ${name} canonicalises to what was signed`, `${name}:${canonicalHeaderValue(value)}`, line)
  }
  if (c.mode === 'query') {
    same('presigned query vs botocore', sortPairs(queryPairs(ours.url)), sortPairs(queryPairs(theirs.url)))
  }

  // 3. signed.url means what the URL given meant (as urllib decodes both) ...
  const userQuery = c.mode === 'query' ? sending.query.filter(([k]) => !k.startsWith(HOISTED_HEX)) : sending.query
  same(
    'signed.url vs url: decoded bytes',
    { path: sending.path, query: userQuery },
    { path: original.path === '' ? '2f' : original.path, query: original.query },
  )
  // ... written in SigV4's encoding (the S3 path, every query key and value): the only such writing.
  const notCanonical = queryPairs(ours.url)
    .flat()
    .filter((part) => !isCanonical(part, false))
  if (s3 && !isCanonical(pathOf(ours.url), true)) notCanonical.unshift(pathOf(ours.url))
  same('parts of signed.url not in SigV4 encoding', notCanonical, [])

  // 4. smithy, where comparable.
  const smithy = await signWithSmithy(c, sent, ours.url, original)
  if (smithy !== null) same('awsig vs @smithy/signature-v4', partsOf(ours), smithy)
  return smithy !== null
}

describe.skipIf(!HAVE_BOTOCORE)('differential: awsig vs botocore and @smithy/signature-v4', () => {
  // Concurrent, so that the four properties keep botocore's pipe busy.
  const cases: Array<[string, Mode, boolean, number]> = [
    ['sign, S3', 'header', true, RUNS.headerS3],
    ['sign, other services', 'header', false, RUNS.headerOther],
    ['presign, S3', 'query', true, RUNS.queryS3],
    ['presign, other services', 'query', false, RUNS.queryOther],
  ]
  it.concurrent.each(cases)('%s', { timeout: 60_000 }, async (_name, mode, s3, numRuns) => {
    let smithyCompared = 0
    await fc.assert(
      fc.asyncProperty(caseArb(mode, s3), async (c) => {
        if (await check(c)) smithyCompared++
      }),
      { numRuns },
    )
    // The smithy subset must not quietly shrink to nothing.
    expect(smithyCompared).toBeGreaterThan(numRuns / 3)
  })
})

// =====================================================================================================
// Where the references disagree (see the top of the file): pinned, so that a change shows
// =====================================================================================================

describe.skipIf(!HAVE_BOTOCORE)('differential: known disagreements between the references', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const date = new Date('2015-08-30T12:36:00Z')
  const base = { service: 'service', region: 'us-east-1', credentials, date }
  const botocoreSign = (
    mode: Mode,
    url: string,
    headers: Array<[string, string]> = [],
    extra: Partial<Parameters<Botocore['sign']>[0]> = {},
  ): Promise<BotocoreSigned> =>
    botocore.sign({ mode, method: 'GET', url, headers, body: null, expires: 3600, ...base, ...extra })
  const queryLine = (cr: string) => cr.split('\n')[2]
  const headerLine = (cr: string, name: string) => cr.split('\n').find((l) => l.startsWith(`${name}:`))

  it('botocore presigning keeps the first of repeated query keys; awsig signs all', async () => {
    const url = 'https://example.amazonaws.com/?a=2&a=1'
    const ours = await presignRequest({ ...base, url })
    const theirs = await botocoreSign('query', url)
    expect(queryLine(ours.canonicalRequest)).toMatch(/&X-Amz-SignedHeaders=host&a=1&a=2$/)
    expect(queryLine(theirs.canonicalRequest)).toMatch(/^X-Amz-Algorithm=.*&a=2$/)
  })

  it('botocore presigning turns escapes that are not UTF-8 into U+FFFD; awsig keeps the bytes', async () => {
    const url = 'https://example.amazonaws.com/?a=%FF'
    const ours = await presignRequest({ ...base, url })
    const theirs = await botocoreSign('query', url)
    expect(queryLine(ours.canonicalRequest)).toMatch(/&a=%FF$/)
    expect(queryLine(theirs.canonicalRequest)).toMatch(/&a=%EF%BF%BD$/)
  })

  it('botocore (non-S3) presigning signs the empty-body hash, not UNSIGNED-PAYLOAD', async () => {
    const url = 'https://example.amazonaws.com/'
    const theirs = await botocoreSign('query', url)
    const ours = await presignRequest({ ...base, url })
    expect(theirs.canonicalRequest.endsWith(`\n${EMPTY_SHA256}`)).toBe(true)
    expect(partsOf(ours)).toEqual(partsOf(theirs))
  })

  it('botocore collapses \\xa0 and \\x85 in header values; awsig and smithy keep them', async () => {
    const headers: Array<[string, string]> = [['x-a', 'a\u00a0\u00a0b\u0085']]
    const ours = await sign({ ...base, url: 'https://example.amazonaws.com/', headers })
    const theirs = await botocoreSign('header', 'https://example.amazonaws.com/', headers)
    expect(headerLine(ours.canonicalRequest, 'x-a')).toBe('x-a:a\u00a0\u00a0b\u0085')
    expect(headerLine(theirs.canonicalRequest, 'x-a')).toBe('x-a:a b')
  })

  it('botocore takes the query verbatim: given a URL not in SigV4 encoding, it signs that', async () => {
    const url = 'https://example.amazonaws.com/?b=%7e&a=x+y'
    const ours = await sign({ ...base, url })
    const theirs = await botocoreSign('header', url)
    expect(queryLine(ours.canonicalRequest)).toBe('a=x%20y&b=~')
    expect(queryLine(theirs.canonicalRequest)).toBe('a=x+y&b=%7e')
    expect(partsOf(await botocoreSign('header', ours.url))).toEqual(partsOf(ours))
  })

  const smithyRequest = (headers: Record<string, string>): SmithyRequest => ({
    method: 'GET',
    protocol: 'https:',
    hostname: 'example.amazonaws.com',
    path: '/',
    headers: { host: 'example.amazonaws.com', ...headers },
  })
  const smithySigner = () => new CapturingSignatureV4({ ...base, sha256: NodeSha256, applyChecksum: false })

  it('smithy does not sign cache-control (nor from, pragma, referer, max-forwards, proxy-*, sec-*)', async () => {
    const signer = smithySigner()
    await signer.sign(smithyRequest({ 'cache-control': 'no-cache' }), { signingDate: date })
    const ours = await sign({
      ...base,
      url: 'https://example.amazonaws.com/',
      headers: { 'cache-control': 'no-cache' },
    })
    expect(signer.canonicalRequest).not.toContain('cache-control')
    expect(ours.canonicalRequest).toContain('\ncache-control:no-cache\n')
  })

  it('smithy takes one string per header: repeated values are not trimmed one by one', async () => {
    const signer = smithySigner()
    await signer.sign(smithyRequest({ 'x-a': 'a ,b' }), { signingDate: date })
    const ours = await sign({
      ...base,
      url: 'https://example.amazonaws.com/',
      headers: [
        ['x-a', 'a '],
        ['x-a', 'b'],
      ],
    })
    const theirs = await botocoreSign('header', 'https://example.amazonaws.com/', [
      ['x-a', 'a '],
      ['x-a', 'b'],
    ])
    expect(headerLine(signer.canonicalRequest, 'x-a')).toBe('x-a:a ,b')
    expect(headerLine(ours.canonicalRequest, 'x-a')).toBe('x-a:a,b')
    expect(headerLine(theirs.canonicalRequest, 'x-a')).toBe('x-a:a,b')
  })

  it('smithy hoists every x-amz-* header, name as given; awsig only when asked, name in lower case', async () => {
    const signer = smithySigner()
    const presigned = await signer.presign(smithyRequest({ 'X-Amz-Meta-A': '1' }), { signingDate: date })
    expect(Object.keys(presigned.query ?? {})).toContain('X-Amz-Meta-A')
    const url = 'https://example.amazonaws.com/'
    const headers = { 'X-Amz-Meta-A': '1' }
    expect((await presignRequest({ ...base, url, headers })).headers).toEqual({ 'x-amz-meta-a': '1' })
    expect((await presignRequest({ ...base, url, headers, hoistHeaders: true })).url).toContain(
      '/?x-amz-meta-a=1&X-Amz-Algorithm=',
    )
  })

  it('botocore signs a Date header instead of X-Amz-Date', async () => {
    const theirs = await botocoreSign('header', 'https://example.amazonaws.com/', [['Date', 'whatever']])
    expect(theirs.canonicalRequest).toContain('\ndate:Sun, 30 Aug 2015 12:36:00 -0000\nhost:')
    expect(theirs.canonicalRequest).not.toContain('x-amz-date')
  })
})
