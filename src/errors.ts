/**
 * Every error awsig throws is an {@link AwsigError} with a stable `code`, so callers can
 * `switch (err.code)` even when two copies of the package are loaded.
 */
export type AwsigErrorCode =
  | 'ERR_INVALID_INPUT'
  // Credentials (CredentialsError):
  /** The provider has nothing configured (no env vars, no such file or section): a chain moves on. */
  | 'ERR_CREDENTIALS_NOT_FOUND'
  /** Configuration is present but unusable: a missing or conflicting key, a bad value, a disallowed host. */
  | 'ERR_CREDENTIALS_CONFIG'
  /** The named profile is in neither the config nor the credentials file. */
  | 'ERR_CREDENTIALS_PROFILE_NOT_FOUND'
  /** `source_profile` references loop back on themselves. */
  | 'ERR_CREDENTIALS_PROFILE_CYCLE'
  /** A config file, a process output or a service response could not be parsed. */
  | 'ERR_CREDENTIALS_PARSE'
  /** The credentials (or the SSO token behind them) have expired. */
  | 'ERR_CREDENTIALS_EXPIRED'
  /** A credentials endpoint (STS, SSO, IMDS, container) failed or refused: see `status` and `awsCode`. */
  | 'ERR_CREDENTIALS_REQUEST'
  /** A credentials endpoint or process did not answer in time. */
  | 'ERR_CREDENTIALS_TIMEOUT'
  /** `credential_process` could not start, exited non-zero or printed an unusable result. */
  | 'ERR_CREDENTIALS_PROCESS'
  /** No provider of a chain gave credentials: `attempts` says why for each. */
  | 'ERR_CREDENTIALS_CHAIN'

export class AwsigError extends Error {
  override name = 'AwsigError'
  readonly code: AwsigErrorCode
  constructor(code: AwsigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/**
 * Bad input to a signing function, thrown before any work is done. `field` names the offending option
 * (`credentials.accessKeyId`, `headers["x-foo"]`, `expiresIn`, ...). The message never contains a secret.
 */
export class InvalidInputError extends AwsigError {
  override name = 'InvalidInputError'
  readonly field: string
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_INPUT', `${field}: ${problem}`, options)
    this.field = field
  }
}

/** Where a credentials failure happened. Only names and paths: never a key, token or secret. */
export interface CredentialsErrorDetails {
  /** The provider that failed: `env`, `ini`, `process`, `container`, `imds`, `web-identity`, `assume-role`, `sso`, `chain`, `cached`. */
  provider: string
  /** The profile being resolved, when a profile is involved. */
  profile?: string | undefined
  /** The file involved (config, credentials, token or SSO cache file). */
  file?: string | undefined
  /** HTTP status of a failed credentials request. */
  status?: number | undefined
  /** Error code from the service (e.g. STS `AccessDenied`). */
  awsCode?: string | undefined
  /** AWS request id of a failed STS or SSO call. */
  requestId?: string | undefined
  /** For `ERR_CREDENTIALS_CHAIN`: why each provider of the chain gave nothing, in order. */
  attempts?: readonly CredentialsError[] | undefined
  cause?: unknown
}

/**
 * A credentials provider failed. `code` says how, `provider` which one, `profile` and `file` where;
 * the message never contains a secret (keys, tokens and process output are never quoted).
 */
export class CredentialsError extends AwsigError {
  override name = 'CredentialsError'
  readonly provider: string
  readonly profile: string | undefined
  readonly file: string | undefined
  readonly status: number | undefined
  readonly awsCode: string | undefined
  readonly requestId: string | undefined
  readonly attempts: readonly CredentialsError[] | undefined
  constructor(code: AwsigErrorCode, message: string, details: CredentialsErrorDetails) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause })
    this.provider = details.provider
    this.profile = details.profile
    this.file = details.file
    this.status = details.status
    this.awsCode = details.awsCode
    this.requestId = details.requestId
    this.attempts = details.attempts
  }
}
