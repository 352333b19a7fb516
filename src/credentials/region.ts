// Region and endpoint resolution from the environment (and, in the Node build, the profile), as the
// AWS SDKs do it.
import { envValue, isTrue, runtimeEnv } from './env.js'
import type { Env, ResolveOptions } from './types.js'

/** The `[profile x]` and `[services y]` settings region and endpoint resolution look at. */
export interface ProfileSettings {
  /** The profile's own keys (`region`, `endpoint_url`, `services`, ...). */
  profile?: Readonly<Record<string, string | Readonly<Record<string, string>>>> | undefined
  /** `[services name]` sections by name: service id (snake case) to its keys. */
  services?: Readonly<Record<string, Readonly<Record<string, string | Readonly<Record<string, string>>>>>> | undefined
}

function profileString(settings: ProfileSettings | undefined, key: string): string | undefined {
  const value = settings?.profile?.[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the profile's `region`. */
export function regionFrom(env: Env, settings?: ProfileSettings): string | undefined {
  return envValue(env, 'AWS_REGION') ?? envValue(env, 'AWS_DEFAULT_REGION') ?? profileString(settings, 'region')
}

/** `STS` -> `STS`, `sso-oidc` or `SSO OIDC` -> `SSO_OIDC`: the suffix of `AWS_ENDPOINT_URL_<SERVICE>`. */
export function serviceEnvSuffix(serviceId: string): string {
  return serviceId
    .trim()
    .replace(/[\s-]+/g, '_')
    .toUpperCase()
}

/**
 * The configured endpoint URL of a service, in the AWS SDKs' order: `AWS_ENDPOINT_URL_<SERVICE>`,
 * `AWS_ENDPOINT_URL`, the `endpoint_url` of the profile's `[services]` section for the service, the
 * profile's `endpoint_url`. None of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
 * `ignore_configured_endpoint_urls`) is `true`.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function endpointFrom(serviceId: string, env: Env, settings?: ProfileSettings): string | undefined {
  const ignore =
    envValue(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS') ?? profileString(settings, 'ignore_configured_endpoint_urls')
  if (isTrue(ignore)) return undefined
  const suffix = serviceEnvSuffix(serviceId)
  const fromEnv = envValue(env, `AWS_ENDPOINT_URL_${suffix}`) ?? envValue(env, 'AWS_ENDPOINT_URL')
  if (fromEnv !== undefined) return fromEnv
  const sectionName = profileString(settings, 'services')
  if (sectionName !== undefined) {
    const service = settings?.services?.[sectionName]?.[suffix.toLowerCase()]
    if (typeof service === 'object' && typeof service.endpoint_url === 'string' && service.endpoint_url !== '') {
      return service.endpoint_url
    }
  }
  return profileString(settings, 'endpoint_url')
}

/** `amazonaws.com`, or `amazonaws.com.cn` in the China regions. */
export function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
}

/**
 * The region from the environment: `AWS_REGION`, then `AWS_DEFAULT_REGION`. (The Node build of
 * `awsig/credentials` also reads the profile's `region` from the config files.)
 *
 * @example
 * const region = (await resolveRegion()) ?? 'us-east-1'
 */
export async function resolveRegion(options: ResolveOptions = {}): Promise<string | undefined> {
  return regionFrom(options.env ?? runtimeEnv())
}

/**
 * The endpoint configured for a service through `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`,
 * e.g. to point at an emulator; `undefined` when none is. `serviceId` is the service's id as in
 * those variables (`s3`, `dynamodb`, `sts`, `sso-oidc`). (The Node build also reads the profile's
 * `endpoint_url` and `[services]` sections.)
 */
export async function resolveEndpoint(serviceId: string, options: ResolveOptions = {}): Promise<string | undefined> {
  return endpointFrom(serviceId, options.env ?? runtimeEnv())
}
