// Node-only: region and endpoint resolution that also reads the profile of the shared config files.
import { loadSharedConfig, selectProfile } from './config.node.js'
import { runtimeEnv } from './env.js'
import { endpointFrom, regionFrom } from './region.js'
import type { ResolveOptions } from './types.js'

/**
 * The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`; `undefined` when none.
 *
 * @example
 * const region = (await resolveRegion({ profile: 'dev' })) ?? 'us-east-1'
 */
export async function resolveRegion(options: ResolveOptions = {}): Promise<string | undefined> {
  const env = options.env ?? runtimeEnv()
  const fromEnvironment = regionFrom(env)
  if (fromEnvironment !== undefined) return fromEnvironment
  const config = await loadSharedConfig({ ...options, env })
  return regionFrom(env, { profile: config.profiles[selectProfile(options.profile, env).name] })
}

/**
 * The endpoint configured for a service, e.g. for an emulator: `AWS_ENDPOINT_URL_<SERVICE>`,
 * `AWS_ENDPOINT_URL`, the profile's `[services]` section, the profile's `endpoint_url`;
 * `undefined` when none. `serviceId` as in those variables: `s3`, `dynamodb`, `sts`, `sso-oidc`.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export async function resolveEndpoint(serviceId: string, options: ResolveOptions = {}): Promise<string | undefined> {
  const env = options.env ?? runtimeEnv()
  const config = await loadSharedConfig({ ...options, env })
  return endpointFrom(serviceId, env, {
    profile: config.profiles[selectProfile(options.profile, env).name],
    services: config.services,
  })
}
