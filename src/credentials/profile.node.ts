// Node-only: how a profile of the shared config and credentials files gives credentials, in the AWS
// CLI's order: role_arn (source_profile / credential_source, chained, cycles refused), web identity,
// SSO, static keys of the credentials file, credential_process, static keys of the config file.
// fromIni and the default chain both resolve profiles with it.
// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html
import { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
import { type LoadedSharedConfig, loadSharedConfig, selectProfile } from './config.node.js'
import { fromContainer } from './container.js'
import { checkNotExpired, createCredentials, fail, isCredentialsError } from './credentials.js'
import { envValue, fromEnv, runtimeEnv } from './env.js'
import type { FromIniOptions } from './from-ini.node.js'
import { readText } from './fs.node.js'
import { fromInstanceMetadata } from './imds.js'
import type { IniValue } from './ini.js'
import { runCredentialProcess } from './process.node.js'
import { endpointFrom, type ProfileSettings, regionFrom } from './region.js'
import { ssoCredentials } from './sso.node.js'
import { assumeRoleProvider, webIdentityProvider } from './sts.js'
import type { Credentials, Env, ResolvedCredentials } from './types.js'

export interface Context {
  config: LoadedSharedConfig
  env: Env
  options: FromIniOptions
  /** The top-level profile's settings: region and endpoints come from it, as in the AWS CLI. */
  settings: ProfileSettings
  region: string
}

const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'] as const

export const str = (value: IniValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined)
const hasStatic = (p: Record<string, IniValue>) =>
  p.aws_access_key_id !== undefined || p.aws_secret_access_key !== undefined
const hasRole = (p: Record<string, IniValue>) => p.role_arn !== undefined && p.web_identity_token_file === undefined

function makeContext(config: LoadedSharedConfig, profile: string, env: Env, options: FromIniOptions): Context {
  const settings: ProfileSettings = { profile: config.profiles[profile], services: config.services }
  return { config, env, options, settings, region: options.region ?? regionFrom(env, settings) ?? 'us-east-1' }
}

function profileDetails(profile: string, provider = 'ini'): CredentialsErrorDetails {
  return { provider, profile }
}

/** Static keys of one section, from the file it came from. */
function staticKeys(
  profile: string,
  section: Readonly<Record<string, IniValue>> | undefined,
  file: string,
): ResolvedCredentials | undefined {
  if (section === undefined || section.aws_access_key_id === undefined) return undefined
  const details = { ...profileDetails(profile), file }
  const accessKeyId = str(section.aws_access_key_id)
  const secretAccessKey = str(section.aws_secret_access_key)
  if (!accessKeyId) fail('ERR_CREDENTIALS_CONFIG', `profile ${profile} has an empty aws_access_key_id`, details)
  if (secretAccessKey === undefined) {
    fail('ERR_CREDENTIALS_CONFIG', `profile ${profile} has aws_access_key_id but no aws_secret_access_key`, details)
  }
  return createCredentials(
    {
      accessKeyId,
      secretAccessKey,
      sessionToken: str(section.aws_security_token) ?? str(section.aws_session_token),
      accountId: str(section.aws_account_id),
    },
    'ini',
  )
}

/** Web identity configured by the profile (and, at the top of the default chain, by the environment, which wins key by key). */
function webIdentity(ctx: Context, profile: string, useEnv: boolean): Promise<ResolvedCredentials> | undefined {
  const p = ctx.config.profiles[profile] ?? {}
  const pick = (envName: string, key: string) => (useEnv ? envValue(ctx.env, envName) : undefined) ?? str(p[key])
  const tokenFile = pick('AWS_WEB_IDENTITY_TOKEN_FILE', 'web_identity_token_file')
  // An empty web_identity_token_file configures nothing, as in botocore.
  if (!tokenFile) return undefined
  const roleArn = pick('AWS_ROLE_ARN', 'role_arn')
  if (!roleArn) {
    fail(
      'ERR_CREDENTIALS_CONFIG',
      'a web identity token file is configured but no role ARN (AWS_ROLE_ARN or role_arn)',
      {
        provider: 'web-identity',
        profile,
      },
    )
  }
  return webIdentityProvider(
    {
      roleArn,
      webIdentityTokenFile: tokenFile,
      roleSessionName: pick('AWS_ROLE_SESSION_NAME', 'role_session_name'),
      region: ctx.region,
      endpoint: endpointFrom('sts', ctx.env, ctx.settings),
      readFile: readText,
      fetch: ctx.options.fetch,
      timeout: ctx.options.timeout,
      env: {},
    },
    profile,
  )()
}

/** The providers a profile's own settings drive, in the AWS CLI's order (role_arn aside). */
async function profileProviders(
  ctx: Context,
  profile: string,
  useEnvWebIdentity: boolean,
): Promise<ResolvedCredentials | undefined> {
  const web = webIdentity(ctx, profile, useEnvWebIdentity)
  if (web !== undefined) return web
  const p = ctx.config.profiles[profile] ?? {}
  if (p.sso_account_id !== undefined || p.sso_role_name !== undefined) {
    return ssoCredentials(ctx.config, profile, {
      env: ctx.env,
      fetch: ctx.options.fetch,
      timeout: ctx.options.timeout,
      ssoCacheDir: ctx.options.ssoCacheDir,
      endpoint: endpointFrom('sso', ctx.env, ctx.settings),
    })
  }
  const fromCredentialsFile = staticKeys(profile, ctx.config.credentialsProfiles[profile], ctx.config.credentialsFile)
  if (fromCredentialsFile !== undefined) return fromCredentialsFile
  const command = str(p.credential_process)
  if (command !== undefined) {
    const credentials = await runCredentialProcess(command, {
      env: ctx.env,
      timeout: ctx.options.processTimeout,
      profile,
    })
    const accountId = str(p.aws_account_id)
    if (credentials.accountId !== undefined || accountId === undefined) return credentials
    // The process did not say which account: the profile's aws_account_id does, as in the AWS CLI.
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = credentials
    return createCredentials({ accessKeyId, secretAccessKey, sessionToken, expiration, accountId }, 'process')
  }
  return staticKeys(profile, ctx.config.configProfiles[profile], ctx.config.configFile)
}

async function credentialSource(ctx: Context, profile: string, source: string): Promise<Credentials> {
  const details = profileDetails(profile, 'assume-role')
  const o = ctx.options
  const provider =
    source === 'Environment'
      ? fromEnv({ env: ctx.env })
      : source === 'EcsContainer'
        ? fromContainer({ env: ctx.env, fetch: o.fetch, timeout: o.timeout, readFile: readText })
        : fromInstanceMetadata({ ...imdsSettings(ctx), env: ctx.env, fetch: o.fetch })
  try {
    return await provider()
  } catch (error) {
    if (!isCredentialsError(error)) throw error
    // The source not being there is a configuration error of this profile, not "nothing configured".
    throw new CredentialsError(
      error.code === 'ERR_CREDENTIALS_NOT_FOUND' ? 'ERR_CREDENTIALS_CONFIG' : error.code,
      `credential_source ${source} of profile ${profile} gave no credentials: ${error.message}`,
      { ...details, cause: error },
    )
  }
}

/** AssumeRole for a profile with role_arn, its source resolved first (recursively for chains). */
async function assumeRole(ctx: Context, profile: string, visited: string[]): Promise<ResolvedCredentials> {
  const p = ctx.config.profiles[profile] ?? {}
  const details = profileDetails(profile, 'assume-role')
  const sourceProfile = str(p.source_profile)
  const source = str(p.credential_source)
  if (sourceProfile !== undefined && source !== undefined) {
    fail('ERR_CREDENTIALS_CONFIG', `profile ${profile} has both source_profile and credential_source`, details)
  }
  if (sourceProfile === undefined && source === undefined) {
    fail(
      'ERR_CREDENTIALS_CONFIG',
      `profile ${profile} has role_arn but neither source_profile nor credential_source`,
      details,
    )
  }
  let sourceCredentials: Credentials
  if (source !== undefined) {
    if (!(CREDENTIAL_SOURCES as readonly string[]).includes(source)) {
      fail(
        'ERR_CREDENTIALS_CONFIG',
        `profile ${profile} has credential_source ${JSON.stringify(source)}; use ${CREDENTIAL_SOURCES.join(', ')}`,
        details,
      )
    }
    sourceCredentials = await credentialSource(ctx, profile, source)
  } else {
    const name = sourceProfile as string
    const target = ctx.config.profiles[name]
    if (target === undefined) {
      fail(
        'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
        `profile ${profile} has source_profile ${name}, which is in neither ${ctx.config.configFile} nor ${ctx.config.credentialsFile}`,
        {
          ...details,
          profile: name,
        },
      )
    }
    // A profile may name itself to take its own static keys; any other repeat is a loop.
    if (visited.includes(name) && (name !== profile || !hasStatic(target))) {
      fail('ERR_CREDENTIALS_PROFILE_CYCLE', `source_profile loop: ${[...visited, name].join(' -> ')}`, details)
    }
    visited.push(name)
    if (hasStatic(target) || !hasRole(target)) {
      const found = await profileProviders(ctx, name, false)
      if (found === undefined) {
        fail('ERR_CREDENTIALS_CONFIG', `source_profile ${name} of profile ${profile} has no credentials`, {
          ...details,
          profile: name,
        })
      }
      sourceCredentials = found
    } else {
      sourceCredentials = await assumeRole(ctx, name, visited)
    }
  }
  const durationText = str(p.duration_seconds)
  const duration =
    durationText !== undefined && /^\s*[+-]?\d+\s*$/.test(durationText) ? Number(durationText) : undefined
  const mfaSerial = str(p.mfa_serial)
  return assumeRoleProvider(
    {
      roleArn: str(p.role_arn) as string,
      sourceCredentials,
      roleSessionName: str(p.role_session_name),
      externalId: str(p.external_id),
      durationSeconds: duration,
      mfaSerial,
      mfaCode: ctx.options.mfaCode,
      region: ctx.region,
      endpoint: endpointFrom('sts', ctx.env, ctx.settings),
      fetch: ctx.options.fetch,
      timeout: ctx.options.timeout,
      env: {},
    },
    profile,
  )()
}

/**
 * Resolves a profile as the AWS CLI does. `useEnvWebIdentity`: the `AWS_WEB_IDENTITY_TOKEN_FILE`
 * family counts too (the default chain); `undefined` when the profile configures nothing.
 */
export async function resolveProfile(
  ctx: Context,
  profile: string,
  useEnvWebIdentity: boolean,
): Promise<ResolvedCredentials | undefined> {
  const p = ctx.config.profiles[profile] ?? {}
  if (hasRole(p)) return assumeRole(ctx, profile, [profile])
  const found = await profileProviders(ctx, profile, useEnvWebIdentity)
  return found === undefined ? undefined : checkNotExpired(found, profileDetails(profile))
}

/** IMDS settings of the profile; `timeout` (the caller's option) wins over the profile's. */
export function imdsSettings(ctx: Context) {
  const { timeout } = ctx.options
  const p = ctx.settings.profile ?? {}
  const num = (v: IniValue | undefined) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : undefined)
  const profileTimeout = num(p.metadata_service_timeout)
  const mode = str(p.ec2_metadata_service_endpoint_mode)
  return {
    endpoint: envValue(ctx.env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT') ?? str(p.ec2_metadata_service_endpoint),
    endpointMode: (envValue(ctx.env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE') ?? mode) as 'IPv4' | 'IPv6' | undefined,
    timeout:
      timeout ??
      (envValue(ctx.env, 'AWS_METADATA_SERVICE_TIMEOUT') === undefined && profileTimeout !== undefined
        ? profileTimeout * 1000
        : undefined),
    maxAttempts:
      envValue(ctx.env, 'AWS_METADATA_SERVICE_NUM_ATTEMPTS') === undefined
        ? num(p.metadata_service_num_attempts)
        : undefined,
    v1Fallback:
      (envValue(ctx.env, 'AWS_EC2_METADATA_V1_DISABLED') ?? str(p.ec2_metadata_v1_disabled) ?? '').toLowerCase() ===
      'true'
        ? false
        : undefined,
  }
}

export function notFound(ctx: Context, profile: string, extra = ''): never {
  const { configFile, credentialsFile } = ctx.config
  const exists = ctx.config.profiles[profile] !== undefined
  return fail(
    'ERR_CREDENTIALS_NOT_FOUND',
    exists
      ? `profile ${profile} configures no credentials${extra}`
      : `profile ${profile} is in neither ${configFile} nor ${credentialsFile}${extra}`,
    { provider: 'ini', profile },
  )
}

/**
 * Reads the shared files and picks the profile: where fromIni and the default chain start. A profile
 * asked for by name that neither file has fails here, before any provider runs.
 */
export async function openProfile(options: FromIniOptions): Promise<{ ctx: Context; name: string }> {
  const env = options.env ?? runtimeEnv()
  const { name, explicit } = selectProfile(options.profile, env)
  const config = await loadSharedConfig({ ...options, env })
  const ctx = makeContext(config, name, env, options)
  if (config.profiles[name] === undefined && explicit) profileMissing(ctx, name)
  return { ctx, name }
}

/** A profile asked for by name that neither file has. */
function profileMissing(ctx: Context, profile: string): never {
  return fail(
    'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
    `profile ${profile} is in neither ${ctx.config.configFile} nor ${ctx.config.credentialsFile}`,
    { provider: 'ini', profile },
  )
}
