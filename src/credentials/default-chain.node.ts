// Node-only: the AWS CLI's default credentials chain (environment, the profile, container, IMDS).
import { chainWith } from './chain.js'
import { fromContainer } from './container.js'
import { isCredentialsError } from './credentials.js'
import { fromEnv } from './env.js'
import { readText } from './fs.node.js'
import { fromInstanceMetadata } from './imds.js'
import { imdsSettings, notFound, openProfile, resolveProfile } from './profile.node.js'
import type { DefaultChainOptions, ResolvedCredentials } from './types.js'

export type { DefaultChainOptions }

/**
 * The AWS CLI's default chain: environment variables; the profile's `role_arn`; web identity
 * (`AWS_WEB_IDENTITY_TOKEN_FILE` or the profile); the profile's SSO; static keys of the credentials
 * file; `credential_process`; static keys of the config file; the container endpoint; the instance
 * metadata service (with the profile's `ec2_metadata_*` settings).
 *
 * As in the AWS CLI, the files are read first: a malformed file, or a profile asked for by name that
 * does not exist, fails at once. When nothing gives credentials, `ERR_CREDENTIALS_CHAIN` lists every
 * provider tried and why (`error.attempts`). Wrap it in `cached()` to reuse what it returns.
 *
 * @example
 * const credentials = cached(defaultChain())
 */
export function defaultChain(options: DefaultChainOptions = {}): () => Promise<ResolvedCredentials> {
  return async () => {
    const { ctx, name } = await openProfile(options)
    const { env } = ctx
    const profileStep = async () => {
      const found = await resolveProfile(ctx, name, true)
      return found ?? notFound(ctx, name, ', and AWS_WEB_IDENTITY_TOKEN_FILE is not set')
    }
    const imds = fromInstanceMetadata({ ...imdsSettings(ctx), env, fetch: options.fetch })
    return chainWith<ResolvedCredentials>(
      [
        fromEnv({ env }),
        profileStep,
        fromContainer({ env, fetch: options.fetch, timeout: options.timeout, readFile: readText }),
        imds,
      ],
      {
        continueOn: (error) =>
          isCredentialsError(error, 'ERR_CREDENTIALS_NOT_FOUND') ||
          (isCredentialsError(error) && error.provider === 'imds'),
      },
    )()
  }
}
