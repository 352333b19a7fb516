import { CredentialsError } from '../errors.js'
import type { Credentials } from './types.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

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
  /** Forgets the held credentials. */
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

  const valid = (c: C, t: number) => c.expiration === undefined || c.expiration.getTime() > t
  const fresh = (c: C, t: number) => c.expiration === undefined || c.expiration.getTime() - t > refreshBefore

  const refresh = (): Promise<C> => {
    inflight ??= (async () => {
      try {
        const credentials = await provider()
        if (credentials === null || typeof credentials !== 'object') {
          throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'the provider gave no credentials object', {
            provider: 'cached',
          })
        }
        if (!valid(credentials, now())) {
          throw new CredentialsError(
            'ERR_CREDENTIALS_EXPIRED',
            'the provider gave credentials that have already expired',
            {
              provider: 'cached',
            },
          )
        }
        if (keep) current = credentials
        return credentials
      } finally {
        inflight = undefined
      }
    })()
    return inflight
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
        nextAttempt = 0
      },
    },
    [INSPECT]: {
      value: (_d: number, o: unknown, inspect: (v: unknown, o: unknown) => string) =>
        `CachedProvider { current: ${inspect(current, o)} }`,
    },
    toJSON: { value: () => ({ current }) },
  }) as CachedProvider<C>
}
