// The types the credentials providers share and export.
import type { FetchLike, ResponseLike } from '../protocols/fetch.js'
import type { Credentials } from '../sign/types.js'

export type { Credentials, FetchLike }

/**
 * Credentials as the providers of `awsig/credentials` return them. `secretAccessKey` and `sessionToken`
 * read like any property (so `sign()` takes the object as it is) but are not enumerable, and
 * `util.inspect`, `console.log` and `JSON.stringify` show them as `[redacted]`. A spread
 * (`{ ...credentials }`) therefore drops them: pass the object itself.
 */
export interface ResolvedCredentials extends Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
  readonly expiration?: Date | undefined
  /** AWS account id, when the source says (`AWS_ACCOUNT_ID`, `aws_account_id`, STS, SSO, process output). */
  readonly accountId?: string | undefined
  /** Which provider produced them: `env`, `ini`, `process`, `container`, `imds`, `web-identity`, `assume-role`, `sso`. */
  readonly source: string
}

/** Anything that gives credentials on demand. Every provider of `awsig/credentials` is one. */
export type CredentialProvider = () => Promise<Credentials>

/** Environment variables, like `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>

/** Reads a UTF-8 text file. */
export type ReadFile = (path: string) => Promise<string>

/** Options shared by the providers that make HTTP requests. */
export interface HttpOptions {
  /** The function that sends requests. @default globalThis.fetch */
  fetch?: FetchLike<ResponseLike> | undefined
  /** Milliseconds each request may take before it is abandoned. Provider-specific default. */
  timeout?: number | undefined
}

export interface SharedConfigFilesOptions {
  /** @default process.env */
  env?: Env | undefined
  /** @default AWS_CONFIG_FILE, else ~/.aws/config */
  configFile?: string | undefined
  /** @default AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials */
  credentialsFile?: string | undefined
}

export interface FromIniOptions extends SharedConfigFilesOptions {
  /** @default AWS_DEFAULT_PROFILE, else AWS_PROFILE, else 'default' */
  profile?: string | undefined
  /** Asked for the current code of `mfa_serial` each time a role that needs MFA is assumed. */
  mfaCode?: ((mfaSerial: string) => string | Promise<string>) | undefined
  /** For STS, SSO, container and IMDS requests. @default globalThis.fetch */
  fetch?: FetchLike<ResponseLike> | undefined
  /** Milliseconds per network request (each provider has its own default). */
  timeout?: number | undefined
  /** Milliseconds `credential_process` may run. @default 60 * 1000 */
  processTimeout?: number | undefined
  /** Region of STS calls. @default AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else 'us-east-1' */
  region?: string | undefined
  /** Directory of the SSO token cache. @default ~/.aws/sso/cache */
  ssoCacheDir?: string | undefined
}

/**
 * Options of `defaultChain`, the same in every build. Where there are no files (browsers, workers) the
 * shared-file options (`profile`, `configFile`, `credentialsFile`, `mfaCode`, `processTimeout`,
 * `ssoCacheDir`) have nothing to act on.
 */
export interface DefaultChainOptions extends FromIniOptions {
  /** Reads token files (web identity, container authorization). @default fs.readFile on Node, Bun and Deno; none elsewhere */
  readFile?: ReadFile | undefined
}

/**
 * Options of `resolveRegion` and `resolveEndpoint`, the same in every build. Where there are no files,
 * only `env` is read.
 */
export interface ResolveOptions extends SharedConfigFilesOptions {
  /** @default AWS_DEFAULT_PROFILE, else AWS_PROFILE, else 'default' */
  profile?: string | undefined
}
