// The AWS Common Runtime as the reference for SigV4a: awsig signs random requests (s3 and other
// services, header and query, unicode paths, repeated query keys, multi-value headers, session tokens,
// region sets) and aws-c-auth (the `aws-crt` package) verifies every one with
// `aws_verify_sigv4a_signing`: it rebuilds the canonical request from the request awsig says to send,
// requires it byte-equal to awsig's, and checks awsig's ECDSA signature under the public key.
//
// The CRT is handed what awsig sends (`signed.url`, `signed.headers` with `host`), minus what the CRT
// insists on adding itself (`authorization`, `x-amz-date`, `x-amz-region-set`, `x-amz-security-token`,
// `x-amz-content-sha256` and the `X-Amz-*` query parameters), and the same date, service, region set,
// payload hash and path rules. Where the CRT canonicalises differently from every SigV4 signer, the
// generator avoids the input (said at the top of test/sign/differential.node.test.ts for the shared
// generators; CRT-specific notes below).
import { createHash } from 'node:crypto'
import { auth, http } from 'aws-crt'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { presignRequest, sign } from '../../src/index.js'
import { AUTH_QUERY_PARAMS } from '../../src/sign/constants.js'
import { publicKeyFor, sigv4a, verifyWithPublicKey } from '../../src/sigv4a/index.js'
import { bodyOf, type Case, caseArb, type Mode } from '../support/request-cases.js'
import { forSigv4a, regionSetArb, sigv4aOptions } from '../support/sigv4a-cases.js'

/** Requests per property; 4 properties, 2,400 requests per run (and RUNS credentials the CRT signs with). */
const RUNS = 600

const EMPTY_SHA256 = createHash('sha256').digest('hex')
const AUTH_HEADERS = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-region-set',
  'x-amz-security-token',
  'x-amz-content-sha256',
])

interface V4aCase {
  c: Case
  regionSet: string[]
  /** S3's rules (no normalisation, single encoding, x-amz-content-sha256) or everyone else's. */
  s3Rules: boolean
}

const v4aCaseArb = (mode: Mode, s3: boolean): fc.Arbitrary<V4aCase> =>
  fc.record({ c: caseArb(mode, s3), regionSet: regionSetArb }).map(({ c, regionSet }) => ({
    c: forSigv4a(c),
    regionSet,
    s3Rules: s3,
  }))

/** The payload hash to sign, worked out independently of awsig. */
function payloadHashOf({ c, s3Rules }: V4aCase): string {
  if (c.payload.kind === 'hash') return c.payload.payloadHash
  if (c.mode === 'query' && s3Rules) return 'UNSIGNED-PAYLOAD'
  const body = bodyOf(c.payload)
  return body === null ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex')
}

async function signWithAwsig({ c, regionSet, s3Rules }: V4aCase) {
  const options = sigv4aOptions(c, regionSet, s3Rules)
  if (c.mode === 'header') return sign({ ...options, contentHashHeader: s3Rules })
  return presignRequest({ ...options, expiresIn: c.expiresIn, hoistHeaders: c.hoistHeaders })
}

/** The CRT's signing configuration for SigV4a with these credentials; `rest` as the CRT names it. */
function crtConfig(
  credentials: Case['credentials'],
  regionSet: string[],
  service: string,
  date: Date,
  rest: Partial<auth.AwsSigningConfig>,
): auth.AwsSigningConfig {
  return {
    algorithm: auth.AwsSigningAlgorithm.SigV4Asymmetric,
    signature_type: auth.AwsSignatureType.HttpRequestViaHeaders,
    provider: auth.AwsCredentialsProvider.newStatic(
      credentials.accessKeyId,
      credentials.secretAccessKey,
      credentials.sessionToken,
    ),
    region: regionSet.join(','),
    service,
    date,
    ...rest,
  }
}

/** What awsig says to send, as a CRT request without the signing parameters the CRT adds itself. */
function crtRequest(signed: { url: string; method: string; headers: Record<string, string> }): http.HttpRequest {
  const url = new URL(signed.url)
  const [path, ...rest] = signed.url.replace(/^[a-z]+:\/\/[^/?#]*/i, '').split('?')
  const query = rest
    .join('?')
    .split('&')
    .filter((pair) => pair !== '' && !AUTH_QUERY_PARAMS.has(pair.split('=')[0] as string))
  const headers = new http.HttpHeaders([['host', url.host]])
  for (const [name, value] of Object.entries(signed.headers)) if (!AUTH_HEADERS.has(name)) headers.add(name, value)
  // An absolute URI: aws-c-common's URI parser refuses a bare path whose first segment has a ':'.
  const target = `${url.protocol}//${url.host}${path || '/'}${query.length > 0 ? `?${query.join('&')}` : ''}`
  return new http.HttpRequest(signed.method, target, headers)
}

async function verifyWithCrt(v: V4aCase): Promise<void> {
  const { c, regionSet, s3Rules } = v
  const signed = await signWithAwsig(v)
  const { x, y } = await publicKeyFor(c.credentials)
  const config = crtConfig(c.credentials, regionSet, c.service, c.date, {
    ...(c.mode === 'query' ? { signature_type: auth.AwsSignatureType.HttpRequestViaQueryParams } : {}),
    use_double_uri_encode: !s3Rules,
    should_normalize_uri_path: !s3Rules,
    signed_body_value: payloadHashOf(v),
    signed_body_header:
      c.mode === 'header' && s3Rules
        ? auth.AwsSignedBodyHeaderType.XAmzContentSha256
        : auth.AwsSignedBodyHeaderType.None,
    ...(c.mode === 'query' ? { expiration_in_seconds: c.expiresIn } : {}),
  })
  let verdict: boolean | Error
  try {
    verdict = auth.aws_verify_sigv4a_signing(
      crtRequest(signed),
      config,
      signed.canonicalRequest,
      signed.signature,
      x,
      y,
    )
  } catch (error) {
    verdict = error as Error
  }
  if (verdict !== true) {
    throw new Error(
      `the CRT refused awsig's signature: ${verdict}\ncase: ${JSON.stringify({ ...v, c: { ...c, date: c.date.toISOString() } })}\n` +
        `url: ${signed.url}\nheaders: ${JSON.stringify(signed.headers)}\ncanonical request:\n${signed.canonicalRequest}`,
    )
  }
}

describe('SigV4a: the AWS CRT verifies what awsig signs', () => {
  for (const mode of ['header', 'query'] as const) {
    for (const s3 of [true, false]) {
      it(`${mode} signing, ${s3 ? 's3' : 'other services'}: ${RUNS} random requests`, {
        timeout: 120_000,
      }, async () => {
        let verified = 0
        await fc.assert(
          fc.asyncProperty(v4aCaseArb(mode, s3), async (v) => {
            await verifyWithCrt(v)
            verified++
          }),
          { numRuns: RUNS },
        )
        expect(verified).toBeGreaterThanOrEqual(RUNS)
      })
    }
  }

  it(`the CRT's own key derivation agrees: what the CRT signs verifies under awsig's public key (${RUNS} credentials)`, {
    timeout: 120_000,
  }, async () => {
    // Random credentials (secrets with any Unicode, session tokens): the CRT derives its key from them
    // and signs; awsig signs the same request, and the CRT's signature must verify over awsig's string
    // to sign under the public key awsig derives.
    let verified = 0
    await fc.assert(
      fc.asyncProperty(caseArb('header', false), regionSetArb, async (c, regionSet) => {
        const date = new Date(Math.floor(c.date.getTime() / 1000) * 1000)
        const ours = await sign({
          url: 'https://example.amazonaws.com/path',
          service: c.service,
          regionSet,
          algorithm: sigv4a,
          credentials: c.credentials,
          date,
        })
        const request = new http.HttpRequest('GET', '/path', new http.HttpHeaders([['host', 'example.amazonaws.com']]))
        const signed = await auth.aws_sign_request(
          request,
          crtConfig(c.credentials, regionSet, c.service, date, {
            signed_body_value: EMPTY_SHA256,
            signed_body_header: auth.AwsSignedBodyHeaderType.None,
          }),
        )
        const authorization = signed.headers.get('Authorization')
        expect(authorization.slice(0, authorization.indexOf('Signature='))).toBe(
          (ours.headers.authorization as string).slice(0, (ours.headers.authorization as string).indexOf('Signature=')),
        )
        const signature = /Signature=([0-9a-f]+)$/.exec(authorization)?.[1] as string
        expect(await verifyWithPublicKey(await publicKeyFor(c.credentials), ours.stringToSign, signature)).toBe(true)
        verified++
      }),
      { numRuns: RUNS },
    )
    expect(verified).toBe(RUNS)
  })

  it('the CRT check can fail: a changed signature or canonical request is refused', async () => {
    const v: V4aCase = {
      c: {
        mode: 'header',
        service: 's3',
        region: 'unused',
        method: 'GET',
        url: 'https://examplebucket.s3.amazonaws.com/a%20b',
        urlForm: 'string',
        headerForm: 'pairs',
        headers: [],
        payload: { kind: 'none' },
        date: new Date('2026-01-01T00:00:00Z'),
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        expiresIn: 60,
        hoistHeaders: false,
      },
      regionSet: ['us-east-1'],
      s3Rules: true,
    }
    await verifyWithCrt(v)
    const signed = await signWithAwsig(v)
    const { x, y } = await publicKeyFor(v.c.credentials)
    const config = crtConfig(v.c.credentials, ['us-east-1'], 's3', v.c.date, {
      use_double_uri_encode: false,
      should_normalize_uri_path: false,
      signed_body_value: EMPTY_SHA256,
      signed_body_header: auth.AwsSignedBodyHeaderType.XAmzContentSha256,
    })
    const other = await sigv4a.sign(await sigv4a.key(v.c.credentials, '', '', '', null), 'something else')
    expect(() =>
      auth.aws_verify_sigv4a_signing(crtRequest(signed), config, signed.canonicalRequest, other, x, y),
    ).toThrow(/SIGV4A_SIGNATURE_VALIDATION_FAILURE/)
    expect(() =>
      auth.aws_verify_sigv4a_signing(crtRequest(signed), config, `${signed.canonicalRequest} `, signed.signature, x, y),
    ).toThrow(/CANONICAL_REQUEST_MISMATCH/)
  })
})
