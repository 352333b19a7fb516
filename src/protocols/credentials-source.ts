// "Credentials or a provider": the one type the client, its adapters and the credentials providers
// (AssumeRole's source) take, and how it is checked and resolved.
import { InvalidInputError } from '../errors.js'
import { typeOf } from '../lib/type-of.js'
import type { Credentials } from '../sign/types.js'

/**
 * Credentials, or a provider that returns them (every `awsig/credentials` provider is one). A provider
 * is called for every request: wrap it in `cached()` so that it fetches only when they expire.
 */
export type CredentialsSource = Credentials | (() => Credentials | Promise<Credentials>)

/** Throws `InvalidInputError` (naming `field`) unless `source` is credentials or a function. */
export function checkCredentialsSource(source: unknown, field = 'credentials'): CredentialsSource {
  if (typeof source === 'function') return source as CredentialsSource
  if (source !== null && typeof source === 'object') return source as Credentials
  throw new InvalidInputError(field, `must be credentials or a function that returns them, got ${typeOf(source)}`)
}

/** The credentials themselves: a provider is called, an object is returned as it is. */
export async function resolveCredentials(source: CredentialsSource): Promise<Credentials> {
  return typeof source === 'function' ? await source() : source
}
