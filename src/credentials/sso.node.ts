// Node-only: IAM Identity Center (SSO) from profiles and the `aws sso login` token cache.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html
import { join } from 'node:path'
import { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
import {
  type LoadedSharedConfig,
  loadSharedConfig,
  type SharedConfigFilesOptions,
  selectProfile,
} from './config.node.js'
import { fail, isObject, utcAsZ } from './credentials.js'
import { runtimeEnv } from './env.js'
import { defaultAwsPath, expandPath, isMissingFile, readText, writeTextAtomic } from './fs.node.js'
import type { IniValue } from './ini.js'
import { endpointFrom } from './region.js'
import { refreshSsoToken, ssoTokenProvider } from './sso.js'
import type { Env, HttpOptions, ResolvedCredentials } from './types.js'

const REFRESH_WINDOW = 15 * 60 * 1000 // refresh an sso-session token 15 min before it expires, as the AWS CLI

export interface FromSsoOptions extends HttpOptions, SharedConfigFilesOptions {
  /** Profile with `sso_account_id` and `sso_role_name` (and `sso_session` or the legacy `sso_start_url`/`sso_region`). @default AWS_DEFAULT_PROFILE, else AWS_PROFILE, else 'default' */
  profile?: string | undefined
  /** Directory of the `aws sso login` token cache. @default ~/.aws/sso/cache */
  ssoCacheDir?: string | undefined
  /** Portal endpoint. @default AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, the profile's endpoint settings, else https://portal.sso.REGION.amazonaws.com */
  endpoint?: string | undefined
  /** Requests made before giving up on network errors, timeouts, 429 and 5xx. @default 3 */
  maxAttempts?: number | undefined
  /** The clock. @default Date.now */
  now?: (() => number) | undefined
}

export interface SsoProfileConfig {
  accountId: string
  roleName: string
  startUrl: string
  region: string
  /** Set for `sso_session` profiles (refreshable tokens); unset for legacy ones. */
  session?: string | undefined
}

const str = (v: IniValue | undefined) => (typeof v === 'string' ? v : undefined)

/** The SSO settings of a profile, or `undefined` when it has none (no `sso_account_id`, no `sso_role_name`). */
export function ssoProfileConfig(
  config: LoadedSharedConfig,
  profile: string,
  details: CredentialsErrorDetails,
): SsoProfileConfig | undefined {
  const section = config.profiles[profile] ?? {}
  if (section.sso_role_name === undefined && section.sso_account_id === undefined) return undefined
  const merged: Record<string, IniValue> = { ...section }
  const sessionName = str(section.sso_session)
  const required = ['sso_role_name', 'sso_account_id', 'sso_start_url', 'sso_region']
  if (sessionName !== undefined) {
    const session = config.ssoSessions[sessionName]
    if (session === undefined) {
      fail(
        'ERR_CREDENTIALS_CONFIG',
        `profile ${profile} names sso_session ${JSON.stringify(sessionName)}, which ${config.configFile} does not define`,
        {
          ...details,
          file: config.configFile,
        },
      )
    }
    for (const [key, value] of Object.entries(session)) {
      if (merged[key] !== undefined && merged[key] !== value) {
        fail('ERR_CREDENTIALS_CONFIG', `${key} differs between profile ${profile} and sso-session ${sessionName}`, {
          ...details,
          file: config.configFile,
        })
      }
      merged[key] = value
    }
  }
  const missing = required.filter((key) => str(merged[key]) === undefined)
  if (missing.length > 0) {
    fail('ERR_CREDENTIALS_CONFIG', `profile ${profile} is configured for SSO but lacks ${missing.join(', ')}`, {
      ...details,
      file: config.configFile,
    })
  }
  return {
    accountId: str(merged.sso_account_id) as string,
    roleName: str(merged.sso_role_name) as string,
    startUrl: str(merged.sso_start_url) as string,
    region: str(merged.sso_region) as string,
    session: sessionName,
  }
}

/** The cache file `aws sso login` writes: SHA-1 of the session name (or, for legacy profiles, of the start URL). */
export function ssoCacheFile(cacheDir: string, sso: { startUrl: string; session?: string | undefined }): string {
  return join(
    cacheDir,
    `${process
      .getBuiltinModule('node:crypto')
      .createHash('sha1')
      .update(sso.session ?? sso.startUrl)
      .digest('hex')}.json`,
  )
}

const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`

/**
 * The access token for an SSO profile from the token cache; for `sso_session` profiles, refreshed
 * through SSO OIDC (and written back) when it expires within 15 minutes and a refresh token is cached.
 */
export async function loadSsoToken(
  sso: SsoProfileConfig,
  options: HttpOptions & {
    cacheDir: string
    env: Env
    now: () => number
    settings?: Parameters<typeof endpointFrom>[2]
    details: CredentialsErrorDetails
  },
): Promise<string> {
  const file = ssoCacheFile(options.cacheDir, sso)
  const details = { ...options.details, file }
  const name = sso.session ?? sso.startUrl
  let token: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(await readText(file))
    if (!isObject(parsed)) throw new SyntaxError('not an object')
    token = parsed
  } catch (error) {
    if (isMissingFile(error)) {
      fail('ERR_CREDENTIALS_EXPIRED', `no cached SSO token for ${name}: run \`aws sso login\``, {
        ...details,
        cause: error,
      })
    }
    return fail('ERR_CREDENTIALS_PARSE', `the SSO token cache file for ${name} is not valid JSON`, {
      ...details,
      cause: error,
    })
  }
  if (typeof token.accessToken !== 'string' || typeof token.expiresAt !== 'string') {
    fail('ERR_CREDENTIALS_PARSE', `the cached SSO token for ${name} lacks accessToken or expiresAt`, details)
  }
  let expires = Date.parse(utcAsZ(token.expiresAt))
  if (Number.isNaN(expires))
    fail('ERR_CREDENTIALS_PARSE', `the cached SSO token for ${name} has an invalid expiresAt`, details)
  let accessToken = token.accessToken
  const now = options.now()
  if (sso.session !== undefined && expires - now < REFRESH_WINDOW) {
    const { refreshToken, clientId, clientSecret, registrationExpiresAt } = token
    const registration = typeof registrationExpiresAt === 'string' ? Date.parse(registrationExpiresAt) : Number.NaN
    if (
      typeof refreshToken === 'string' &&
      typeof clientId === 'string' &&
      typeof clientSecret === 'string' &&
      registration > now
    ) {
      try {
        const fresh = await refreshSsoToken(
          {
            region: sso.region,
            clientId,
            clientSecret,
            refreshToken,
            endpoint: endpointFrom('sso-oidc', options.env, options.settings),
          },
          { fetch: options.fetch, timeout: options.timeout, env: options.env, details },
        )
        accessToken = fresh.accessToken
        expires = options.now() + fresh.expiresIn * 1000
        const updated = {
          ...token,
          startUrl: sso.startUrl,
          region: sso.region,
          accessToken,
          expiresAt: isoSeconds(expires),
          ...(fresh.refreshToken === undefined ? {} : { refreshToken: fresh.refreshToken }),
        }
        await writeTextAtomic(file, JSON.stringify(updated))
      } catch (error) {
        // As the AWS CLI: a failed refresh leaves the cached token in use while it is valid.
        if (expires <= options.now()) {
          throw new CredentialsError(
            'ERR_CREDENTIALS_EXPIRED',
            `the SSO token for ${name} has expired and could not be refreshed: run \`aws sso login\``,
            {
              ...details,
              cause: error,
            },
          )
        }
      }
    }
  }
  if (expires <= options.now()) {
    fail(
      'ERR_CREDENTIALS_EXPIRED',
      `the SSO token for ${name} expired at ${new Date(expires).toISOString()}: run \`aws sso login\``,
      details,
    )
  }
  return accessToken
}

/**
 * Role credentials for an IAM Identity Center (SSO) profile, with the token `aws sso login` cached.
 * `ERR_CREDENTIALS_NOT_FOUND` when the profile has no SSO settings.
 *
 * @example
 * const provider = cached(fromSso({ profile: 'dev' }))
 */
export function fromSso(options: FromSsoOptions = {}): () => Promise<ResolvedCredentials> {
  return async () => {
    const env = options.env ?? runtimeEnv()
    const { name } = selectProfile(options.profile, env)
    const config = await loadSharedConfig({ ...options, env })
    return ssoCredentials(config, name, { ...options, env })
  }
}

/** The SSO credentials of a profile: shared with the profile resolution of fromIni and defaultChain. */
export async function ssoCredentials(
  config: LoadedSharedConfig,
  profile: string,
  options: FromSsoOptions & { env: Env; region?: string | undefined },
): Promise<ResolvedCredentials> {
  const details: CredentialsErrorDetails = { provider: 'sso', profile }
  const sso = ssoProfileConfig(config, profile, details)
  if (sso === undefined) fail('ERR_CREDENTIALS_NOT_FOUND', `profile ${profile} has no SSO settings`, details)
  const settings = { profile: config.profiles[profile], services: config.services }
  const accessToken = await loadSsoToken(sso, {
    cacheDir:
      options.ssoCacheDir === undefined
        ? defaultAwsPath(options.env, 'sso', 'cache')
        : expandPath(options.ssoCacheDir, options.env),
    env: options.env,
    now: options.now ?? Date.now,
    fetch: options.fetch,
    timeout: options.timeout,
    settings,
    details,
  })
  return ssoTokenProvider(
    {
      accountId: sso.accountId,
      roleName: sso.roleName,
      region: sso.region,
      accessToken,
      endpoint: options.endpoint ?? endpointFrom('sso', options.env, settings),
      fetch: options.fetch,
      timeout: options.timeout,
      maxAttempts: options.maxAttempts,
      env: options.env,
    },
    profile,
  )()
}
