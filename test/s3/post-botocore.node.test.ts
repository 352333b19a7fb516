// Differential: presignPost against botocore's S3SigV4PostAuth (what boto3's generate_presigned_post
// uses), on random policies. Same document, date and credentials -> same fields and x-amz-signature.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type PostPolicyCondition, presignPost } from '../../src/s3/index.js'
import { sigv4 } from '../../src/sign/algorithm.js'
import { botocoreInstalled } from '../support/botocore.js'

const SCRIPT = fileURLToPath(new URL('./botocore-post.py', import.meta.url))
const PYTHON = process.env.PYTHON ?? 'python3'
const AUTH_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-security-token']

const installed = botocoreInstalled()
if (!installed && process.env.CI === 'true') throw new Error('botocore is required in CI (pip install botocore)')
if (!installed) console.warn('\n!!! SKIPPING the botocore POST policy differential: python3 cannot import botocore\n')

const text = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '/', ' ', '"', '\\', 'é', '€', '$', '{', '😀', '\n'),
  maxLength: 12,
})
const condition: fc.Arbitrary<PostPolicyCondition> = fc.oneof(
  fc.record({ acl: fc.constantFrom('private', 'public-read') }),
  fc.tuple(
    fc.constant('starts-with' as const),
    fc.constantFrom('$Content-Type', '$x-amz-meta-tag', '$Cache-Control'),
    text,
  ),
  fc.tuple(fc.constant('eq' as const), fc.constantFrom('$x-amz-meta-user', '$success_action_status'), text),
  fc
    .integer({ min: 0, max: 2 ** 40 })
    .chain((min) => fc.integer({ min, max: 2 ** 41 }).map((max) => ['content-length-range', min, max] as const)),
)

describe.runIf(installed)('presignPost = botocore S3SigV4PostAuth', () => {
  it('gives the same fields and signatures on random policies', async () => {
    const samples = fc.sample(
      fc.record({
        key: fc.oneof(
          text.map((t) => `uploads/${t}x`),
          text.map((t) => `${t}\${filename}`),
        ),
        region: fc.constantFrom('us-east-1', 'eu-west-3', 'ap-southeast-2'),
        date: fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        expiresIn: fc.integer({ min: 1, max: 604800 }),
        conditions: fc.array(condition, { maxLength: 5 }),
        meta: fc.option(text, { nil: undefined }),
        accessKeyId: fc.stringMatching(/^AKIA[A-Z0-9]{4,16}$/),
        secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
        sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,60}$/), { nil: undefined }),
      }),
      { numRuns: 150, seed: 12 },
    )
    const cases = []
    for (const s of samples) {
      // Drop caller fields that a random condition would contradict (presignPost refuses them, tested elsewhere).
      const fields: Record<string, string> = {}
      if (s.meta !== undefined && !s.conditions.some((c) => Array.isArray(c) && c[1] === '$x-amz-meta-tag')) {
        fields['x-amz-meta-tag'] = s.meta
      }
      const credentials = {
        accessKeyId: s.accessKeyId,
        secretAccessKey: s.secretAccessKey,
        sessionToken: s.sessionToken,
      }
      const post = await presignPost({
        url: 'https://bucket.s3.amazonaws.com/',
        key: s.key,
        region: s.region,
        credentials,
        expiresIn: s.expiresIn,
        conditions: s.conditions,
        fields,
        date: s.date,
      })
      const ours = JSON.parse(Buffer.from(post.fields.policy as string, 'base64').toString('utf8'))
      expect(ours).toEqual(post.policy)
      // botocore appends the authentication conditions itself: give it the rest.
      const conditions = ours.conditions.filter(
        (c: unknown) =>
          !(
            c !== null &&
            typeof c === 'object' &&
            !Array.isArray(c) &&
            AUTH_FIELDS.includes(Object.keys(c)[0] as string)
          ),
      )
      cases.push({ post, credentials, s, policy: { expiration: ours.expiration, conditions } })
    }
    const run = spawnSync(PYTHON, [SCRIPT], {
      input: JSON.stringify(
        cases.map((c) => ({
          region: c.s.region,
          date: c.s.date.toISOString(),
          credentials: c.credentials,
          policy: c.policy,
          ours: c.post.fields.policy,
        })),
      ),
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    })
    expect(run.stderr).toBe('')
    const answers = JSON.parse(run.stdout) as Array<{
      fields: Record<string, string>
      policy: unknown
      oursSignature: string
    }>
    expect(answers).toHaveLength(cases.length)
    let compared = 0
    for (const [i, c] of cases.entries()) {
      const boto = answers[i] as (typeof answers)[number]
      const { fields } = c.post
      // Same document (botocore's JSON spacing differs, so compare parsed) ...
      expect(boto.policy).toEqual(c.post.policy)
      for (const name of AUTH_FIELDS) expect([name, fields[name]]).toEqual([name, boto.fields[name]])
      // ... same signature of our encoding, and ours of botocore's encoding equals botocore's.
      expect(boto.oursSignature).toBe(fields['x-amz-signature'])
      const day = (fields['x-amz-date'] as string).slice(0, 8)
      const key = await sigv4.key(c.credentials, day, c.s.region, 's3', null)
      expect(await sigv4.sign(key, boto.fields.policy as string)).toBe(boto.fields['x-amz-signature'])
      compared++
    }
    expect(compared).toBe(150)
  })
})
