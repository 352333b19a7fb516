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
  // Streaming bodies (StreamError):
  /** The source gave fewer or more bytes than the declared length. */
  | 'ERR_BODY_LENGTH'
  /** The source threw, or gave something other than bytes. */
  | 'ERR_BODY_SOURCE'
  /** The `AbortSignal` fired, or the stream was cancelled. */
  | 'ERR_ABORTED'
  // Received aws-chunked bodies (VerificationError):
  /** aws-chunked framing is wrong: chunk header, size, line ending or trailer. */
  | 'ERR_MALFORMED_CHUNK'
  /** The body ended before its final chunk and trailer. */
  | 'ERR_INCOMPLETE_BODY'
  /** A chunk or trailer signature does not match. */
  | 'ERR_SIGNATURE_MISMATCH'
  /** A trailing `x-amz-checksum-*` does not match the data. */
  | 'ERR_CHECKSUM_MISMATCH'
  /** The data length differs from `x-amz-decoded-content-length`. */
  | 'ERR_DECODED_LENGTH'
  // Received POST policy forms (VerificationError from verifyPost; `awsCode` and `status` say what S3 answers):
  /** The form lacks a field S3 requires, repeats one, or names an unknown algorithm or access key. */
  | 'ERR_POST_FORM'
  /** The policy is not valid base64 JSON, lacks `expiration` or has a malformed condition. */
  | 'ERR_POLICY_INVALID'
  /** The policy's `expiration` has passed. */
  | 'ERR_POLICY_EXPIRED'
  /** A field or the file breaks a policy condition, or a field is not covered by any condition. */
  | 'ERR_POLICY_CONDITION'
  // S3 uploads (awsig/s3):
  /** A multipart upload failed: see `operation`, `part` and `cause`; the upload was aborted. */
  | 'ERR_UPLOAD'
  // Client (awsig/client):
  /** AWS answered with an error (AwsError): see `status`, `awsCode` and `requestId`. */
  | 'ERR_AWS'
  /** The request got no HTTP response: connection refused or reset, DNS failure... (NetworkError). */
  | 'ERR_NETWORK'
  /** An attempt took longer than the client's `timeout` (TimeoutError). */
  | 'ERR_TIMEOUT'
  /** A retry was needed but the body was a stream already consumed (BodyNotReplayableError). */
  | 'ERR_BODY_NOT_REPLAYABLE'

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

/**
 * A streaming body could not be produced, so the stream being sent fails instead of ending and the
 * server never receives a complete body. `ERR_BODY_LENGTH` (with `expected` and `received`),
 * `ERR_BODY_SOURCE` (the source's error is the `cause`) or `ERR_ABORTED` (the signal's reason is the `cause`).
 */
export class StreamError extends AwsigError {
  override name = 'StreamError'
  /** Declared length in bytes (`ERR_BODY_LENGTH`). */
  readonly expected: number | undefined
  /** Bytes received from the source when the mismatch was found (`ERR_BODY_LENGTH`). */
  readonly received: number | undefined
  constructor(
    code: 'ERR_BODY_LENGTH' | 'ERR_BODY_SOURCE' | 'ERR_ABORTED',
    message: string,
    options?: { cause?: unknown; expected?: number; received?: number },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.expected = options?.expected
    this.received = options?.received
  }
}

/**
 * A received request body failed verification: `ERR_MALFORMED_CHUNK`, `ERR_INCOMPLETE_BODY`,
 * `ERR_SIGNATURE_MISMATCH` (`chunk` says which), `ERR_CHECKSUM_MISMATCH` or `ERR_DECODED_LENGTH`.
 * The message never quotes a signature that was expected.
 */
export class VerificationError extends AwsigError {
  override name = 'VerificationError'
  /** Index of the chunk where the problem was found (0 = first), where it applies. */
  readonly chunk: number | undefined
  /** The error code S3 answers in this case (`AccessDenied`, `EntityTooLarge`...), where one is known. */
  readonly awsCode: string | undefined
  /** The HTTP status S3 answers in this case, where one is known. */
  readonly status: number | undefined
  /** The form field (or policy part) at fault, where there is one. */
  readonly field: string | undefined
  constructor(
    code:
      | 'ERR_MALFORMED_CHUNK'
      | 'ERR_INCOMPLETE_BODY'
      | 'ERR_SIGNATURE_MISMATCH'
      | 'ERR_CHECKSUM_MISMATCH'
      | 'ERR_DECODED_LENGTH'
      | 'ERR_POST_FORM'
      | 'ERR_POLICY_INVALID'
      | 'ERR_POLICY_EXPIRED'
      | 'ERR_POLICY_CONDITION',
    message: string,
    options?: { cause?: unknown; chunk?: number; awsCode?: string; status?: number; field?: string },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.chunk = options?.chunk
    this.awsCode = options?.awsCode
    this.status = options?.status
    this.field = options?.field
  }
}

/** What an {@link AwsError} knows. Only what AWS sent back and where the request went: never a secret. */
export interface AwsErrorDetails {
  /** HTTP status. */
  status: number
  /** AWS error code, e.g. `NoSuchKey`, `ThrottlingException`; from the status when the body says nothing (`NotFound` for an S3 HEAD 404). */
  awsCode: string
  /** AWS's own message, or a description of the response when it had none. */
  awsMessage: string
  /** `x-amzn-requestid` / `x-amz-request-id` header, or `RequestId` in the body. */
  requestId?: string | undefined
  /** S3's `x-amz-id-2` (the `HostId`), which AWS support asks for with the request id. */
  extendedRequestId?: string | undefined
  /** `Sender` (client fault) or `Receiver` (server fault) when the service says. */
  fault?: string | undefined
  /** Signing name of the service called. */
  service?: string | undefined
  method?: string | undefined
  /** The URL called, `X-Amz-Signature` and `X-Amz-Security-Token` redacted. */
  url?: string | undefined
  /** Response headers, lower-case names. */
  headers?: Readonly<Record<string, string>> | undefined
  /** Response body as text (at most 64 KiB, session tokens redacted). */
  body?: string | undefined
  /** Milliseconds the service asked to wait (`Retry-After`, `x-amz-retry-after`). */
  retryAfter?: number | undefined
  /** Attempts made, the first included. */
  attempts?: number | undefined
  /** S3 `SignatureDoesNotMatch`: the canonical request AWS computed (session token redacted). */
  canonicalRequest?: string | undefined
  /** S3 `SignatureDoesNotMatch`: the string to sign AWS computed. */
  stringToSign?: string | undefined
  /** S3 `SignatureDoesNotMatch`: a line diff of our canonical request (or string to sign) against AWS's. */
  signatureDiff?: string | undefined
  cause?: unknown
}

/**
 * AWS answered with an error. `awsCode` is the AWS error code whatever the protocol (S3 and query XML,
 * JSON `__type`, `x-amzn-errortype`, REST-JSON), `status` the HTTP status, `requestId` the id to quote
 * to AWS support.
 *
 * @example
 * try { await client.fetch(url, init) } catch (error) {
 *   if (error instanceof AwsError && error.awsCode === 'NoSuchKey') return undefined
 *   throw error
 * }
 */
export class AwsError extends AwsigError {
  override name = 'AwsError'
  readonly status: number
  readonly awsCode: string
  readonly awsMessage: string
  readonly requestId: string | undefined
  readonly extendedRequestId: string | undefined
  readonly fault: string | undefined
  readonly service: string | undefined
  readonly method: string | undefined
  readonly url: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  readonly retryAfter: number | undefined
  readonly attempts: number
  readonly canonicalRequest: string | undefined
  readonly stringToSign: string | undefined
  readonly signatureDiff: string | undefined
  constructor(details: AwsErrorDetails) {
    const where = [`HTTP ${details.status}`]
    if (details.method !== undefined && details.url !== undefined) where.push(`${details.method} ${details.url}`)
    if (details.requestId !== undefined) where.push(`request id ${details.requestId}`)
    let message = `${details.awsCode}: ${details.awsMessage} (${where.join(', ')})`
    if (details.signatureDiff !== undefined) message += `\n${details.signatureDiff}`
    super('ERR_AWS', message, details.cause === undefined ? undefined : { cause: details.cause })
    this.status = details.status
    this.awsCode = details.awsCode
    this.awsMessage = details.awsMessage
    this.requestId = details.requestId
    this.extendedRequestId = details.extendedRequestId
    this.fault = details.fault
    this.service = details.service
    this.method = details.method
    this.url = details.url
    this.headers = details.headers ?? {}
    this.body = details.body
    this.retryAfter = details.retryAfter
    this.attempts = details.attempts ?? 1
    this.canonicalRequest = details.canonicalRequest
    this.stringToSign = details.stringToSign
    this.signatureDiff = details.signatureDiff
  }
}

/** Where a request that got no (usable) response was going. */
export interface RequestErrorDetails {
  method?: string | undefined
  /** The URL, `X-Amz-Signature` and `X-Amz-Security-Token` redacted. */
  url?: string | undefined
  /** Attempts made, the first included. */
  attempts?: number | undefined
  cause?: unknown
}

/** The request got no HTTP response: connection refused or reset, DNS or TLS failure. `cause` is the fetch error. */
export class NetworkError extends AwsigError {
  override name = 'NetworkError'
  readonly method: string | undefined
  readonly url: string | undefined
  readonly attempts: number
  constructor(message: string, details: RequestErrorDetails = {}) {
    super('ERR_NETWORK', message, details.cause === undefined ? undefined : { cause: details.cause })
    this.method = details.method
    this.url = details.url
    this.attempts = details.attempts ?? 1
  }
}

/** An attempt took longer than the client's `timeout` (milliseconds, in `timeout`). */
export class TimeoutError extends AwsigError {
  override name = 'TimeoutError'
  readonly timeout: number
  readonly method: string | undefined
  readonly url: string | undefined
  readonly attempts: number
  constructor(timeout: number, details: RequestErrorDetails = {}) {
    super(
      'ERR_TIMEOUT',
      `no response within ${timeout} ms${details.url === undefined ? '' : ` (${details.method ?? 'GET'} ${details.url})`}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    )
    this.timeout = timeout
    this.method = details.method
    this.url = details.url
    this.attempts = details.attempts ?? 1
  }
}

/**
 * The request failed in a way that is normally retried, but its body was a stream that the attempt
 * consumed. `cause` is the failure (an AwsError, NetworkError or TimeoutError). Pass the body as bytes,
 * a Blob, or a function that returns a new stream for each attempt to make it retryable.
 */
export class BodyNotReplayableError extends AwsigError {
  override name = 'BodyNotReplayableError'
  readonly method: string | undefined
  readonly url: string | undefined
  readonly attempts: number
  constructor(cause: AwsigError, details: Omit<RequestErrorDetails, 'cause'> = {}) {
    super(
      'ERR_BODY_NOT_REPLAYABLE',
      `not retried: the request body is a stream that was already sent and cannot be sent again (${cause.message}). Pass the body as bytes or a Blob, or as a function that returns a new stream for each attempt, to let it be retried`,
      { cause },
    )
    this.method = details.method
    this.url = details.url
    this.attempts = details.attempts ?? 1
  }
}
