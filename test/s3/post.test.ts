// presignPost: the fields and policy it writes, and the bad input it refuses (naming the field).
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../src/errors.js'
import { FILENAME } from '../../src/lib/post-policy.js'
import { type PresignPostOptions, presignPost } from '../../src/s3/index.js'
import { type SigningAlgorithm, sigv4 } from '../../src/sign/algorithm.js'
import { sigv4a } from '../../src/sigv4a/index.js'

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const base: PresignPostOptions = {
  url: 'https://sigv4examplebucket.s3.amazonaws.com/',
  key: `user/user1/${FILENAME}`,
  region: 'us-east-1',
  credentials,
  date: new Date('2015-12-29T00:00:00Z'),
  expiresIn: 36 * 3600,
}
const decode = (fields: Record<string, string>) => JSON.parse(atob(fields.policy as string))

describe('presignPost', () => {
  it('writes the issue sketch: key, policy, x-amz-* fields and the caller fields, signed', async () => {
    const { url, fields, policy, expires } = await presignPost({
      ...base,
      conditions: [
        ['content-length-range', 1, 10_000_000],
        ['starts-with', '$Content-Type', 'image/'],
      ],
      fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42' },
    })
    expect(url).toBe('https://sigv4examplebucket.s3.amazonaws.com/')
    expect(Object.keys(fields)).toEqual([
      'Content-Type',
      'x-amz-meta-user',
      'key',
      'x-amz-algorithm',
      'x-amz-credential',
      'x-amz-date',
      'policy',
      'x-amz-signature',
    ])
    expect(fields['x-amz-credential']).toBe('AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request')
    expect(fields['x-amz-date']).toBe('20151229T000000Z')
    expect(expires.toISOString()).toBe('2015-12-30T12:00:00.000Z')
    expect(decode(fields)).toEqual(policy)
    expect(policy).toEqual({
      expiration: '2015-12-30T12:00:00Z',
      conditions: [
        ['content-length-range', 1, 10_000_000],
        ['starts-with', '$Content-Type', 'image/'],
        ['starts-with', '$key', 'user/user1/'],
        { 'x-amz-meta-user': '42' },
        { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
        { 'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request' },
        { 'x-amz-date': '20151229T000000Z' },
      ],
    })
    const key = await sigv4.key(credentials, '20151229', 'us-east-1', 's3', null)
    expect(fields['x-amz-signature']).toBe(await sigv4.sign(key, fields.policy as string))
  })

  it("reproduces AWS's own POST example signature from its policy", async () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html: the base64 policy and
    // signature that page shows, signed again with the engine presignPost uses.
    const policy =
      'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9'
    const key = await sigv4.key(credentials, '20151229', 'us-east-1', 's3', null)
    expect(await sigv4.sign(key, policy)).toBe('8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e')
  })

  it('covers every condition form S3 documents; a session token becomes a field and a condition', async () => {
    const { fields, policy } = await presignPost({
      ...base,
      key: 'fixed/key.txt',
      bucket: 'sigv4examplebucket',
      credentials: { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE' },
      conditions: [
        { acl: 'public-read' },
        ['eq', '$success_action_status', '201'],
        ['starts-with', '$success_action_redirect', 'https://example.com/'],
        ['starts-with', '$x-amz-meta-tag', ''],
        { 'x-amz-checksum-algorithm': 'CRC32' },
        ['content-length-range', 0, 5],
      ],
      fields: {
        acl: 'public-read',
        success_action_status: '201',
        success_action_redirect: 'https://example.com/done',
        'x-amz-meta-tag': 'anything',
        'x-amz-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': 'AAAAAA==',
        'x-amz-server-side-encryption': 'AES256',
      },
    })
    expect(fields['x-amz-security-token']).toBe('FQoGZXIvYXdzEXAMPLE')
    expect(policy.conditions).toContainEqual({ 'x-amz-security-token': 'FQoGZXIvYXdzEXAMPLE' })
    expect(policy.conditions).toContainEqual({ bucket: 'sigv4examplebucket' })
    expect(policy.conditions).toContainEqual({ key: 'fixed/key.txt' })
    // Fields no condition covers get an exact match; covered ones do not get a second condition.
    expect(policy.conditions).toContainEqual({ 'x-amz-checksum-crc32': 'AAAAAA==' })
    expect(policy.conditions).toContainEqual({ 'x-amz-server-side-encryption': 'AES256' })
    expect(policy.conditions.filter((c) => JSON.stringify(c).includes('acl'))).toHaveLength(1)
  })

  it('SigV4a: the algorithm id, a scope without region, and the region set as a field', async () => {
    const fake: SigningAlgorithm = {
      id: 'AWS4-ECDSA-P256-SHA256',
      regionSet: true,
      key: () => 'k',
      sign: (_key, text) => `sig:${text.length}`,
      verify: () => true,
    }
    const { fields, policy } = await presignPost({ ...base, region: '*', algorithm: fake })
    expect(fields['x-amz-algorithm']).toBe('AWS4-ECDSA-P256-SHA256')
    expect(fields['x-amz-credential']).toBe('AKIAIOSFODNN7EXAMPLE/20151229/s3/aws4_request')
    expect(fields['x-amz-region-set']).toBe('*')
    expect(policy.conditions).toContainEqual({ 'x-amz-region-set': '*' })
    expect(fields['x-amz-signature']).toBe(`sig:${(fields.policy as string).length}`)
  })

  it('refuses bad input with an InvalidInputError naming the field', async () => {
    const field = (options: Partial<PresignPostOptions> | Record<string, unknown>) =>
      presignPost({ ...base, ...options } as PresignPostOptions).then(
        () => 'resolved',
        (e: unknown) => (e instanceof InvalidInputError ? e.field : String(e)),
      )
    expect(await field({ expiresIn: 604801 })).toBe('expiresIn')
    expect(await field({ expiresIn: 0 })).toBe('expiresIn')
    expect(await field({ conditions: [['content-length-range', 10, 1]] })).toBe('conditions[0]')
    expect(await field({ conditions: [{ acl: 'private' }, ['starts-with', 'Content-Type', 'x']] })).toBe(
      'conditions[1]',
    )
    expect(await field({ conditions: [['between', '$key', 'a']] })).toBe('conditions[0]')
    expect(await field({ conditions: [{}] })).toBe('conditions[0]')
    expect(await field({ conditions: [{ acl: 5 }] })).toBe('conditions[0]')
    expect(await field({ conditions: [['starts-with', '$x-amz-date', '2015']] })).toBe('conditions[0]')
    expect(await field({ conditions: [['starts-with', '$success_action_status', '2']] })).toBe('conditions[0]')
    expect(await field({ conditions: ['acl'] })).toBe('conditions[0]')
    // A field that contradicts a condition.
    expect(
      await field({
        conditions: [['starts-with', '$Content-Type', 'image/']],
        fields: { 'content-type': 'text/html' },
      }),
    ).toBe('fields["content-type"]')
    expect(await field({ conditions: [{ acl: 'private' }], fields: { acl: 'public-read' } })).toBe('fields["acl"]')
    expect(await field({ conditions: [['starts-with', '$key', 'other/']] })).toBe('key')
    expect(await field({ conditions: [{ bucket: 'a' }], bucket: 'b' })).toBe('bucket')
    expect(await field({ fields: { policy: 'x' } })).toBe('fields["policy"]')
    expect(await field({ fields: { Key: 'x' } })).toBe('fields["Key"]')
    expect(await field({ fields: { acl: 'a', ACL: 'a' } })).toBe('fields["ACL"]')
    expect(await field({ key: '' })).toBe('key')
    expect(await field({ url: 'ftp://x/' })).toBe('url')
    expect(await field({ credentials: { accessKeyId: 'a/b', secretAccessKey: 'x' } })).toBe('credentials.accessKeyId')
    expect(await field({ date: new Date(Number.NaN) })).toBe('date')
    expect(await field({ region: undefined })).toBe('region')
    expect(await field({ regionSet: ['*'] })).toBe('regionSet')
    expect(await field({ algorithm: sigv4a, region: undefined })).toBe('regionSet')
  })

  it('never puts the secret in an error', async () => {
    const error = await presignPost({ ...base, expiresIn: -1 }).catch((e: Error) => e)
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(
      credentials.secretAccessKey,
    )
  })
})
