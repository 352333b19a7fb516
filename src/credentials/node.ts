// awsig/credentials for Node, Bun and Deno (the `node`, `bun` and `deno` export conditions): the
// universal providers plus those that read files or run processes. The names below that the universal
// build also has (defaultChain, resolveRegion, resolveEndpoint, fromWebIdentity, fromContainer) are
// their file-aware versions.
import { type FromContainerOptions, fromContainer as universalFromContainer } from './container.js'
import { readText } from './fs.node.js'
import { type FromWebIdentityOptions, fromWebIdentity as universalFromWebIdentity } from './sts.js'
import type { ResolvedCredentials } from './types.js'

export { type LoadedSharedConfig, loadSharedConfig } from './config.node.js'
export { defaultChain } from './default-chain.node.js'
export { fromIni } from './from-ini.node.js'
export * from './index.js'
export { type FromProcessOptions, fromProcess } from './process.node.js'
export { resolveEndpoint, resolveRegion } from './resolve.node.js'
export { type FromSsoOptions, fromSso } from './sso.node.js'

/** {@link universalFromWebIdentity | fromWebIdentity}, reading the token file with `fs.readFile` unless given `readFile`. */
export function fromWebIdentity(options: FromWebIdentityOptions = {}): () => Promise<ResolvedCredentials> {
  return universalFromWebIdentity({ ...options, readFile: options.readFile ?? readText })
}

/** {@link universalFromContainer | fromContainer}, reading `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` with `fs.readFile` unless given `readFile`. */
export function fromContainer(options: FromContainerOptions = {}): () => Promise<ResolvedCredentials> {
  return universalFromContainer({ ...options, readFile: options.readFile ?? readText })
}
