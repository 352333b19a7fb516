// Node-only: fromIni, the credentials of one profile of the shared config and credentials files.
import { notFound, openProfile, resolveProfile } from './profile.node.js'
import type { FromIniOptions, ResolvedCredentials } from './types.js'

export type { FromIniOptions }

/**
 * Credentials of a profile of the shared `config` and `credentials` files: static keys, `role_arn`
 * with `source_profile` (chains, with cycle detection) or `credential_source`, `role_session_name`,
 * `external_id`, `duration_seconds`, `mfa_serial` (through `mfaCode`), `web_identity_token_file`,
 * SSO, `credential_process`, in the AWS CLI's order.
 *
 * `ERR_CREDENTIALS_PROFILE_NOT_FOUND` when a profile asked for by name (option, `AWS_DEFAULT_PROFILE` or `AWS_PROFILE`)
 * exists in neither file; `ERR_CREDENTIALS_NOT_FOUND` when the default profile is missing or
 * configures nothing.
 *
 * @example
 * const provider = cached(fromIni({ profile: 'prod', mfaCode: async (serial) => prompt(`MFA code for ${serial}: `) }))
 */
export function fromIni(options: FromIniOptions = {}): () => Promise<ResolvedCredentials> {
  return async () => {
    const { ctx, name } = await openProfile(options)
    return (await resolveProfile(ctx, name, false)) ?? notFound(ctx, name)
  }
}
