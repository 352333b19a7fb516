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
