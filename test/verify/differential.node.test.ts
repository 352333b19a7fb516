// Differential tests of verification: requests signed by signers nobody here wrote (botocore's SigV4Auth,
// S3SigV4Auth, SigV4QueryAuth and S3SigV4QueryAuth; @smithy/signature-v4's sign and presign; the AWS CRT's
// aws_sign_request for SigV4 and SigV4a, header and query) are accepted by verifyRequest exactly as they
// would be sent; then random single-character mutations of what they signed (method, path, query, signed
// headers, the Authorization header or X-Amz-* parameters, the body) are refused with a VerificationError
// and the code AWS answers. Deterministic: fixed seeds.
//
// URLs are written as the SDKs' serializers write them: every byte but the unreserved characters
// percent-encoded, upper-case hex (botocore signs the query text it is given, so another spelling would
// sign what AWS never computes). Keys are unique in presigned URLs (botocore keeps one value per key).
// Dot segments are left to the vector suites: a mutation inside a segment that `..` removes changes
// nothing signed.
import { createHash } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { auth, http } from 'aws-crt'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sigv4 } from '../../src/sign/algorithm.js'
import { sigv4a } from '../../src/sigv4a/index.js'
import { VerificationError, type VerifyRequestOptions, verifyRequest } from '../../src/verify/index.js'
import { Botocore, botocoreInstalled } from '../support/botocore.js'
import { NodeSha256 } from '../support/node-sha256.js'

/** Requests per reference and mode; each verified, then MUTATIONS mutations of it refused. */
const RUNS = 150
const MUTATIONS = 12
const EMPTY_SHA256 = createHash('sha256').digest('hex')

const encode = (text: string) =>
  Array.from(Buffer.from(text, 'utf8'), (b) =>
    /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('')
const CHARS = [...'abcXYZ019-_.~ !"#$%&\'()*+,:;<=>?@[\\]^`{|}', 'é', '日', '😀']
const text = (min: number, max: number) =>
  fc.array(fc.constantFrom(...CHARS), { minLength: min, maxLength: max }).map((a) => a.join(''))
const headerValue = fc
  .array(fc.oneof(fc.constantFrom(' ', '\t', '  '), fc.stringMatching(/^[!-~]{1,5}$/)), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('').trim() || 'v')

const caseArb = (mode: 'header' | 'query') =>
  fc.record({
    s3: fc.boolean(),
    service: fc.constantFrom('execute-api', 'dynamodb', 'lambda', 'x.y-z'),
    s3Name: fc.constantFrom('s3', 's3', 's3express', 's3-object-lambda'),
    region: fc.constantFrom('us-east-1', 'eu-west-2', 'cn-north-1'),
    method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH'),
    host: fc.constantFrom('example.com', 'b.s3.amazonaws.com', 'localhost:9000', '127.0.0.1:4566'),
    segments: fc.array(text(1, 6), { maxLength: 4 }),
    trailingSlash: fc.boolean(),
    query:
      mode === 'header'
        ? fc.array(fc.tuple(fc.oneof(text(1, 4), fc.constantFrom('a', 'A', 'a b')), fc.option(text(0, 4))), {
            maxLength: 5,
          })
        : fc.uniqueArray(fc.tuple(text(1, 4), fc.option(text(0, 4))), { maxLength: 4, selector: ([k]) => k }),
    headers: fc.array(
      fc.tuple(
        fc.mixedCase(fc.constantFrom('content-type', 'x-amz-meta-a', 'x-custom', 'range', 'x-amz-target')),
        fc.array(headerValue, { minLength: 1, maxLength: 3 }),
      ),
      { maxLength: 4 },
    ),
    body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 })),
    unsignedPayload: fc.boolean(),
    credentials: fc.record(
      {
        accessKeyId: fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{16}$/),
        secretAccessKey: fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9+/]{40}$/),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
        ),
        sessionToken: fc.stringMatching(/^[A-Za-z0-9+/=]{1,40}$/),
      },
      { requiredKeys: ['accessKeyId', 'secretAccessKey'] },
    ),
    date: fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000)),
    expires: fc.integer({ min: 1, max: 604_800 }),
    // Where in its validity the request arrives: header auth within the 15-minute skew, presigned before expiry.
    arrival: fc.double({ min: 0, max: 1, noNaN: true }),
  })
type Case = ReturnType<typeof caseArb> extends fc.Arbitrary<infer T> ? T : never

const sample = (mode: 'header' | 'query', seed: number) => fc.sample(caseArb(mode), { numRuns: RUNS, seed })
const serviceOf = (c: Case) => (c.s3 ? c.s3Name : c.service)
const pathOf = (c: Case) => `/${c.segments.map(encode).join('/')}${c.trailingSlash && c.segments.length > 0 ? '/' : ''}`
const queryOf = (c: Case) =>
  c.query.map(([key, value]) => (value === null ? encode(key) : `${encode(key)}=${encode(value)}`)).join('&')
const headerPairs = (c: Case) => c.headers.flatMap(([name, values]) => values.map((v): [string, string] => [name, v]))

function arrival(c: Case, presigned: boolean): number {
  if (presigned) return c.date.getTime() + Math.floor(c.arrival * c.expires) * 1000
  return c.date.getTime() + Math.round((c.arrival * 2 - 1) * 899) * 1000
}

// --- Mutations ------------------------------------------------------------------------------------

/** What a mutation may be answered with: the codes AWS answers when it is refused. */
const SIGNATURE = new Set(['SignatureDoesNotMatch'])
const BODY = new Set(['SignatureDoesNotMatch', 'XAmzContentSHA256Mismatch'])
const ANY_AUTH = new Set([
  'SignatureDoesNotMatch',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'InvalidArgument',
  'InvalidAccessKeyId',
  'InvalidToken',
  'AccessDenied',
  'RequestTimeTooSkewed',
  'InvalidRequest',
])
// Headers the verifier reads for more than their signed value: a change may be refused before the signature.
const READ_HEADERS = new Set(['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'])
const READ_HEADERS_V4A = new Set([...READ_HEADERS, 'x-amz-region-set'])

/** A request as it is sent: what verifyRequest is given. */
interface Sent {
  method: string
  url: string
  headers: Array<[string, string]>
  body: Uint8Array | null
}

interface Mutation {
  what: string
  request: Sent
  codes: ReadonlySet<string>
}

const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'a' ? 'b' : 'a') + s.slice(at + 1)
const inEscape = (s: string, at: number) => s[at] === '%' || s[at - 1] === '%' || s[at - 2] === '%'

/** Every single-character mutation of a signed part of `request`, with the codes that may refuse it. */
function mutations(request: Sent, signedHeaders: readonly string[], bodySigned: boolean): Mutation[] {
  const out: Mutation[] = []
  const { url, headers } = request
  out.push({
    what: 'method',
    request: { ...request, method: request.method === 'GET' ? 'PUT' : 'GET' },
    codes: SIGNATURE,
  })
  const pathStart = url.indexOf('/', url.indexOf('//') + 2)
  const queryStart = url.includes('?') ? url.indexOf('?') : url.length
  // The first `/` is left alone: without it the authority would end elsewhere.
  for (let at = pathStart + 1; at < queryStart; at++) {
    if (inEscape(url, at) || url[at] === '/') continue
    out.push({ what: `path@${at}`, request: { ...request, url: flip(url, at) }, codes: SIGNATURE })
  }
  let pairStart = queryStart + 1
  for (let at = queryStart + 1; at < url.length; at++) {
    if (url[at] === '&') pairStart = at + 1
    if (inEscape(url, at) || url[at] === '&' || url[at] === '=') continue
    const auth = url.startsWith('X-Amz-', pairStart)
    out.push({ what: `query@${at}`, request: { ...request, url: flip(url, at) }, codes: auth ? ANY_AUTH : SIGNATURE })
  }
  headers.forEach(([name, value], index) => {
    const lower = name.toLowerCase()
    if (lower !== 'authorization' && (!signedHeaders.includes(lower) || lower === 'host')) return
    const read =
      request.url.includes('X-Amz-Region-Set') || headers.some(([n]) => n.toLowerCase() === 'x-amz-region-set')
    const codes = (read ? READ_HEADERS_V4A : READ_HEADERS).has(lower) ? ANY_AUTH : SIGNATURE
    for (let at = 0; at < value.length; at++) {
      if (value[at] === ' ' || value[at] === '\t' || value[at] === ',') continue
      const changed = headers.map((h, i): [string, string] => (i === index ? [h[0], flip(value, at)] : h))
      out.push({ what: `${lower}@${at}`, request: { ...request, headers: changed }, codes })
    }
  })
  if (bodySigned && request.body !== null && request.body.length > 0) {
    const body = request.body.slice()
    body[body.length >> 1] = (body[body.length >> 1] as number) ^ 1
    out.push({ what: 'body', request: { ...request, body }, codes: BODY })
  }
  return out
}

/** Verifies `request` (body read to its end), then `MUTATIONS` of its mutations, picked by `seed`. */
async function acceptAndMutate(
  request: Sent,
  options: VerifyRequestOptions,
  expected: { accessKeyId: string; presigned: boolean; body: Uint8Array | null },
  seed: number,
): Promise<number> {
  let verified: Awaited<ReturnType<typeof verifyRequest>>
  try {
    verified = await verifyRequest(request, options)
  } catch (error) {
    const detail = error instanceof VerificationError ? `\n${error.canonicalRequest ?? ''}` : ''
    throw new Error(
      `refused: ${(error as Error).message}\n${request.method} ${request.url}\n${JSON.stringify(request.headers)}${detail}`,
    )
  }
  expect(verified.accessKeyId).toBe(expected.accessKeyId)
  expect(verified.presigned).toBe(expected.presigned)
  const bytes = verified.body === null ? null : new Uint8Array(await new Response(verified.body).arrayBuffer())
  expect(bytes ?? new Uint8Array(0)).toEqual(expected.body ?? new Uint8Array(0))

  const all = mutations(request, verified.signedHeaders, !verified.payloadHash.startsWith('UNSIGNED'))
  let refused = 0
  for (let i = 0, x = seed | 1; i < Math.min(MUTATIONS, all.length); i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0
    const mutation = all[(x >>> 0) % all.length] as Mutation
    const error = await verifyRequest(mutation.request, options)
      .then(async (again) => {
        if (again.body !== null) await new Response(again.body).arrayBuffer()
        return undefined
      })
      .catch((e: unknown) => e)
    if (!(error instanceof VerificationError) || !mutation.codes.has(error.awsCode)) {
      throw new Error(
        `mutation ${mutation.what} was ${error instanceof VerificationError ? `refused with ${error.awsCode}` : error === undefined ? 'ACCEPTED' : `refused untyped: ${error}`}\n${mutation.request.method} ${mutation.request.url}\n${JSON.stringify(mutation.request.headers)}`,
      )
    }
    refused++
  }
  return refused
}

/** Has `signWith` sign RUNS cases of `mode`, then verifies each as sent and refuses its mutations. */
async function checkReference(
  mode: 'header' | 'query',
  seed: number,
  signWith: (c: Case, service: string) => Promise<Sent>,
  algorithms?: VerifyRequestOptions['algorithms'],
): Promise<void> {
  let accepted = 0
  let refused = 0
  for (const [i, c] of sample(mode, seed).entries()) {
    const service = serviceOf(c)
    const request = await signWith(c, service)
    const options = {
      credentials: c.credentials,
      service,
      region: c.region,
      algorithms,
      now: () => arrival(c, mode === 'query'),
    }
    const expected = { accessKeyId: c.credentials.accessKeyId, presigned: mode === 'query', body: request.body }
    refused += await acceptAndMutate(request, options, expected, i)
    accepted++
  }
  expect(accepted).toBe(RUNS)
  expect(refused).toBeGreaterThan(RUNS * (MUTATIONS - 2))
}

// --- botocore ---------------------------------------------------------------------------------------

// Without botocore its part is skipped after a loud warning; in CI (`CI=true`) a missing botocore fails.
const HAVE_BOTOCORE = botocoreInstalled()
if (!HAVE_BOTOCORE) {
  if (process.env.CI === 'true') throw new Error('verify differential tests: python3 cannot import botocore')
  const bar = '!'.repeat(78)
  console.warn(`\n${bar}\n!! SKIPPING the botocore part of test/verify/differential: pip install botocore\n${bar}\n`)
}
let botocore: Botocore | undefined
beforeAll(() => {
  if (HAVE_BOTOCORE) botocore = new Botocore()
})
afterAll(async () => {
  await botocore?.close()
})

describe.skipIf(!HAVE_BOTOCORE)('botocore signs, verifyRequest accepts, mutations are refused', () => {
  for (const mode of ['header', 'query'] as const) {
    it(`${mode === 'header' ? 'SigV4Auth and S3SigV4Auth' : 'SigV4QueryAuth and S3SigV4QueryAuth'}: ${RUNS} requests`, async () => {
      await checkReference(mode, mode === 'header' ? 101 : 102, async (c, service) => {
        const query = queryOf(c)
        // Presigned: botocore moves a body into the query as form parameters; no body then.
        const body = mode === 'query' ? null : c.body
        const signed = await (botocore as Botocore).sign({
          mode,
          service,
          region: c.region,
          method: c.method,
          url: `https://${c.host}${pathOf(c)}${query === '' ? '' : `?${query}`}`,
          headers: headerPairs(c),
          body,
          payloadHash: mode === 'header' && c.s3 && c.unsignedPayload ? 'UNSIGNED-PAYLOAD' : undefined,
          date: c.date,
          credentials: c.credentials,
          expires: c.expires,
        })
        return { method: c.method, url: signed.url, headers: signed.headers, body }
      })
    })
  }
})

// --- @smithy/signature-v4 -----------------------------------------------------------------------------

describe('@smithy/signature-v4 signs, verifyRequest accepts, mutations are refused', () => {
  for (const mode of ['header', 'query'] as const) {
    it(`${mode === 'header' ? 'sign' : 'presign'}: ${RUNS} requests`, async () => {
      await checkReference(mode, mode === 'header' ? 201 : 202, async (c, service) => {
        // smithy takes the decoded query (an array for a repeated key) and one string per header.
        const query: Record<string, string | string[]> = {}
        for (const [key, value] of c.query) {
          const previous = query[key]
          const v = value ?? ''
          query[key] = previous === undefined ? v : [...(Array.isArray(previous) ? previous : [previous]), v]
        }
        const headers: Record<string, string> = { host: c.host }
        for (const [name, value] of headerPairs(c)) {
          const lower = name.toLowerCase()
          headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`
        }
        const body = mode === 'query' ? null : c.body
        if (c.s3) {
          headers['x-amz-content-sha256'] =
            mode === 'query' || c.unsignedPayload
              ? 'UNSIGNED-PAYLOAD'
              : createHash('sha256')
                  .update(body ?? new Uint8Array(0))
                  .digest('hex')
        }
        const signer = new SignatureV4({
          service,
          region: c.region,
          credentials: c.credentials,
          sha256: NodeSha256,
          uriEscapePath: !c.s3,
          applyChecksum: false,
        })
        const input = {
          method: c.method,
          protocol: 'https:',
          hostname: c.host,
          path: pathOf(c),
          query,
          headers,
          body: body ?? undefined,
        }
        const signed =
          mode === 'header'
            ? await signer.sign(input, { signingDate: c.date })
            : await signer.presign(input, { signingDate: c.date, expiresIn: c.expires })
        const pairs = Object.entries(signed.query ?? {}).flatMap(([key, value]) =>
          (Array.isArray(value) ? value : [value]).map((v) => `${encode(key)}=${encode(String(v))}`),
        )
        const url = `https://${c.host}${signed.path}${pairs.length === 0 ? '' : `?${pairs.join('&')}`}`
        return { method: c.method, url, headers: Object.entries(signed.headers), body }
      })
    })
  }
})

// --- the AWS CRT (aws-c-auth): SigV4 and SigV4a --------------------------------------------------------

describe('the AWS CRT signs (SigV4 and SigV4a), verifyRequest accepts, mutations are refused', () => {
  for (const algorithm of ['SigV4', 'SigV4a'] as const) {
    for (const mode of ['header', 'query'] as const) {
      it(`${algorithm}, ${mode}: ${RUNS} requests`, async () => {
        const seed = (algorithm === 'SigV4' ? 300 : 310) + (mode === 'header' ? 1 : 2)
        const signWith = async (c: Case, service: string): Promise<Sent> => {
          const query = queryOf(c)
          const target = `${pathOf(c)}${query === '' ? '' : `?${query}`}`
          const headers = new http.HttpHeaders([['host', c.host]])
          for (const [name, value] of headerPairs(c)) headers.add(name, value)
          const signed = await auth.aws_sign_request(new http.HttpRequest(c.method, target, headers), {
            algorithm:
              algorithm === 'SigV4' ? auth.AwsSigningAlgorithm.SigV4 : auth.AwsSigningAlgorithm.SigV4Asymmetric,
            signature_type:
              mode === 'header'
                ? auth.AwsSignatureType.HttpRequestViaHeaders
                : auth.AwsSignatureType.HttpRequestViaQueryParams,
            provider: auth.AwsCredentialsProvider.newStatic(
              c.credentials.accessKeyId,
              c.credentials.secretAccessKey,
              c.credentials.sessionToken,
            ),
            region: c.region,
            service,
            date: c.date,
            use_double_uri_encode: !c.s3,
            should_normalize_uri_path: !c.s3,
            signed_body_value: c.s3 ? 'UNSIGNED-PAYLOAD' : EMPTY_SHA256,
            signed_body_header:
              mode === 'header' && c.s3
                ? auth.AwsSignedBodyHeaderType.XAmzContentSha256
                : auth.AwsSignedBodyHeaderType.None,
            ...(mode === 'query' ? { expiration_in_seconds: c.expires } : {}),
          })
          const sent: Array<[string, string]> = []
          for (const [name, value] of signed.headers) sent.push([name, value])
          return { method: c.method, url: `https://${c.host}${signed.path}`, headers: sent, body: null }
        }
        await checkReference(mode, seed, signWith, [sigv4, sigv4a])
      })
    }
  }
})
