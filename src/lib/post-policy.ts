// S3 POST policy conditions: their forms, shared by presignPost (which writes them) and verifyPost
// (which enforces them). https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html

/**
 * One condition of a POST policy, as S3 documents them:
 * - an exact-match object: `{ acl: 'public-read' }` (every entry must match);
 * - `['eq', '$field', value]`: the field equals `value`;
 * - `['starts-with', '$field', prefix]`: the field starts with `prefix` (`''` allows any value);
 * - `['content-length-range', min, max]`: the file is `min` to `max` bytes, both included.
 */
export type PostPolicyCondition =
  | Readonly<Record<string, string>>
  | readonly ['eq', string, string]
  | readonly ['starts-with', string, string]
  | readonly ['content-length-range', number, number]

/** A condition in one shape: field names lower case, without `$`. */
export type NormalizedCondition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string }
  | { kind: 'content-length-range'; min: number; max: number }

/**
 * Fields that only take exact matches (S3's condition table): the authentication fields, the bucket,
 * `success_action_status` and every `x-amz-*` field other than `x-amz-meta-*` (checksums included).
 */
export function exactOnly(field: string): boolean {
  return (
    field === 'bucket' ||
    field === 'success_action_status' ||
    (field.startsWith('x-amz-') && !field.startsWith('x-amz-meta-'))
  )
}

/** S3's placeholder for the uploaded file's name, replaced in the key (a literal, not a template). */
export const FILENAME = '$' + '{filename}'

/** Form fields that no condition has to cover. */
export function exemptField(field: string): boolean {
  return field === 'policy' || field === 'x-amz-signature' || field === 'file' || field.startsWith('x-ignore-')
}

const describe = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))

/**
 * The conditions of one policy entry (an object gives one per key), or a problem in words. Strict:
 * what S3 would refuse as InvalidPolicyDocument is refused here.
 */
export function normalizeCondition(condition: unknown): NormalizedCondition[] | string {
  if (Array.isArray(condition)) {
    const [op, a, b] = condition as unknown[]
    if (condition.length !== 3) return `must have 3 elements, got ${condition.length}`
    if (op === 'content-length-range') {
      if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || (a as number) < 0 || (b as number) < (a as number)) {
        return `content-length-range needs two whole numbers 0 <= min <= max, got ${describe(a)}, ${describe(b)}`
      }
      return [{ kind: 'content-length-range', min: a as number, max: b as number }]
    }
    if (op !== 'eq' && op !== 'starts-with') {
      return `must start with "eq", "starts-with" or "content-length-range", got ${describe(op)}`
    }
    if (typeof a !== 'string' || !a.startsWith('$') || a.length < 2) {
      return `names its field as "$name", got ${describe(a)}`
    }
    if (typeof b !== 'string') return `needs a string value, got ${describe(b)}`
    const field = a.slice(1).toLowerCase()
    if (op === 'starts-with' && exactOnly(field)) return `${field} takes only exact matches, not starts-with`
    return [{ kind: op, field, value: b }]
  }
  if (condition !== null && typeof condition === 'object') {
    const entries = Object.entries(condition as Record<string, unknown>)
    if (entries.length === 0) return 'is an empty object'
    const out: NormalizedCondition[] = []
    for (const [name, value] of entries) {
      if (typeof value !== 'string') return `value of ${JSON.stringify(name)} must be a string, got ${describe(value)}`
      out.push({ kind: 'eq', field: name.toLowerCase(), value })
    }
    return out
  }
  return `must be an object or an array, got ${describe(condition)}`
}

/**
 * Whether a field value meets an `eq` or `starts-with` condition. `Content-Type` may list several
 * types separated by commas; each must meet a `starts-with` condition, as S3 checks it.
 */
export function meets(condition: { kind: 'eq' | 'starts-with'; field: string; value: string }, value: string): boolean {
  if (condition.kind === 'eq') return value === condition.value
  if (condition.field === 'content-type' && value.includes(',')) {
    return value.split(',').every((part) => part.trim().startsWith(condition.value))
  }
  return value.startsWith(condition.value)
}
