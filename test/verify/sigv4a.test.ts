// SigV4a: every signed request of AWS's v4a suite verifies as written (ECDSA signatures differ on every
// signing, so these are verified, never compared), and awsig's own SigV4a signing verifies.
import { describe, expect, it } from 'vitest'
import { presignRequest, sign, signChunked, sigv4, UNSIGNED_PAYLOAD } from '../../src/index.js'
import { derFromRaw, P256_N, rawFromDer } from '../../src/lib/crypto/p256.js'
import { fromHex, toHex } from '../../src/lib/hex.js'
import { prepareRequest, signPrepared } from '../../src/sign/sign.js'
import { sigv4a } from '../../src/sigv4a/index.js'
import { createReplayCache, type VerificationError, verifyRequest } from '../../src/verify/index.js'
import { signedSuiteCase, vectorDirs, vectorExists } from '../support/signed-suite.js'

const ROOT = 'aws-c-auth/tests/aws-signing-test-suite/v4a/'
const names = vectorDirs(ROOT)

describe('AWS Signature V4a test suite: every signed request verifies', () => {
  for (const name of names) {
    for (const variant of ['header', 'query'] as const) {
      const file = `${ROOT}${name}/${variant}-signed-request.txt`
      if (!vectorExists(file) || !vectorExists(`${ROOT}${name}/context.json`)) continue
      it(`${name} (${variant})`, async () => {
        const { request, options, context } = signedSuiteCase(`${ROOT}${name}/`, variant)
        const verified = await verifyRequest(request, { ...options, algorithms: [sigv4, sigv4a] })
        expect(verified.algorithm).toBe('AWS4-ECDSA-P256-SHA256')
        expect(verified.regionSet).toEqual([context.region])
        // v4-only verification refuses the algorithm.
        const refused = await verifyRequest(request, options).catch((e: VerificationError) => e)
        expect((refused as VerificationError).code).toBe('ERR_AUTH_MALFORMED')
      })
    }
  }
})

describe("awsig's own SigV4a signing verifies", () => {
  const credentials = { accessKeyId: 'AKIDV4A', secretAccessKey: 'v4a-secret' }
  const date = new Date('2026-01-02T03:04:05Z')
  const options = {
    credentials,
    algorithms: [sigv4, sigv4a],
    service: 's3',
    region: 'eu-west-1',
    now: () => date.getTime(),
  }
  it('header and presigned, region sets with wildcards, wrong secret refused', async () => {
    for (const regionSet of [['*'], ['eu-*'], ['us-east-1', 'eu-west-1']]) {
      const signed = await sign({
        method: 'PUT',
        url: 'https://b.s3.amazonaws.com/k',
        body: 'x',
        service: 's3',
        regionSet,
        credentials,
        date,
        algorithm: sigv4a,
      })
      const verified = await verifyRequest(
        { method: 'PUT', url: signed.url, headers: signed.headers, body: 'x' },
        options,
      )
      expect(verified.regionSet).toEqual(regionSet)
      const presigned = await presignRequest({
        url: 'https://b.s3.amazonaws.com/k',
        service: 's3',
        regionSet,
        credentials,
        date,
        algorithm: sigv4a,
      })
      expect((await verifyRequest({ url: presigned.url }, options)).presigned).toBe(true)
    }
    const other = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      regionSet: ['us-*'],
      credentials,
      date,
      algorithm: sigv4a,
    })
    const scope = await verifyRequest({ url: other.url, headers: other.headers }, options).catch(
      (e: VerificationError) => e,
    )
    expect((scope as VerificationError).code).toBe('ERR_SCOPE_MISMATCH')
    const wrong = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      regionSet: ['*'],
      credentials: { ...credentials, secretAccessKey: 'nope' },
      date,
      algorithm: sigv4a,
    })
    const error = await verifyRequest({ url: wrong.url, headers: wrong.headers }, options).catch(
      (e: VerificationError) => e,
    )
    expect((error as VerificationError).awsCode).toBe('SignatureDoesNotMatch')
  })

  it('the region set must be signed: an unsigned one could be rewritten to any region', async () => {
    // `sign` refuses to leave it unsigned; another signer may not: the engine's steps, told to.
    const prepared = prepareRequest(
      {
        url: 'https://b.s3.amazonaws.com/k',
        service: 's3',
        regionSet: ['us-east-1'],
        date,
        algorithm: sigv4a,
        credentials,
      },
      credentials,
    )
    const signed = await signPrepared(
      { ...prepared, unsigned: new Set([...prepared.unsigned, 'x-amz-region-set']) },
      UNSIGNED_PAYLOAD,
      true,
    )
    expect(signed.signedHeaders).not.toContain('x-amz-region-set')
    expect((await verifyRequest({ url: signed.url, headers: signed.headers }, options).catch((e) => e)).code).toBe(
      'ERR_AUTH_MALFORMED',
    )
    const rewritten = { url: signed.url, headers: { ...signed.headers, 'x-amz-region-set': 'eu-west-1' } }
    const error = await verifyRequest(rewritten, options).catch((e: VerificationError) => e)
    expect([(error as VerificationError).code, (error as VerificationError).awsCode]).toEqual([
      'ERR_AUTH_MALFORMED',
      'AuthorizationHeaderMalformed',
    ])
  })

  it('an ECDSA signature re-encoded as (r, n - s), which verifies too, is still a replay', async () => {
    const replay = createReplayCache({ now: () => date.getTime() })
    const cached = { ...options, replay: replay.check }
    const signed = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      regionSet: ['*'],
      credentials,
      date,
      algorithm: sigv4a,
    })
    expect((await verifyRequest({ url: signed.url, headers: signed.headers }, cached)).algorithm).toBe(
      'AWS4-ECDSA-P256-SHA256',
    )
    const raw = rawFromDer(fromHex(signed.signature)) as Uint8Array
    const s = BigInt(`0x${toHex(raw.subarray(32))}`)
    raw.set(fromHex((P256_N - s).toString(16).padStart(64, '0')), 32)
    const twin = toHex(derFromRaw(raw))
    expect(twin).not.toBe(signed.signature)
    const authorization = (signed.headers.authorization as string).replace(signed.signature, twin)
    const replayed = await verifyRequest(
      { url: signed.url, headers: { ...signed.headers, authorization } },
      cached,
    ).then(
      () => undefined,
      (e: VerificationError) => e,
    )
    expect([replayed?.code, replayed?.awsCode]).toEqual(['ERR_REPLAYED', 'AccessDenied'])
    // Without the cache, the twin verifies: the check above is not a signature refusal.
    expect(
      (await verifyRequest({ url: signed.url, headers: { ...signed.headers, authorization } }, options)).signature,
    ).toBe(twin)
  })
})

describe('SigV4a aws-chunked bodies', () => {
  const credentials = { accessKeyId: 'AKIDV4A', secretAccessKey: 'v4a-secret' }
  const date = new Date('2026-01-02T03:04:05Z')
  const options = {
    credentials,
    algorithms: [sigv4, sigv4a],
    service: 's3',
    region: 'eu-west-1',
    now: () => date.getTime(),
  }
  const payload = new Uint8Array(40_000).map((_, i) => (i * 13) & 255)
  for (const mode of ['signed', 'signed-trailer', 'unsigned-trailer'] as const) {
    it(`${mode}: verifies, and refuses a changed byte`, async () => {
      const signed = await signChunked({
        method: 'PUT',
        url: 'https://b.s3.amazonaws.com/k',
        service: 's3',
        regionSet: ['*'],
        credentials,
        date,
        algorithm: sigv4a,
        body: payload,
        contentLength: payload.length,
        mode,
        chunkSize: 8192,
      })
      const encoded = new Uint8Array(await new Response(signed.body).arrayBuffer())
      const verified = await verifyRequest(
        { method: 'PUT', url: signed.url, headers: signed.headers, body: encoded },
        options,
      )
      expect(new Uint8Array(await new Response(verified.body).arrayBuffer())).toEqual(payload)
      const tampered = encoded.slice()
      tampered[20_000] = (tampered[20_000] as number) ^ 1
      const again = await verifyRequest(
        { method: 'PUT', url: signed.url, headers: signed.headers, body: tampered },
        options,
      )
      const error = await new Response(again.body).arrayBuffer().then(
        () => undefined,
        (e: VerificationError) => e,
      )
      expect(error?.awsCode).toBe(mode === 'unsigned-trailer' ? 'BadDigest' : 'SignatureDoesNotMatch')
    })
  }
})
