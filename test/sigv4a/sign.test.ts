// sign, presign and presignRequest with `algorithm: sigv4a`: what goes on the wire (x-amz-region-set,
// X-Amz-Region-Set, the Authorization prefix, no region in the scope), the key cache, and bad input.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { presign, presignRequest, SigningKeyCache, sign, signChunked } from '../../src/index.js'
import { publicKeyFor, sigv4a, verifyWithPublicKey } from '../../src/sigv4a/index.js'

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'do-not-leak-this-secret' }
const date = new Date('2026-01-01T00:00:00Z')
const base = { url: 'https://examplebucket.s3.amazonaws.com/photos/a b.jpg', service: 's3', credentials, date }
const vectors = JSON.parse(await readFile(new URL('../vectors/sigv4a-vectors.json', import.meta.url), 'utf8'))

describe('sign with sigv4a', () => {
  it('signs for a region set, as the issue sketches it', async () => {
    const signed = await sign({
      ...base,
      method: 'PUT',
      body: 'x',
      regionSet: ['us-east-1', 'us-west-2'],
      algorithm: sigv4a,
    })
    expect(signed.headers['x-amz-region-set']).toBe('us-east-1,us-west-2')
    expect(signed.headers.authorization).toMatch(
      /^AWS4-ECDSA-P256-SHA256 Credential=AKID\/20260101\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30[0-9a-f]+$/,
    )
    expect(signed.credentialScope).toBe('20260101/s3/aws4_request')
    expect(signed.stringToSign.split('\n').slice(0, 3)).toEqual([
      'AWS4-ECDSA-P256-SHA256',
      '20260101T000000Z',
      '20260101/s3/aws4_request',
    ])
    expect(signed.canonicalRequest).toContain('\nx-amz-region-set:us-east-1,us-west-2\n')
    expect(await verifyWithPublicKey(await publicKeyFor(credentials), signed.stringToSign, signed.signature)).toBe(true)
  })

  it('signs the session token and ["*"] for every region', async () => {
    const signed = await sign({
      ...base,
      regionSet: ['*'],
      algorithm: sigv4a,
      credentials: { ...credentials, sessionToken: 'TOKEN' },
    })
    expect(signed.headers['x-amz-region-set']).toBe('*')
    expect(signed.headers['x-amz-security-token']).toBe('TOKEN')
    expect(signed.signedHeaders).toBe('host;x-amz-content-sha256;x-amz-date;x-amz-region-set;x-amz-security-token')
  })

  it('presigns with X-Amz-Region-Set in the query', async () => {
    const url = new URL(
      await presign({ ...base, regionSet: ['us-east-1', 'us-west-2'], algorithm: sigv4a, expiresIn: 60 }),
    )
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-ECDSA-P256-SHA256')
    expect(url.searchParams.get('X-Amz-Region-Set')).toBe('us-east-1,us-west-2')
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKID/20260101/s3/aws4_request')
    expect(url.href).toContain('X-Amz-Region-Set=us-east-1%2Cus-west-2')
    const request = await presignRequest({
      ...base,
      regionSet: ['us-east-1', 'us-west-2'],
      algorithm: sigv4a,
      expiresIn: 60,
    })
    expect(request.canonicalRequest).toContain('X-Amz-Region-Set=us-east-1%2Cus-west-2')
    expect(await verifyWithPublicKey(await publicKeyFor(credentials), request.stringToSign, request.signature)).toBe(
      true,
    )
  })

  it('derives the key once per credentials, whatever the day or service', async () => {
    const keyCache = new SigningKeyCache()
    await sign({ ...base, regionSet: ['*'], algorithm: sigv4a, keyCache })
    await sign({
      ...base,
      service: 'ec2',
      date: new Date('2027-05-05T00:00:00Z'),
      regionSet: ['*'],
      algorithm: sigv4a,
      keyCache,
    })
    await presign({ ...base, regionSet: ['eu-west-1'], algorithm: sigv4a, keyCache })
    expect(keyCache.size).toBe(1)
  })

  it("derives the key smithy-typescript derives (its exact-match vector's signature verifies)", async () => {
    const vector = vectors.signatures.find(
      (s: { name: string }) => s.name === 'smithy-typescript-SignatureV4a-credential-check',
    )
    const { inputs, expected } = vector
    const key = await sigv4a.key(
      { accessKeyId: inputs.access_key_id, secretAccessKey: inputs.secret_access_key },
      '',
      '',
      '',
      null,
    )
    const signature = /Signature=([0-9a-f]+)$/.exec(expected.authorization)?.[1] as string
    expect(await sigv4a.verify(key, expected.string_to_sign_reconstructed_by_collector, signature)).toBe(true)
  })
})

describe('bad input with sigv4a (InvalidInputError naming the field, before any work)', () => {
  const field = async (promise: Promise<unknown>) => {
    try {
      await promise
    } catch (error) {
      expect((error as Error).message).not.toContain(credentials.secretAccessKey)
      return (error as { code?: string; field?: string }).code === 'ERR_INVALID_INPUT'
        ? (error as { field: string }).field
        : `not an InvalidInputError: ${error}`
    }
    return 'did not throw'
  }

  it('regionSet missing, empty, not an array, or with a malformed entry', async () => {
    expect(await field(sign({ ...base, algorithm: sigv4a }))).toBe('regionSet')
    expect(await field(sign({ ...base, regionSet: [], algorithm: sigv4a }))).toBe('regionSet')
    expect(await field(sign({ ...base, regionSet: 'us-east-1' as never, algorithm: sigv4a }))).toBe('regionSet')
    for (const bad of ['', 'US-EAST-1', 'us east 1', 'us-east-1,us-west-2', 42]) {
      expect(
        await field(sign({ ...base, regionSet: ['us-east-1', bad as string], algorithm: sigv4a })),
        String(bad),
      ).toBe('regionSet[1]')
    }
    expect(await field(presign({ ...base, regionSet: [], algorithm: sigv4a }))).toBe('regionSet')
  })

  it('x-amz-region-set among unsignedHeaders (a verifier would take any region set)', async () => {
    const opts = { ...base, regionSet: ['us-east-1'], algorithm: sigv4a, unsignedHeaders: ['X-Amz-Region-Set'] }
    expect(await field(sign(opts))).toBe('unsignedHeaders')
    expect(await field(presign(opts))).toBe('unsignedHeaders')
  })

  it('region together with regionSet, and regionSet without a region-set algorithm', async () => {
    expect(await field(sign({ ...base, region: 'us-east-1', regionSet: ['us-east-1'], algorithm: sigv4a }))).toBe(
      'region',
    )
    expect(await field(sign({ ...base, region: 'us-east-1', algorithm: sigv4a }))).toBe('region')
    expect(await field(sign({ ...base, region: 'us-east-1', regionSet: ['us-east-1'] }))).toBe('regionSet')
    expect(
      await field(
        signChunked({ ...base, region: 'us-east-1', algorithm: sigv4a, body: [new Uint8Array(1)], contentLength: 1 }),
      ),
    ).toBe('region')
  })

  it('signs its own streaming values and the unsigned trailer', async () => {
    const opts = { ...base, regionSet: ['*'], algorithm: sigv4a }
    for (const payloadHash of ['STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']) {
      expect((await sign({ ...opts, payloadHash })).headers['x-amz-content-sha256']).toBe(payloadHash)
    }
  })

  it('an algorithm that is not one', async () => {
    expect(await field(sign({ ...base, regionSet: ['*'], algorithm: { id: 'x' } as never }))).toBe('algorithm')
  })
})
