// sign and presign keep the last values they computed (the date, the credential scope, the encoded
// credential, the signed-header list, presign's authentication parameters, the last names checked) so
// that a signer repeating itself does less. Whatever the order of calls, each result must be what the
// same call gives on its own. Runs on every crypto backend (see vitest.config.ts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type PresignOptions, presignRequest, sign } from '../../src/index.js'
import { sigv4a } from '../../src/sigv4a/index.js'

const date = new Date('2015-08-30T12:36:00Z')
const alice = { accessKeyId: 'AKIDALICE', secretAccessKey: 'secret-a' }
const bob = { accessKeyId: 'AKIDBOB', secretAccessKey: 'secret-b', sessionToken: 'token/b+1' }
const carol = { accessKeyId: 'AKIDBOB', secretAccessKey: 'secret-b', sessionToken: 'token/c+2' }

// Calls that differ in one part each from their neighbours: what a stale memo would mix up.
const variants: PresignOptions[] = [
  { url: 'https://bucket.s3.amazonaws.com/a', service: 's3', region: 'us-east-1', credentials: alice, date },
  { url: 'https://bucket.s3.amazonaws.com/a', service: 's3', region: 'us-west-2', credentials: alice, date },
  { url: 'https://bucket.s3.amazonaws.com/a', service: 's3', region: 'us-west-2', credentials: bob, date },
  { url: 'https://bucket.s3.amazonaws.com/a', service: 's3', region: 'us-west-2', credentials: carol, date },
  {
    url: 'https://bucket.s3.amazonaws.com/a',
    service: 's3',
    region: 'us-west-2',
    credentials: carol,
    date,
    signSessionToken: false,
  },
  { url: 'https://bucket.s3.amazonaws.com/a?x=1&a=2', service: 's3', region: 'us-west-2', credentials: bob, date },
  { url: 'https://sqs.amazonaws.com/', service: 'sqs', region: 'us-west-2', credentials: bob, date, expiresIn: 60 },
  { url: 'https://sqs.amazonaws.com/', service: 'sqs', region: 'us-west-2', credentials: bob, date, expiresIn: 61 },
  {
    url: 'https://sqs.amazonaws.com/',
    service: 'sqs',
    region: 'us-west-2',
    credentials: bob,
    date: new Date('2015-08-31T00:00:00Z'),
  },
  {
    url: 'https://sqs.amazonaws.com/',
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-amz-meta-a': ' one  two ' },
    service: 'sqs',
    region: 'us-west-2',
    credentials: alice,
    date,
  },
  {
    url: 'https://sqs.amazonaws.com/',
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-amz-meta-a': 'x' },
    service: 'sqs',
    region: 'us-west-2',
    credentials: alice,
    date,
    hoistHeaders: true,
  },
  {
    url: 'https://sqs.amazonaws.com/',
    service: 'sqs',
    regionSet: ['us-west-2'],
    algorithm: sigv4a,
    credentials: alice,
    date,
  },
  { url: 'https://sqs.amazonaws.com/', service: 'sqs', regionSet: ['*'], algorithm: sigv4a, credentials: alice, date },
]

// SigV4a signatures are randomised: compare what is deterministic.
const view = (r: { url: string; canonicalRequest: string; stringToSign: string; headers: object }) => ({
  url: r.url.replace(/X-Amz-Signature=[0-9a-f]+/, ''),
  canonicalRequest: r.canonicalRequest,
  stringToSign: r.stringToSign,
  headers: { ...r.headers, authorization: undefined },
})

describe('what sign and presign keep between calls', () => {
  it('never changes a result: any sequence of calls gives each call its own result', async () => {
    // Each variant on its own, with a call of another kind before it.
    const alone: Array<{ presigned: ReturnType<typeof view>; signed: ReturnType<typeof view> }> = []
    for (const [i, options] of variants.entries()) {
      await sign({ url: 'https://other.amazonaws.com/', service: 'other', region: 'eu-west-1', credentials: alice })
      alone[i] = { presigned: view(await presignRequest(options)), signed: view(await sign(options)) }
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(variants.length - 1), { minLength: 2, maxLength: 30 }), async (order) => {
        for (const i of order) {
          expect(view(await presignRequest(variants[i] as PresignOptions))).toEqual(alone[i]?.presigned)
          expect(view(await sign(variants[i] as PresignOptions))).toEqual(alone[i]?.signed)
        }
      }),
      { numRuns: 60 },
    )
  })
})
