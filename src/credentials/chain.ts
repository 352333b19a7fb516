// chain(): the first provider that gives credentials; and the default chain where there are no files.
import { CredentialsError, isAwsigError } from '../errors.js'
import { fromContainer } from './container.js'
import { fromEnv } from './env.js'
import { fromInstanceMetadata } from './imds.js'
import { fromWebIdentity } from './sts.js'
import type { Credentials, DefaultChainOptions, ResolvedCredentials } from './types.js'

export interface ChainOptions {
  /**
   * Which failures move on to the next provider; any other is thrown at once.
   * @default errors with code `ERR_CREDENTIALS_NOT_FOUND`
   */
  continueOn?: ((error: unknown) => boolean) | undefined
}

// By code, so that a provider from another copy of awsig (or any error carrying the brand) counts.
const notFound = (error: unknown) => isAwsigError(error, 'ERR_CREDENTIALS_NOT_FOUND')

function describe(error: unknown): string {
  if (error instanceof CredentialsError) return `${error.provider}: ${error.message}`
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function asCredentialsError(error: unknown): CredentialsError {
  return error instanceof CredentialsError
    ? error
    : new CredentialsError('ERR_CREDENTIALS_REQUEST', describe(error), { provider: 'custom', cause: error })
}

/** Runs providers in order; see {@link chain}. */
export function chainWith<C extends Credentials>(
  providers: ReadonlyArray<() => Promise<C>>,
  options: ChainOptions = {},
): () => Promise<C> {
  const continueOn = options.continueOn ?? notFound
  return async () => {
    const attempts: CredentialsError[] = []
    for (const provider of providers) {
      try {
        return await provider()
      } catch (error) {
        if (!continueOn(error)) throw error
        attempts.push(asCredentialsError(error))
      }
    }
    throw new CredentialsError(
      'ERR_CREDENTIALS_CHAIN',
      attempts.length === 0
        ? 'no credentials: the chain is empty'
        : `no credentials: ${attempts.map(describe).join('; ')}`,
      { provider: 'chain', attempts },
    )
  }
}

/**
 * The first credentials any of `providers` gives, in order. A provider that finds nothing to use
 * (`ERR_CREDENTIALS_NOT_FOUND`) passes to the next; any other failure is thrown, since it means
 * something was configured and is broken. When none gives credentials, `ERR_CREDENTIALS_CHAIN` lists
 * why for each (`error.attempts`).
 *
 * @example
 * const provider = cached(chain(fromEnv(), fromContainer()))
 */
export function chain<C extends Credentials>(...providers: Array<() => Promise<C>>): () => Promise<C> {
  return chainWith(providers)
}

// Browsers and workers have no process: there, no instance metadata service either.
const hasProcess = typeof (globalThis as { process?: { env?: unknown } }).process?.env === 'object'

/**
 * The default chain where there are no files: environment variables, web identity from
 * `AWS_WEB_IDENTITY_TOKEN_FILE` (with `readFile`), the container endpoint, the instance metadata service
 * (only where there is a `process`). The Node build's `defaultChain` adds the shared config files and
 * `credential_process` in the AWS CLI's order.
 */
export function defaultChain(options: DefaultChainOptions = {}): () => Promise<ResolvedCredentials> {
  const { env, fetch, readFile, timeout, region } = options
  const providers: Array<() => Promise<ResolvedCredentials>> = [
    fromEnv({ env }),
    fromWebIdentity({ env, fetch, readFile, timeout, region }),
    fromContainer({ env, fetch, readFile, timeout }),
  ]
  const imds = hasProcess || env !== undefined ? fromInstanceMetadata({ env, fetch, timeout }) : undefined
  if (imds !== undefined) providers.push(imds)
  return chainWith(providers, {
    continueOn: (error) =>
      notFound(error) || (imds !== undefined && error instanceof CredentialsError && error.provider === 'imds'),
  })
}
