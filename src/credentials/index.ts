// awsig/credentials, universal build: what works without files or processes (browsers, workers).
// The Node build (node.ts, picked by the `node`, `bun` and `deno` export conditions) adds the shared
// config files, `credential_process` and the SSO token cache, and re-exports all of this.
export { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
export { type CachedOptions, type CachedProvider, cached } from './cached.js'
export { type ChainOptions, chain, defaultChain } from './chain.js'
export { type FromContainerOptions, fromContainer } from './container.js'
export { type FromEnvOptions, fromEnv } from './env.js'
export { type FromInstanceMetadataOptions, fromInstanceMetadata } from './imds.js'
export { resolveEndpoint, resolveRegion } from './region.js'
export { type FromSsoTokenOptions, fromSsoToken } from './sso.js'
export {
  type FromAssumeRoleOptions,
  type FromWebIdentityOptions,
  fromAssumeRole,
  fromWebIdentity,
  type StsOptions,
} from './sts.js'
export type {
  CredentialProvider,
  Credentials,
  DefaultChainOptions,
  Env,
  FetchLike,
  FromIniOptions,
  HttpOptions,
  ReadFile,
  ResolvedCredentials,
  ResolveOptions,
  SharedConfigFilesOptions,
} from './types.js'
