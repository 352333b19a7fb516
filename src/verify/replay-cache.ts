// A bounded, in-memory seen-signature cache for verifyRequest's `replay` hook.

export interface ReplayCacheOptions {
  /**
   * Most signatures remembered. When full, the oldest is forgotten, and with it the expired ones that
   * follow it (in the order they were first seen). @default 100_000
   */
  maxEntries?: number | undefined
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

/** A seen-signature cache: `check` answers `true` for a signature seen before that could still verify. */
export interface ReplayCache {
  /** Pass as `replay` to `verifyRequest`. */
  readonly check: (signature: string, validUntil: number) => boolean
  readonly size: number
  clear(): void
}

/**
 * An in-memory replay cache for one process. Spread over several servers, use a shared store instead
 * (the hook may be async): remember each signature until `validUntil`.
 *
 * @example
 * const replay = createReplayCache()
 * await verifyRequest(request, { credentials, replay: replay.check })
 */
export function createReplayCache(options: ReplayCacheOptions = {}): ReplayCache {
  const max = options.maxEntries ?? 100_000
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxEntries must be a positive integer')
  const now = options.now ?? Date.now
  // In the order first seen. Forgetting only from the front keeps a full cache's `check` from walking
  // every entry (each entry is deleted once); an expired entry further in is dropped when seen again.
  const seen = new Map<string, number>()
  return {
    check(signature, validUntil) {
      const time = now()
      const until = seen.get(signature)
      if (until !== undefined) {
        if (until >= time) return true
        seen.delete(signature)
      }
      if (seen.size >= max) {
        for (const [oldest, oldestUntil] of seen) {
          if (seen.size < max && oldestUntil >= time) break
          seen.delete(oldest)
        }
      }
      seen.set(signature, validUntil)
      return false
    },
    get size() {
      return seen.size
    },
    clear() {
      seen.clear()
    },
  }
}
