// cached(): one provider's credentials held until shortly before they expire, fetched once however
// many callers ask at the same time.
import { CredentialsError } from '../errors.js'
import { INSPECT, redactedCredentials } from '../lib/redact.js'
import type { Credentials } from './types.js'

export interface CachedOptions {
  /**
   * Milliseconds before `expiration` at which a call fetches new credentials instead of returning the
   * held ones. Credentials without `expiration` are kept until `clear()`.
   * @default 5 * 60 * 1000 (5 min)
   */
  refreshBefore?: number | undefined
  /**
   * `false`: keep nothing, every call asks the provider (calls made while one is under way share it).
   * @default true
   */
  cache?: boolean | undefined
  /**
   * After a refresh fails while the held credentials are still valid, serve those for this many
   * milliseconds before trying again.
   * @default 10 * 1000 (10 s)
   */
  retryAfter?: number | undefined
  /** The clock. @default Date.now */
  now?: (() => number) | undefined
}

/** A provider that holds its credentials. Its state is its own: there is no shared cache. */
export interface CachedProvider<C extends Credentials = Credentials> {
  (): Promise<C>
  /** The credentials held now (perhaps expired), or `undefined`. */
  readonly current: C | undefined
  /** Fetches new credentials now, sharing a fetch already under way. */
  refresh(): Promise<C>
  /**
   * Forgets the held credentials and any fetch under way: its result is not kept, and the next call
   * fetches anew.
   */
  clear(): void
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback
  if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
    throw new CredentialsError('ERR_CREDENTIALS_CONFIG', `${name} must be a non-negative number of milliseconds`, {
      provider: 'cached',
    })
  }
  return ms
}

/**
 * Wraps a provider so that its credentials are reused until `refreshBefore` their expiration.
 *
 * - Single flight: however many callers arrive while a fetch is under way, the provider is called once.
 * - A failed refresh while the held credentials are still valid serves those (and tries again after
 *   `retryAfter`); once they have expired, the error is thrown.
 * - Credentials that are already expired when fetched are refused (`ERR_CREDENTIALS_EXPIRED`).
 *
 * @example
 * const credentials = cached(defaultChain(), { refreshBefore: 10 * 60 * 1000 })
 * await sign({ ...request, credentials: await credentials() })
 */
export function cached<C extends Credentials>(
  provider: () => Promise<C>,
  options: CachedOptions = {},
): CachedProvider<C> {
  if (typeof provider !== 'function') {
    throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'cached() needs a provider function', { provider: 'cached' })
  }
  const refreshBefore = checkMs('refreshBefore', options.refreshBefore, 5 * 60 * 1000)
  const retryAfter = checkMs('retryAfter', options.retryAfter, 10 * 1000)
  const keep = options.cache !== false
  const now = options.now ?? Date.now
  let current: C | undefined
  let inflight: Promise<C> | undefined
  let nextAttempt = 0
  // Bumped by clear(): a fetch started before it neither stores its result nor stays shared.
  let generation = 0

  const valid = (c: C, t: number) => c.expiration === undefined || c.expiration.getTime() > t
  const fresh = (c: C, t: number) => c.expiration === undefined || c.expiration.getTime() - t > refreshBefore

  // An async function: a provider that throws synchronously rejects the fetch like any other failure.
  const fetchOnce = async (started: number): Promise<C> => {
    const credentials = await provider()
    if (credentials === null || typeof credentials !== 'object') {
      throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'the provider gave no credentials object', {
        provider: 'cached',
      })
    }
    if (!valid(credentials, now())) {
      throw new CredentialsError('ERR_CREDENTIALS_EXPIRED', 'the provider gave credentials that have already expired', {
        provider: 'cached',
      })
    }
    if (keep && started === generation) current = credentials
    return credentials
  }

  const refresh = (): Promise<C> => {
    if (inflight !== undefined) return inflight
    const attempt = fetchOnce(generation)
    inflight = attempt
    // Registered before any caller awaits `attempt`: the fetch is forgotten before they resume.
    const done = () => {
      if (inflight === attempt) inflight = undefined
    }
    attempt.then(done, done)
    return attempt
  }

  const get = async (): Promise<C> => {
    if (!keep) return refresh()
    const held = current
    if (held === undefined || !valid(held, now())) return refresh()
    if (fresh(held, now()) || now() < nextAttempt) return held
    try {
      return await refresh()
    } catch (error) {
      if (current !== held || !valid(held, now())) throw error
      nextAttempt = now() + retryAfter
      return held
    }
  }

  return Object.defineProperties(get, {
    current: { get: () => current, enumerable: true },
    refresh: { value: refresh },
    clear: {
      value: () => {
        current = undefined
        inflight = undefined
        nextAttempt = 0
        generation++
      },
    },
    [INSPECT]: {
      value: (_d: number, o: unknown, inspect: (v: unknown, o: unknown) => string) =>
        `CachedProvider { current: ${inspect(current && redactedCredentials(current), o)} }`,
    },
    toJSON: { value: () => ({ current: current && redactedCredentials(current) }) },
  }) as CachedProvider<C>
}
