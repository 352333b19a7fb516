// verifyPost: the server side of S3's browser uploads. Checks a received POST form as S3 does: the
// policy's signature, its expiration, and every condition (fields, key, size, checksums).
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumState } from '../chunked/checksum.js'
import { InvalidInputError, VerificationError } from '../errors.js'
import { timingSafeEqualHex } from '../lib/hex.js'
import { exemptField, FILENAME, meets, type NormalizedCondition, normalizeCondition } from '../lib/post-policy.js'
import { typeOf } from '../lib/type-of.js'
import { type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { SCOPE_TERMINATOR, X_AMZ_REGION_SET } from '../sign/constants.js'
import { parseAmzDate } from '../sign/date.js'
import { defaultKeyCache, type SigningKeyCache } from '../sign/key-cache.js'
import type { Credentials } from '../sign/types.js'

export type { PostPolicyCondition } from '../lib/post-policy.js'

/** Looks up the credentials of an access key id; `undefined` when the key is unknown. */
export type CredentialsLookup = (accessKeyId: string) => Credentials | undefined | Promise<Credentials | undefined>

export interface VerifyPostOptions {
  /**
   * The credentials forms may be signed with, or a function that finds them by access key id. With a
   * `sessionToken`, a form must carry that token as `x-amz-security-token` (as `presignPost` adds it).
   */
  credentials: Credentials | CredentialsLookup
  /** The region the form must be signed for (SigV4), or that its region set must include (SigV4a). @default any region */
  region?: string | undefined
  /** The signing name the form must be signed for. @default 's3' */
  service?: string | undefined
  /**
   * The bucket that received the form, checked against the policy's `bucket` conditions. Required
   * when the policy has one.
   */
  bucket?: string | undefined
  /** The current time, for the policy's expiration. @default new Date() */
  now?: Date | undefined
  /** The algorithms accepted: `sigv4`, and `sigv4a` from `awsig/sigv4a` to accept it too. @default [sigv4] */
  algorithms?: readonly SigningAlgorithm[] | undefined
  /**
   * Check `x-amz-checksum-*` fields against the file, as S3 does (reads the file once).
   * @default true
   */
  checkChecksums?: boolean | undefined
  /** Where derived signing keys are kept; `null` derives every time. @default defaultKeyCache */
  keyCache?: SigningKeyCache | null | undefined
}

export interface VerifiedPost {
  /** The access key the policy was signed with. */
  accessKeyId: string
  /** The object key, with `${filename}` replaced by the file's name. */
  key: string
  /** Every field before the file, names in lower case (S3 ignores what comes after the file). */
  fields: Record<string, string>
  /** The uploaded file. */
  file: Blob
  /** The file's name as the browser sent it (`''` when none). */
  filename: string
  /** The decoded policy. */
  policy: { expiration: string; conditions: unknown[] }
  /** When the policy expires. */
  expiration: Date
}

type FormInput = FormData | Iterable<readonly [string, string | Blob]>

const fail = (
  code:
    | 'ERR_POST_FORM'
    | 'ERR_POLICY_INVALID'
    | 'ERR_POLICY_EXPIRED'
    | 'ERR_POLICY_CONDITION'
    | 'ERR_SIGNATURE_MISMATCH'
    | 'ERR_CHECKSUM_MISMATCH'
    | 'ERR_INVALID_TOKEN',
  awsCode: string,
  status: number,
  message: string,
  field?: string,
) => new VerificationError(code, message, field === undefined ? { awsCode, status } : { awsCode, status, field })

const isBlob = (value: unknown): value is Blob => typeof Blob !== 'undefined' && value instanceof Blob
const decoder = new TextDecoder('utf-8', { fatal: true })

function decodePolicy(encoded: string): { expiration: string; conditions: unknown[]; expires: number } {
  const invalid = (why: string) =>
    fail('ERR_POLICY_INVALID', 'InvalidPolicyDocument', 400, `Invalid Policy: ${why}`, 'policy')
  let document: unknown
  try {
    const binary = atob(encoded.replace(/\s+/g, ''))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    document = JSON.parse(decoder.decode(bytes))
  } catch {
    throw invalid('Invalid JSON.')
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw invalid('Invalid JSON.')
  const { expiration, conditions } = document as Record<string, unknown>
  if (typeof expiration !== 'string') throw invalid('Policy missing expiration.')
  // ISO 8601 in GMT, as S3 reads it: without a zone it is UTC, never the server's local time.
  const expires = Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(expiration) ? expiration : `${expiration}Z`)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(expiration) || Number.isNaN(expires)) throw invalid("Invalid 'expiration' value.")
  if (!Array.isArray(conditions)) throw invalid('Policy missing conditions.')
  return { expiration, conditions, expires }
}

/** The file's checksum in base64, computed as the file is read. */
async function fileChecksum(file: Blob, algorithm: ChecksumAlgorithm): Promise<string> {
  const state = checksumState(algorithm)
  const reader = file.stream().getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    state.update(value)
  }
  return state.digest()
}

/**
 * Verifies a browser upload received as a POST form (`await request.formData()`), as S3 would: the
 * policy's signature with the signer's credentials, its expiration, and every condition (each field,
 * the key, the bucket, the file's size, `x-amz-checksum-*` against the file), and that every field is
 * covered by a condition. Resolves to the verified upload; rejects with a {@link VerificationError}
 * whose `awsCode` and `status` are what S3 answers (`AccessDenied` 403, `EntityTooLarge` 400,
 * `InvalidPolicyDocument` 400, `SignatureDoesNotMatch` 403...). A misused option throws
 * {@link InvalidInputError}.
 *
 * @example
 * const upload = await verifyPost(await request.formData(), { credentials, region: 'us-east-1' })
 *   .catch((error) => error)
 * if (upload instanceof VerificationError) return new Response(upload.awsCode, { status: upload.status })
 * await store(upload.key, upload.file)
 */
export async function verifyPost(formData: FormInput, options: VerifyPostOptions): Promise<VerifiedPost> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const lookup = options.credentials
  if (lookup === null || (typeof lookup !== 'object' && typeof lookup !== 'function')) {
    throw new InvalidInputError('credentials', `must be credentials or a lookup function, got ${typeOf(lookup)}`)
  }
  if (formData === null || typeof formData !== 'object' || !(Symbol.iterator in formData)) {
    throw new InvalidInputError(
      'formData',
      `must be a FormData or an iterable of [name, value], got ${typeOf(formData)}`,
    )
  }
  const algorithms = options.algorithms ?? [sigv4]
  const service = options.service ?? 's3'
  const now = options.now ?? new Date()
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new InvalidInputError('now', 'must be a valid Date')

  // The fields up to the file, lower-case names, each once.
  const fields: Record<string, string> = {}
  let file: Blob | undefined
  for (const [rawName, value] of formData as Iterable<readonly [string, string | Blob]>) {
    const name = rawName.toLowerCase()
    if (name === 'file') {
      if (!isBlob(value)) {
        throw fail(
          'ERR_POST_FORM',
          'InvalidArgument',
          400,
          'POST requires exactly one file upload per request.',
          'file',
        )
      }
      file = value
      break // S3 ignores the fields after the file
    }
    if (isBlob(value)) {
      throw fail('ERR_POST_FORM', 'InvalidArgument', 400, `Field ${name} is a file; only "file" may be.`, name)
    }
    if (Object.hasOwn(fields, name)) {
      throw fail('ERR_POST_FORM', 'InvalidArgument', 400, `Field ${name} appears more than once.`, name)
    }
    fields[name] = String(value)
  }
  if (file === undefined) {
    throw fail('ERR_POST_FORM', 'InvalidArgument', 400, 'POST requires exactly one file upload per request.', 'file')
  }
  const rawKey = fields.key
  if (rawKey === undefined) {
    throw fail('ERR_POST_FORM', 'InvalidArgument', 400, "Bucket POST must contain a field named 'key'.", 'key')
  }
  const encodedPolicy = fields.policy
  const signature = fields['x-amz-signature']
  if (encodedPolicy === undefined || signature === undefined) {
    throw fail(
      'ERR_POST_FORM',
      'AccessDenied',
      403,
      `Access Denied: the form has no ${encodedPolicy === undefined ? 'policy' : 'x-amz-signature'}.`,
      encodedPolicy === undefined ? 'policy' : 'x-amz-signature',
    )
  }
  for (const name of ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date']) {
    if (fields[name] === undefined) {
      throw fail('ERR_POST_FORM', 'InvalidArgument', 400, `Bucket POST must contain a field named '${name}'.`, name)
    }
  }
  const policy = decodePolicy(encodedPolicy)

  // The signature: the algorithm's signature of the base64 policy, under the signer's key.
  const algorithm = algorithms.find((a) => a.id === fields['x-amz-algorithm'])
  if (algorithm === undefined) {
    throw fail(
      'ERR_POST_FORM',
      'InvalidArgument',
      400,
      `Unsupported x-amz-algorithm: ${fields['x-amz-algorithm']}.`,
      'x-amz-algorithm',
    )
  }
  const parts = (fields['x-amz-credential'] as string).split('/')
  const expectedParts = algorithm.regionSet ? 4 : 5
  const amzDate = fields['x-amz-date'] as string
  const malformed = (why: string) =>
    fail('ERR_POST_FORM', 'InvalidArgument', 400, `x-amz-credential is malformed: ${why}.`, 'x-amz-credential')
  if (parts.length !== expectedParts || parts.some((p) => p === '') || parts[parts.length - 1] !== SCOPE_TERMINATOR) {
    throw malformed(`expected ${algorithm.regionSet ? 'KEY/DAY/SERVICE' : 'KEY/DAY/REGION/SERVICE'}/aws4_request`)
  }
  const [accessKeyId, day] = parts as [string, string]
  const region = algorithm.regionSet ? (fields[X_AMZ_REGION_SET] ?? '') : (parts[2] as string)
  const scopeService = parts[parts.length - 2] as string
  if (parseAmzDate(amzDate) === undefined) {
    throw fail(
      'ERR_POST_FORM',
      'InvalidArgument',
      400,
      'x-amz-date must be a date such as 20150830T123600Z.',
      'x-amz-date',
    )
  }
  if (amzDate.slice(0, 8) !== day) throw malformed(`its day ${day} is not the day of x-amz-date`)
  if (scopeService !== service) throw malformed(`it is for service ${scopeService}, not ${service}`)
  if (!algorithm.regionSet && options.region !== undefined && region !== options.region) {
    throw malformed(`it is for region ${region}, not ${options.region}`)
  }
  if (algorithm.regionSet && options.region !== undefined) {
    const set = region.split(',').map((r) => r.trim())
    if (!set.includes('*') && !set.includes(options.region)) {
      throw fail(
        'ERR_POST_FORM',
        'InvalidArgument',
        400,
        `x-amz-region-set ${JSON.stringify(region)} does not include ${options.region}.`,
        X_AMZ_REGION_SET,
      )
    }
  }
  const credentials =
    typeof lookup === 'function' ? await lookup(accessKeyId) : lookup.accessKeyId === accessKeyId ? lookup : undefined
  if (credentials === undefined) {
    throw fail(
      'ERR_POST_FORM',
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      'x-amz-credential',
    )
  }
  // Temporary credentials: the form must carry the very token issued with the key (and none without one).
  const issued = credentials.sessionToken ?? undefined
  const token = fields['x-amz-security-token']
  if (
    (issued !== undefined || token !== undefined) &&
    !(issued !== undefined && token !== undefined && timingSafeEqualHex(issued, token))
  ) {
    throw fail(
      'ERR_INVALID_TOKEN',
      'InvalidToken',
      400,
      'The provided token is malformed or otherwise invalid.',
      'x-amz-security-token',
    )
  }
  const keyCache = options.keyCache === undefined ? defaultKeyCache : options.keyCache
  const signingKey = await algorithm.key(credentials, day, region, service, keyCache)
  if (!/^[0-9a-f]+$/.test(signature) || !(await algorithm.verify(signingKey, encodedPolicy, signature))) {
    throw fail(
      'ERR_SIGNATURE_MISMATCH',
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      'x-amz-signature',
    )
  }

  if (now.getTime() > policy.expires) {
    throw fail('ERR_POLICY_EXPIRED', 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.', 'policy')
  }

  // Every condition, in order, then every field covered by one.
  const conditions: NormalizedCondition[] = []
  for (const condition of policy.conditions) {
    const result = normalizeCondition(condition)
    if (typeof result === 'string') {
      throw fail(
        'ERR_POLICY_INVALID',
        'InvalidPolicyDocument',
        400,
        `Invalid Policy: Invalid Condition ${JSON.stringify(condition)}: ${result}.`,
        'policy',
      )
    }
    conditions.push(...result)
  }
  for (const c of conditions) {
    if (c.kind === 'content-length-range') {
      if (file.size > c.max) {
        throw fail(
          'ERR_POLICY_CONDITION',
          'EntityTooLarge',
          400,
          `Your proposed upload exceeds the maximum allowed size (${c.max} bytes).`,
          'file',
        )
      }
      if (file.size < c.min) {
        throw fail(
          'ERR_POLICY_CONDITION',
          'EntityTooSmall',
          400,
          `Your proposed upload is smaller than the minimum allowed size (${c.min} bytes).`,
          'file',
        )
      }
      continue
    }
    let value: string | undefined
    if (c.field === 'bucket') {
      if (options.bucket === undefined) {
        throw new InvalidInputError(
          'bucket',
          'is required: the policy has a bucket condition, so say which bucket received the form',
        )
      }
      value = options.bucket
    } else value = fields[c.field]
    // A field the form lacks is empty: it meets `starts-with ""` and `eq ""` only.
    if (!meets(c, value ?? '')) {
      throw fail(
        'ERR_POLICY_CONDITION',
        'AccessDenied',
        403,
        `Invalid according to Policy: Policy Condition failed: ["${c.kind}", "$${c.field}", ${JSON.stringify(c.value)}]`,
        c.field,
      )
    }
  }
  for (const name of Object.keys(fields)) {
    if (exemptField(name) || conditions.some((c) => c.kind !== 'content-length-range' && c.field === name)) continue
    throw fail(
      'ERR_POLICY_CONDITION',
      'AccessDenied',
      403,
      `Invalid according to Policy: Extra input fields: ${name}`,
      name,
    )
  }

  if (options.checkChecksums !== false) {
    for (const algorithmName of CHECKSUM_ALGORITHMS) {
      const given = fields[`x-amz-checksum-${algorithmName}`]
      if (given === undefined) continue
      if ((await fileChecksum(file, algorithmName)) !== given) {
        throw fail(
          'ERR_CHECKSUM_MISMATCH',
          'BadDigest',
          400,
          `The ${algorithmName.toUpperCase()} you specified did not match the calculated checksum.`,
          `x-amz-checksum-${algorithmName}`,
        )
      }
    }
  }

  const filename = typeof (file as { name?: unknown }).name === 'string' ? (file as File).name : ''
  return {
    accessKeyId,
    key: rawKey.replaceAll(FILENAME, filename),
    fields,
    file,
    filename,
    policy: { expiration: policy.expiration, conditions: policy.conditions },
    expiration: new Date(policy.expires),
  }
}
