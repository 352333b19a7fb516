// presignPost: the URL and form fields for a browser to upload straight to S3 with an HTML form or
// FormData, under a signed POST policy (size limits, key prefixes, content types).
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html
import { toBase64 } from '../chunked/checksum.js'
import { InvalidInputError } from '../errors.js'
import {
  FILENAME,
  meets,
  type NormalizedCondition,
  normalizeCondition,
  type PostPolicyCondition,
} from '../lib/post-policy.js'
import { typeOf } from '../lib/type-of.js'
import { credentialScope, type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { MAX_EXPIRES_IN, X_AMZ_REGION_SET } from '../sign/constants.js'
import { toAmzDate } from '../sign/date.js'
import { defaultKeyCache, type SigningKeyCache } from '../sign/key-cache.js'
import { resolveCredentials } from '../sign/sign.js'
import type { CredentialsInput } from '../sign/types.js'

export type { PostPolicyCondition } from '../lib/post-policy.js'

export interface PresignPostOptions {
  /** The bucket's URL, where the form is posted: `https://bucket.s3.us-east-1.amazonaws.com/`. */
  url: string | URL
  /**
   * The object key. A key ending in `${filename}` (S3 puts the uploaded file's name there) is allowed
   * by a `starts-with` condition on what comes before it; any other key by an exact match.
   */
  key: string
  /** Region of the bucket, e.g. `us-east-1`. Required, except with SigV4a, which takes `regionSet`. */
  region?: string | undefined
  /**
   * SigV4a only: the regions the policy is valid in, sent as the `x-amz-region-set` field, e.g.
   * `['us-east-1', 'us-west-2']` or `['*']`.
   * @default [region]
   */
  regionSet?: readonly string[] | undefined
  /** Credentials, or a provider that returns them (awaited once). */
  credentials: CredentialsInput
  /** Seconds the policy stays valid, at most 604800 (7 days). @default 3600 */
  expiresIn?: number | undefined
  /**
   * Conditions the upload must meet, in S3's forms: exact-match objects (`{ acl: 'public-read' }`),
   * `['eq', '$field', value]`, `['starts-with', '$field', prefix]`, `['content-length-range', min, max]`.
   * The key, the authentication fields and every entry of `fields` that no condition covers are added.
   * @default []
   */
  conditions?: readonly PostPolicyCondition[] | undefined
  /**
   * More form fields, returned with the signed ones: `Content-Type`, `acl`, `x-amz-meta-*`,
   * `success_action_status`, `success_action_redirect`, `x-amz-checksum-*`, `tagging`... Each must
   * meet the conditions on it, and gets an exact-match condition when none covers it.
   * @default {}
   */
  fields?: Readonly<Record<string, string>> | undefined
  /**
   * The bucket name, to add a `{ bucket }` condition (the policy then works for that bucket only).
   * @default none: no bucket condition
   */
  bucket?: string | undefined
  /** Signing time. @default new Date() */
  date?: Date | undefined
  /** `sigv4` (from `awsig`) or `sigv4a` (from `awsig/sigv4a`). @default sigv4 */
  algorithm?: SigningAlgorithm | undefined
  /** Signing name. @default 's3' */
  service?: string | undefined
  /** Where derived signing keys are kept; `null` derives every time. @default defaultKeyCache */
  keyCache?: SigningKeyCache | null | undefined
}

/** The policy document before encoding. */
export interface PostPolicy {
  /** ISO 8601, e.g. `2026-11-28T12:00:00Z`. */
  expiration: string
  conditions: PostPolicyCondition[]
}

export interface PresignedPost {
  /** Where to post the form (the `url` option, as a string). */
  url: string
  /**
   * The form fields, in order: the caller's fields, `key`, the `x-amz-*` authentication fields,
   * `policy` and `x-amz-signature`. Append them to a `FormData` in this order, and the file last.
   */
  fields: Record<string, string>
  /** The policy that `fields.policy` encodes. */
  policy: PostPolicy
  /** When the policy expires. */
  expires: Date
}

const RESERVED = new Set([
  'key',
  'policy',
  'file',
  'x-amz-signature',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-security-token',
  X_AMZ_REGION_SET,
])
const encoder = new TextEncoder()

function checkString(field: string, value: unknown, allowEmpty = false): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeOf(value)}`)
  if (!allowEmpty && value === '') throw new InvalidInputError(field, 'must not be empty')
  return value
}

/** ISO 8601 without milliseconds, as botocore and S3's examples write it. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * Presigns a browser upload: the URL and the form fields of a POST policy signed with SigV4 (or
 * SigV4a). Every condition is checked first: a malformed one, a field that breaks one, or an expiry
 * over 7 days throws an {@link InvalidInputError} naming it.
 *
 * @example
 * const { url, fields } = await presignPost({
 *   url: 'https://bucket.s3.us-east-1.amazonaws.com/', key: 'uploads/${filename}', region: 'us-east-1',
 *   credentials, expiresIn: 600,
 *   conditions: [['content-length-range', 1, 10_000_000], ['starts-with', '$Content-Type', 'image/']],
 *   fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42' },
 * })
 * const form = new FormData()
 * for (const [name, value] of Object.entries(fields)) form.append(name, value)
 * form.append('file', file) // the file goes last
 * await fetch(url, { method: 'POST', body: form })
 */
export async function presignPost(options: PresignPostOptions): Promise<PresignedPost> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  let url: string
  if (options.url instanceof URL) url = options.url.href
  else url = checkString('url', options.url)
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(parsed.protocol)
  } catch (cause) {
    throw new InvalidInputError('url', 'must be an absolute http: or https: URL', { cause })
  }
  const key = checkString('key', options.key)
  const service = checkString('service', options.service ?? 's3')
  const algorithm = options.algorithm ?? sigv4
  if (algorithm === null || typeof algorithm !== 'object' || typeof algorithm.sign !== 'function') {
    throw new InvalidInputError('algorithm', 'must be sigv4 (from awsig) or sigv4a (from awsig/sigv4a)')
  }
  let region: string
  if (algorithm.regionSet) {
    const set = options.regionSet ?? (options.region === undefined ? undefined : [options.region])
    if (!Array.isArray(set) || set.length === 0) {
      throw new InvalidInputError(
        'regionSet',
        'is required with SigV4a: the regions the policy is valid in, e.g. ["*"]',
      )
    }
    for (const [i, r] of set.entries()) checkString(`regionSet[${i}]`, r)
    region = set.join(',')
  } else {
    if (options.regionSet !== undefined) {
      throw new InvalidInputError('regionSet', 'is for SigV4a (algorithm: sigv4a); give region instead')
    }
    region = checkString('region', options.region)
  }
  const expiresIn = options.expiresIn ?? 3600
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new InvalidInputError(
      'expiresIn',
      `must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN} (7 days), got ${typeof expiresIn === 'number' ? expiresIn : typeOf(expiresIn)}`,
    )
  }
  const amzDate = toAmzDate(options.date)
  const now = (options.date ?? new Date()).getTime()

  // Conditions as given, checked and normalised.
  const given = options.conditions ?? []
  if (!Array.isArray(given)) throw new InvalidInputError('conditions', `must be an array, got ${typeOf(given)}`)
  const normalized: NormalizedCondition[] = []
  given.forEach((condition, i) => {
    const result = normalizeCondition(condition)
    if (typeof result === 'string') throw new InvalidInputError(`conditions[${i}]`, result)
    for (const c of result) {
      if (c.kind !== 'content-length-range' && (c.field === 'policy' || c.field === 'x-amz-signature')) {
        throw new InvalidInputError(`conditions[${i}]`, `cannot constrain ${c.field}, which the policy itself makes`)
      }
    }
    normalized.push(...result)
  })

  // The caller's fields: strings, not reserved, no name twice, each meeting the conditions on it.
  const fieldsIn = options.fields ?? {}
  if (fieldsIn === null || typeof fieldsIn !== 'object' || Array.isArray(fieldsIn)) {
    throw new InvalidInputError('fields', `must be an object of strings, got ${typeOf(fieldsIn)}`)
  }
  const seen = new Set<string>()
  const fields: Record<string, string> = {}
  const added: PostPolicyCondition[] = []
  const covered = (name: string) => normalized.some((c) => c.kind !== 'content-length-range' && c.field === name)
  for (const [name, value] of Object.entries(fieldsIn)) {
    const lower = name.toLowerCase()
    const field = `fields[${JSON.stringify(name)}]`
    checkString(field, value, true)
    if (RESERVED.has(lower)) {
      throw new InvalidInputError(field, `is set by presignPost itself${lower === 'key' ? ': use the key option' : ''}`)
    }
    if (seen.has(lower)) throw new InvalidInputError(field, 'is given twice (field names are case-insensitive)')
    seen.add(lower)
    for (const c of normalized) {
      if (c.kind !== 'content-length-range' && c.field === lower && !meets(c, value)) {
        throw new InvalidInputError(
          field,
          `is ${JSON.stringify(value)}, which breaks the condition ${c.kind === 'eq' ? 'eq' : 'starts-with'} ${JSON.stringify(c.value)}`,
        )
      }
    }
    if (!covered(lower)) added.push({ [name]: value })
    fields[name] = value
  }

  // The key: as a field, it must meet the caller's conditions on $key too.
  for (const c of normalized) {
    if (c.kind !== 'content-length-range' && c.field === 'key' && !meets(c, key)) {
      throw new InvalidInputError(
        'key',
        `is ${JSON.stringify(key)}, which breaks the condition ${c.kind} ${JSON.stringify(c.value)}`,
      )
    }
  }
  const keyConditions: PostPolicyCondition[] = []
  if (options.bucket !== undefined) keyConditions.push({ bucket: checkString('bucket', options.bucket) })
  if (!covered('key')) {
    keyConditions.push(key.endsWith(FILENAME) ? ['starts-with', '$key', key.slice(0, -FILENAME.length)] : { key })
  }
  if (options.bucket !== undefined) {
    for (const c of normalized) {
      if (c.kind === 'eq' && c.field === 'bucket' && c.value !== options.bucket) {
        throw new InvalidInputError(
          'bucket',
          `is ${JSON.stringify(options.bucket)} but a condition requires ${JSON.stringify(c.value)}`,
        )
      }
    }
  }

  // Every option checked: only now call a credentials provider.
  const credentials = await resolveCredentials(options.credentials)
  const day = amzDate.slice(0, 8)
  const auth: Record<string, string> = {
    'x-amz-algorithm': algorithm.id,
    'x-amz-credential': `${credentials.accessKeyId}/${credentialScope(algorithm, day, region, service)}`,
    'x-amz-date': amzDate,
  }
  // SigV4a's scope names no region: the region set travels as its own field, as it does as a header.
  if (algorithm.regionSet) auth[X_AMZ_REGION_SET] = region
  if (credentials.sessionToken != null) auth['x-amz-security-token'] = credentials.sessionToken
  for (const [name, value] of Object.entries(auth)) {
    for (const c of normalized) {
      if (c.kind === 'eq' && c.field === name && c.value !== value) {
        throw new InvalidInputError(
          'conditions',
          `require ${name} to be ${JSON.stringify(c.value)}, but it is ${JSON.stringify(value)}`,
        )
      }
    }
  }

  const policy: PostPolicy = {
    expiration: isoSeconds(now + expiresIn * 1000),
    conditions: [
      ...(given as PostPolicyCondition[]),
      ...keyConditions,
      ...added,
      ...Object.entries(auth).map(([name, value]) => ({ [name]: value })),
    ],
  }
  const encoded = toBase64(encoder.encode(JSON.stringify(policy)))
  const keyCache = options.keyCache === undefined ? defaultKeyCache : options.keyCache
  const signingKey = await algorithm.key(credentials, day, region, service, keyCache)
  const signature = await algorithm.sign(signingKey, encoded)
  return {
    url,
    fields: { ...fields, key, ...auth, policy: encoded, 'x-amz-signature': signature },
    policy,
    expires: new Date(now + expiresIn * 1000),
  }
}
