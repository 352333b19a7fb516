// A bounded, in-memory seen-signature cache for verifyRequest's `replay` hook.

export interface ReplayCacheOptions {
  /** Most signatures remembered; when full, the one that expires first is forgotten. @default 100_000 */
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
  const seen = new Map<string, number>()
  const prune = (time: number) => {
    for (const [signature, until] of seen) if (until < time) seen.delete(signature)
  }
  return {
    check(signature, validUntil) {
      const time = now()
      const until = seen.get(signature)
      if (until !== undefined && until >= time) return true
      if (seen.size >= max) {
        prune(time)
        // Still full: forget the oldest entry (insertion order).
        if (seen.size >= max) seen.delete(seen.keys().next().value as string)
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
