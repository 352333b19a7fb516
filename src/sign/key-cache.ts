// The cache of derived signing keys, keyed per algorithm, never by a secret.
import { sha256Hex } from '#crypto'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

export interface SigningKeyCacheOptions {
  /** Most keys kept; the least recently used goes first. @default 50 */
  maxEntries?: number | undefined
}

// Set by the class's static block: the engine's way in, kept out of the public type.
let lookupKey: (cache: SigningKeyCache, id: string) => unknown
let lookupKeyOf: (cache: SigningKeyCache, a: string, b: string, c: string, d: string) => unknown
let storeKey: (cache: SigningKeyCache, id: string, key: unknown) => void

/**
 * A bounded LRU cache of derived signing keys (SigV4: one per credentials, day, region and service;
 * SigV4a: one per credentials).
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

  // The last key found, with the parts of its id when looked up by parts (`cachedKeyOf`).
  #last: { id: string; key: unknown; parts?: readonly [string, string, string, string] } | undefined

  clear(): void {
    this.#keys.clear()
    this.#last = undefined
  }

  static {
    lookupKey = (cache, id) => {
      const last = cache.#last
      if (last !== undefined && last.id === id) return last.key
      const keys = cache.#keys
      const key = keys.get(id)
      if (key !== undefined) {
        if (keys.size > 1) {
          // Refresh recency: Map iterates in insertion order, so the first entry is the oldest.
          keys.delete(id)
          keys.set(id, key)
        }
        cache.#last = { id, key }
      }
      return key
    }
    lookupKeyOf = (cache, a, b, c, d) => {
      // The same key as last time is found without building its id.
      const parts = cache.#last?.parts
      if (parts !== undefined && parts[0] === a && parts[1] === b && parts[2] === c && parts[3] === d) {
        return cache.#last?.key
      }
      const key = lookupKey(cache, `${a}/${b}/${c}/${d}`)
      if (key !== undefined) (cache.#last as { parts?: readonly [string, string, string, string] }).parts = [a, b, c, d]
      return key
    }
    storeKey = (cache, id, key) => {
      const keys = cache.#keys
      cache.#last = undefined
      keys.delete(id)
      keys.set(id, key)
      if (keys.size > cache.maxEntries) keys.delete(keys.keys().next().value as string)
    }
  }

  toJSON(): { size: number; maxEntries: number } {
    return { size: this.size, maxEntries: this.maxEntries }
  }

  [INSPECT](): string {
    return `SigningKeyCache { size: ${this.size}, maxEntries: ${this.maxEntries} }`
  }
}

/**
 * The key cached under `id`, or `undefined`. `id` names the algorithm and whatever the key depends on,
 * e.g. `<credentials fingerprint>/<day>/<region>/<service>` for SigV4.
 */
export function cachedKey(cache: SigningKeyCache, id: string): unknown {
  return lookupKey(cache, id)
}

/** `cachedKey(cache, `${a}/${b}/${c}/${d}`)`, without building the id when it is the last key found. */
export function cachedKeyOf(cache: SigningKeyCache, a: string, b: string, c: string, d: string): unknown {
  return lookupKeyOf(cache, a, b, c, d)
}

/** Caches `key` under `id`, evicting the least recently used entry beyond `maxEntries`. */
export function cacheKey(cache: SigningKeyCache, id: string, key: unknown): void {
  storeKey(cache, id, key)
}

/** The cache `sign` and `presign` use unless given `keyCache`. Call `defaultKeyCache.clear()` to empty it. */
export const defaultKeyCache = new SigningKeyCache()

// Fingerprints of credentials objects already seen, so a reused object is hashed once. The secret
// string is held only as long as the caller's own object lives, to notice if it is mutated.
const fingerprints = new WeakMap<object, { accessKeyId: string; secret: string; id: string | Promise<string> }>()

/** A stable id for (access key, secret) that does not reveal the secret. */
export function credentialsId(accessKeyId: string, secret: string, holder: object): string | Promise<string> {
  const seen = fingerprints.get(holder)
  if (seen !== undefined && seen.secret === secret && seen.accessKeyId === accessKeyId) return seen.id
  const id = sha256Hex(`${accessKeyId}\n${secret}`) as string | Promise<string>
  const entry = { accessKeyId, secret, id }
  fingerprints.set(holder, entry)
  // WebCrypto hashes asynchronously: once known, the id is kept as a string, so that later calls
  // find cached keys without a promise.
  if (typeof id !== 'string') {
    id.then(
      (hex) => {
        entry.id = hex
      },
      () => {},
    )
  }
  return id
}
