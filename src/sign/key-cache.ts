import { sha256Hex } from '#crypto'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

export interface SigningKeyCacheOptions {
  /** Most keys kept; the least recently used goes first. @default 50 */
  maxEntries?: number | undefined
}

/**
 * A bounded LRU cache of derived SigV4 signing keys (one per credentials, day, region and service).
 * Entries are keyed by a SHA-256 fingerprint of the credentials, never by the secret itself, and the
 * cache shows only its size through `util.inspect` and `JSON.stringify`.
 *
 * @example
 * const keyCache = new SigningKeyCache({ maxEntries: 10 })
 * await sign({ ...request, keyCache })
 * keyCache.clear()
 */
export class SigningKeyCache {
  readonly maxEntries: number
  readonly #keys = new Map<string, unknown>()

  constructor(options: SigningKeyCacheOptions = {}) {
    const max = options.maxEntries ?? 50
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxEntries must be a positive integer')
    this.maxEntries = max
  }

  get size(): number {
    return this.#keys.size
  }

  #last: { credentialsId: string; day: string; region: string; service: string; key: unknown } | undefined

  clear(): void {
    this.#keys.clear()
    this.#last = undefined
  }

  /** @internal The key for these parts, if cached. The last one found is checked first, without the Map. */
  lookup(credentialsId: string, day: string, region: string, service: string): unknown {
    const last = this.#last
    if (
      last !== undefined &&
      last.credentialsId === credentialsId &&
      last.day === day &&
      last.region === region &&
      last.service === service
    ) {
      return last.key
    }
    const key = this.get(entryId(credentialsId, day, region, service))
    if (key !== undefined) this.#last = { credentialsId, day, region, service, key }
    return key
  }

  /** @internal */
  store(credentialsId: string, day: string, region: string, service: string, key: unknown): void {
    this.set(entryId(credentialsId, day, region, service), key)
  }

  /** @internal */
  get(id: string): unknown {
    const key = this.#keys.get(id)
    if (key !== undefined && this.#keys.size > 1) {
      // Refresh recency: Map iterates in insertion order, so the first entry is the oldest.
      this.#keys.delete(id)
      this.#keys.set(id, key)
    }
    return key
  }

  /** @internal */
  set(id: string, key: unknown): void {
    this.#last = undefined
    this.#keys.delete(id)
    this.#keys.set(id, key)
    if (this.#keys.size > this.maxEntries) this.#keys.delete(this.#keys.keys().next().value as string)
  }

  toJSON(): { size: number; maxEntries: number } {
    return { size: this.size, maxEntries: this.maxEntries }
  }

  [INSPECT](): string {
    return `SigningKeyCache { size: ${this.size}, maxEntries: ${this.maxEntries} }`
  }
}

const entryId = (credentialsId: string, day: string, region: string, service: string) =>
  `${credentialsId}/${day}/${region}/${service}`

/** The cache `sign` and `presign` use unless given `keyCache`. Call `defaultKeyCache.clear()` to empty it. */
export const defaultKeyCache = new SigningKeyCache()

// Fingerprints of credentials objects already seen, so a reused object is hashed once. The secret
// string is held only as long as the caller's own object lives, to notice if it is mutated.
const fingerprints = new WeakMap<object, { accessKeyId: string; secret: string; id: string | Promise<string> }>()

/** A stable id for (access key, secret) that does not reveal the secret. */
export function credentialsId(accessKeyId: string, secret: string, holder: object): string | Promise<string> {
  const seen = fingerprints.get(holder)
  if (seen !== undefined && seen.secret === secret && seen.accessKeyId === accessKeyId) return seen.id
  const id = sha256Hex(`${accessKeyId}\n${secret}`)
  fingerprints.set(holder, { accessKeyId, secret, id })
  return id
}
