// verifyPost: accepts what presignPost signs, and refuses each way S3 would, with S3's code and status.
import { describe, expect, it } from 'vitest'
import { toBase64 } from '../../src/chunked/checksum.js'
import { VerificationError } from '../../src/errors.js'
import { FILENAME } from '../../src/lib/post-policy.js'
import { type PresignPostOptions, presignPost } from '../../src/s3/index.js'
import { type SigningAlgorithm, sigv4 } from '../../src/sign/algorithm.js'
import { sigv4a } from '../../src/sigv4a/index.js'
import { verifyPost } from '../../src/verify/post.js'

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const date = new Date('2026-01-02T03:04:05Z')
const now = new Date('2026-01-02T03:05:00Z')
const base: PresignPostOptions = {
  url: 'https://bucket.s3.us-east-1.amazonaws.com/',
  key: `uploads/${FILENAME}`,
  region: 'us-east-1',
  credentials,
  date,
  expiresIn: 600,
  bucket: 'bucket',
  conditions: [
    ['content-length-range', 1, 100],
    ['starts-with', '$Content-Type', 'image/'],
  ],
  fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42' },
}

async function form(
  options: Partial<PresignPostOptions> = {},
  edit: (fields: Record<string, string>) => void = () => {},
  file: Blob = new File(['x'.repeat(10)], 'cat.png', { type: 'image/png' }),
) {
  const { fields } = await presignPost({ ...base, ...options })
  edit(fields)
  const data = new FormData()
  for (const [name, value] of Object.entries(fields)) data.append(name, value)
  data.append('file', file, (file as File).name ?? 'blob')
  return data
}

const failure = async (data: FormData, options: Record<string, unknown> = {}) => {
  const error = await verifyPost(data, { credentials, region: 'us-east-1', bucket: 'bucket', now, ...options }).catch(
    (e: unknown) => e,
  )
  if (!(error instanceof VerificationError)) throw new Error(`expected a VerificationError, got ${String(error)}`)
  return [error.code, error.awsCode, error.status, error.field]
}

describe('verifyPost', () => {
  it('accepts a form presignPost signed, and gives the key with the file name in place of the placeholder', async () => {
    const upload = await verifyPost(await form(), { credentials, region: 'us-east-1', bucket: 'bucket', now })
    expect(upload.key).toBe('uploads/cat.png')
    expect(upload.filename).toBe('cat.png')
    expect(upload.accessKeyId).toBe(credentials.accessKeyId)
    expect(upload.fields['content-type']).toBe('image/png')
    expect(upload.file.size).toBe(10)
    expect(upload.expiration.toISOString()).toBe('2026-01-02T03:14:05.000Z')
  })

  it('finds credentials through a lookup, and refuses an unknown key', async () => {
    const lookup = async (id: string) => (id === credentials.accessKeyId ? credentials : undefined)
    expect((await verifyPost(await form(), { credentials: lookup, bucket: 'bucket', now })).key).toBe('uploads/cat.png')
    expect(await failure(await form(), { credentials: async () => undefined })).toEqual([
      'ERR_POST_FORM',
      'InvalidAccessKeyId',
      403,
      'x-amz-credential',
    ])
  })

  it('checks the session token against the one issued with the key, as verifyRequest does', async () => {
    const temporary = { ...credentials, sessionToken: 'token-1' }
    const options = { credentials: temporary, region: 'us-east-1', bucket: 'bucket', now }
    expect((await verifyPost(await form({ credentials: temporary }), options)).key).toBe('uploads/cat.png')
    const refused = ['ERR_INVALID_TOKEN', 'InvalidToken', 400, 'x-amz-security-token']
    // Signed with the key's secret but without its token, with another token, or with a token the key has not.
    expect(await failure(await form(), { credentials: temporary })).toEqual(refused)
    expect(
      await failure(await form({ credentials: { ...credentials, sessionToken: 'token-2' } }), {
        credentials: temporary,
      }),
    ).toEqual(refused)
    expect(await failure(await form({ credentials: temporary }))).toEqual(refused)
  })

  it('refuses with the codes S3 answers', async () => {
    const big = new File(['x'.repeat(101)], 'big.png')
    expect(await failure(await form({}, () => {}, big))).toEqual([
      'ERR_POLICY_CONDITION',
      'EntityTooLarge',
      400,
      'file',
    ])
    expect(await failure(await form({}, () => {}, new File([], 'empty.png')))).toEqual([
      'ERR_POLICY_CONDITION',
      'EntityTooSmall',
      400,
      'file',
    ])
    expect(
      await failure(
        await form({ fields: { 'Content-Type': 'image/png' } }, (f) => {
          f['Content-Type'] = 'text/html'
        }),
      ),
    ).toEqual(['ERR_POLICY_CONDITION', 'AccessDenied', 403, 'content-type'])
    expect(await failure(await form(), { now: new Date('2026-01-02T03:14:06Z') })).toEqual([
      'ERR_POLICY_EXPIRED',
      'AccessDenied',
      403,
      'policy',
    ])
    expect(
      await failure(
        await form({}, (f) => {
          f['x-amz-meta-user'] = '43'
        }),
      ),
    ).toEqual(['ERR_POLICY_CONDITION', 'AccessDenied', 403, 'x-amz-meta-user'])
    // A field no condition covers.
    expect(
      await failure(
        await form({}, (f) => {
          f['x-amz-meta-extra'] = 'sneaky'
        }),
      ),
    ).toEqual(['ERR_POLICY_CONDITION', 'AccessDenied', 403, 'x-amz-meta-extra'])
    // x-ignore- fields need no condition.
    const ignored = await form({}, (f) => {
      f['x-ignore-me'] = 'fine'
    })
    expect((await verifyPost(ignored, { credentials, bucket: 'bucket', now })).fields['x-ignore-me']).toBe('fine')
    // A tampered policy no longer matches its signature.
    expect(
      await failure(
        await form({}, (f) => {
          const policy = JSON.parse(atob(f.policy as string))
          policy.conditions[0] = ['content-length-range', 1, 10 ** 9]
          f.policy = btoa(JSON.stringify(policy))
        }),
      ),
    ).toEqual(['ERR_SIGNATURE_MISMATCH', 'SignatureDoesNotMatch', 403, 'x-amz-signature'])
    expect(await failure(await form({ credentials: { ...credentials, secretAccessKey: 'other' } }))).toEqual([
      'ERR_SIGNATURE_MISMATCH',
      'SignatureDoesNotMatch',
      403,
      'x-amz-signature',
    ])
    expect(await failure(await form(), { bucket: 'another' })).toEqual([
      'ERR_POLICY_CONDITION',
      'AccessDenied',
      403,
      'bucket',
    ])
    expect(await failure(await form(), { region: 'eu-west-1' })).toEqual([
      'ERR_POST_FORM',
      'InvalidArgument',
      400,
      'x-amz-credential',
    ])
  })

  it('refuses malformed forms and policies', async () => {
    const noFile = await form()
    noFile.delete('file')
    expect(await failure(noFile)).toEqual(['ERR_POST_FORM', 'InvalidArgument', 400, 'file'])
    const noKey = await form({}, (f) => {
      delete f.key
    })
    expect(await failure(noKey)).toEqual(['ERR_POST_FORM', 'InvalidArgument', 400, 'key'])
    const noSignature = await form({}, (f) => {
      delete f['x-amz-signature']
    })
    expect(await failure(noSignature)).toEqual(['ERR_POST_FORM', 'AccessDenied', 403, 'x-amz-signature'])
    // A field twice is refused; fields after the file are ignored, as S3 ignores them.
    const twice = await form({ conditions: [{ acl: 'private' }], fields: { acl: 'private' } }, (f) => {
      f.ACL = 'private'
    })
    expect(await failure(twice)).toEqual(['ERR_POST_FORM', 'InvalidArgument', 400, 'acl'])
    const after = await form()
    after.append('x-amz-meta-late', 'ignored')
    expect((await verifyPost(after, { credentials, bucket: 'bucket', now })).fields['x-amz-meta-late']).toBeUndefined()
    // Policies that are not base64 JSON, lack expiration, or have a bad condition, all signed correctly.
    const signed = async (document: unknown) => {
      const data = await form()
      const policy = toBase64(
        new TextEncoder().encode(typeof document === 'string' ? document : JSON.stringify(document)),
      )
      const key = await sigv4.key(credentials, '20260102', 'us-east-1', 's3', null)
      data.set('policy', policy)
      data.set('x-amz-signature', await sigv4.sign(key, policy))
      return data
    }
    expect(await failure(await signed('{not json'))).toEqual([
      'ERR_POLICY_INVALID',
      'InvalidPolicyDocument',
      400,
      'policy',
    ])
    expect(await failure(await signed({ conditions: [] }))).toEqual([
      'ERR_POLICY_INVALID',
      'InvalidPolicyDocument',
      400,
      'policy',
    ])
    expect(
      await failure(await signed({ expiration: '2027-01-01T00:00:00Z', conditions: [['between', 1, 2]] })),
    ).toEqual(['ERR_POLICY_INVALID', 'InvalidPolicyDocument', 400, 'policy'])
  })

  it("reads an expiration without a time zone as GMT, as S3 does, whatever the server's zone", async () => {
    const { fields, policy } = await presignPost(base)
    const document = { ...policy, expiration: policy.expiration.replace(/Z$/, '') }
    expect(document.expiration).toBe('2026-01-02T03:14:05')
    const encoded = toBase64(new TextEncoder().encode(JSON.stringify(document)))
    const key = await sigv4.key(credentials, '20260102', 'us-east-1', 's3', null)
    const data = new FormData()
    for (const [name, value] of Object.entries(fields)) data.append(name, value)
    data.set('policy', encoded)
    data.set('x-amz-signature', await sigv4.sign(key, encoded))
    data.append('file', new File(['x'.repeat(10)], 'cat.png', { type: 'image/png' }))
    const zone = process.env.TZ
    process.env.TZ = 'America/Los_Angeles' // 8 hours behind: read as local time, the policy would run till 11:14Z
    try {
      const options = { credentials, region: 'us-east-1', bucket: 'bucket' }
      expect((await verifyPost(data, { ...options, now: new Date('2026-01-02T03:14:00Z') })).expiration).toEqual(
        new Date('2026-01-02T03:14:05Z'),
      )
      expect(await failure(data, { now: new Date('2026-01-02T03:15:00Z') })).toEqual([
        'ERR_POLICY_EXPIRED',
        'AccessDenied',
        403,
        'policy',
      ])
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it('checks x-amz-checksum-* fields against the file (BadDigest)', async () => {
    const file = new File(['hello'], 'h.png')
    const ok = await form(
      { fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42', 'x-amz-checksum-crc32': 'NhCmhg==' } },
      () => {},
      file,
    )
    expect((await verifyPost(ok, { credentials, bucket: 'bucket', now })).key).toBe('uploads/h.png')
    const bad = await form(
      { fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42', 'x-amz-checksum-crc32': 'AAAAAA==' } },
      () => {},
      file,
    )
    expect(await failure(bad)).toEqual(['ERR_CHECKSUM_MISMATCH', 'BadDigest', 400, 'x-amz-checksum-crc32'])
  })

  it('SigV4a (awsig/sigv4a): presignPost signs with ECDSA, verifyPost checks it and the region set', async () => {
    const data = await form({ algorithm: sigv4a, region: undefined, regionSet: ['us-east-1', 'eu-west-1'] })
    expect(data.get('x-amz-algorithm')).toBe('AWS4-ECDSA-P256-SHA256')
    expect(data.get('x-amz-credential')).toBe('AKIAIOSFODNN7EXAMPLE/20260102/s3/aws4_request')
    expect(data.get('x-amz-region-set')).toBe('us-east-1,eu-west-1')
    const options = { credentials, bucket: 'bucket', now, algorithms: [sigv4, sigv4a] }
    expect((await verifyPost(data, { ...options, region: 'eu-west-1' })).key).toBe('uploads/cat.png')
    expect(await failure(data, { ...options, region: 'ap-south-1' })).toEqual([
      'ERR_POST_FORM',
      'InvalidArgument',
      400,
      'x-amz-region-set',
    ])
    // Another key's signature does not verify.
    const other = await form({
      algorithm: sigv4a,
      regionSet: ['*'],
      credentials: { ...credentials, secretAccessKey: 'another secret' },
    })
    expect(await failure(other, options)).toEqual([
      'ERR_SIGNATURE_MISMATCH',
      'SignatureDoesNotMatch',
      403,
      'x-amz-signature',
    ])
  })

  it('verifies SigV4a-style forms through the algorithm given', async () => {
    const fake: SigningAlgorithm = {
      id: 'AWS4-ECDSA-P256-SHA256',
      regionSet: true,
      key: (c) => c.secretAccessKey,
      sign: (key, text) => `${String(key).length}${text.length}`.replace(/\D/g, '0'),
      verify: (key, text, signature) => signature === `${String(key).length}${text.length}`.replace(/\D/g, '0'),
    }
    const data = await form({ algorithm: fake, region: '*' })
    expect(await failure(data)).toEqual(['ERR_POST_FORM', 'InvalidArgument', 400, 'x-amz-algorithm'])
    const upload = await verifyPost(data, { credentials, bucket: 'bucket', now, algorithms: [sigv4, fake] })
    expect(upload.fields['x-amz-region-set']).toBe('*')
  })
})
