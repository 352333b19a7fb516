// Every error awsig throws: one base class with a stable `code`, one class per domain, and a
// `Symbol.for` brand so that errors from two copies of the package are still recognised.
// To add an error: a class below (constructor shape: `[code,] what the message is made of, options`),
// then one line per code in `AwsigErrorCodes`; `isAwsigError` and `switch (err.code)` follow.

const BRAND = Symbol.for('awsig.error')

/** Options every error constructor takes last. */
export interface ErrorOptions {
  /** The error that led to this one. */
  cause?: unknown
}

/**
 * The base class of every error awsig throws. `code` is stable; match on it (or use
 * {@link isAwsigError}), not on the message. `instanceof` also recognises errors made by another copy
 * of the package (a brand registered with `Symbol.for`).
 */
export class AwsigError extends Error {
  readonly code: AwsigErrorCode
  constructor(code: AwsigErrorCode, message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    // The class names of the instance, most derived first: what `instanceof` checks across copies.
    const kinds: string[] = []
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'errorName')) kinds.push((c as typeof AwsigError).errorName)
    }
    // Not enumerable, as Error's own `name`: JSON and util.inspect show it as they show a TypeError's.
    Object.defineProperty(this, 'name', { value: kinds[0], writable: true, configurable: true })
    Object.defineProperty(this, BRAND, { value: kinds })
  }

  /**
   * The class's name, as `name` and the cross-copy brand read it. A static field, not a static block,
   * so that bundlers drop the classes a program never uses.
   * @internal
   */
  static readonly errorName: string = 'AwsigError'

  // `this` is the class on the right of `instanceof`: a subclass inherits this method.
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the class checked against is the point
    // biome-ignore lint/complexity/noUselessThisAlias: one name for it below
    const checked: { prototype: object } = this
    if (Function.prototype[Symbol.hasInstance].call(checked, value)) return true
    const kinds = (value as { [BRAND]?: unknown } | null | undefined)?.[BRAND]
    return Array.isArray(kinds) && kinds.includes((checked as typeof AwsigError).errorName)
  }
}

/**
 * Bad input to a signing function, thrown before any work is done. `field` names the offending option
 * (`credentials.accessKeyId`, `headers["x-foo"]`, `expiresIn`, ...). The message never contains a secret.
 */
export class InvalidInputError extends AwsigError {
  declare readonly code: 'ERR_INVALID_INPUT'
  readonly field: string
  constructor(field: string, problem: string, options?: ErrorOptions) {
    super('ERR_INVALID_INPUT', `${field}: ${problem}`, options)
    this.field = field
  }
  /** @internal */
  static override readonly errorName: string = 'InvalidInputError'
}

/**
 * The runtime lacks something awsig needs: `crypto.subtle` (WebCrypto) on React Native's Hermes, or in
 * a page served over plain HTTP from a host other than localhost. `missing` names it; the message says
 * what to install. Thrown when the missing piece is first needed, never at import.
 */
export class UnsupportedRuntimeError extends AwsigError {
  declare readonly code: 'ERR_UNSUPPORTED_RUNTIME'
  readonly missing: string
  constructor(missing: string, remedy: string, options?: ErrorOptions) {
    super('ERR_UNSUPPORTED_RUNTIME', `${missing} is not available in this runtime: ${remedy}`, options)
    this.missing = missing
  }
  /** @internal */
  static override readonly errorName: string = 'UnsupportedRuntimeError'
}

/** The codes of {@link CredentialsError}. */
export type CredentialsErrorCode =
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

/** Where a credentials failure happened. Only names and paths: never a key, token or secret. */
export interface CredentialsErrorDetails extends ErrorOptions {
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
}

/**
 * A credentials provider failed. `code` says how, `provider` which one, `profile` and `file` where;
 * the message never contains a secret (keys, tokens and process output are never quoted).
 */
export class CredentialsError extends AwsigError {
  declare readonly code: CredentialsErrorCode
  readonly provider: string
  readonly profile: string | undefined
  readonly file: string | undefined
  readonly status: number | undefined
  readonly awsCode: string | undefined
  readonly requestId: string | undefined
  readonly attempts: readonly CredentialsError[] | undefined
  constructor(code: CredentialsErrorCode, message: string, details: CredentialsErrorDetails) {
    super(code, message, details)
    this.provider = details.provider
    this.profile = details.profile
    this.file = details.file
    this.status = details.status
    this.awsCode = details.awsCode
    this.requestId = details.requestId
    this.attempts = details.attempts
  }
  /** @internal */
  static override readonly errorName: string = 'CredentialsError'
}

/** The codes of {@link StreamError}. */
export type StreamErrorCode =
  /** The source gave fewer or more bytes than the declared length. */
  | 'ERR_BODY_LENGTH'
  /** The source threw, or gave something other than bytes. */
  | 'ERR_BODY_SOURCE'
  /** The `AbortSignal` fired, or the stream was cancelled. */
  | 'ERR_ABORTED'

/**
 * A streaming body could not be produced, so the stream being sent fails instead of ending and the
 * server never receives a complete body. `ERR_BODY_LENGTH` (with `expected` and `received`),
 * `ERR_BODY_SOURCE` (the source's error is the `cause`) or `ERR_ABORTED` (the signal's reason is the `cause`).
 */
export class StreamError extends AwsigError {
  declare readonly code: StreamErrorCode
  /** Declared length in bytes (`ERR_BODY_LENGTH`). */
  readonly expected: number | undefined
  /** Bytes received from the source when the mismatch was found (`ERR_BODY_LENGTH`). */
  readonly received: number | undefined
  constructor(
    code: StreamErrorCode,
    message: string,
    options?: ErrorOptions & { expected?: number | undefined; received?: number | undefined },
  ) {
    super(code, message, options)
    this.expected = options?.expected
    this.received = options?.received
  }
  /** @internal */
  static override readonly errorName: string = 'StreamError'
}

/** The codes of {@link VerificationError}: aws-chunked bodies, then received requests (awsig/verify). */
export type VerificationErrorCode =
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
  /** The request carries no signature at all (neither `Authorization` nor `X-Amz-Signature`). */
  | 'ERR_NOT_SIGNED'
  /** The `Authorization` header or the `X-Amz-*` query parameters are malformed, duplicated or both present. */
  | 'ERR_AUTH_MALFORMED'
  /** The credential scope names another region or service than expected, or another day than `x-amz-date`. */
  | 'ERR_SCOPE_MISMATCH'
  /** The access key is unknown to the `credentials` lookup. */
  | 'ERR_UNKNOWN_ACCESS_KEY'
  /** The session token is missing, unsigned, or not the one issued with the access key. */
  | 'ERR_INVALID_TOKEN'
  /** Header auth: `x-amz-date` is more than the allowed skew away from now. */
  | 'ERR_CLOCK_SKEW'
  /** A presigned URL used after `X-Amz-Date + X-Amz-Expires`. */
  | 'ERR_EXPIRED'
  /** A presigned URL used before its `X-Amz-Date` (beyond the allowed skew). */
  | 'ERR_NOT_YET_VALID'
  /** The body does not hash to its `x-amz-content-sha256`. */
  | 'ERR_CONTENT_SHA256_MISMATCH'
  /** The request cannot be verified as sent: a required header missing, a bad `x-amz-content-sha256`, a body too large. */
  | 'ERR_INVALID_REQUEST'
  /** The replay-protection hook has seen this signature before. */
  | 'ERR_REPLAYED'
  // Received POST policy forms (verifyPost; `awsCode` and `status` say what S3 answers):
  /** The form lacks a field S3 requires, repeats one, or names an unknown algorithm or access key. */
  | 'ERR_POST_FORM'
  /** The policy is not valid base64 JSON, lacks `expiration` or has a malformed condition. */
  | 'ERR_POLICY_INVALID'
  /** The policy's `expiration` has passed. */
  | 'ERR_POLICY_EXPIRED'
  /** A field or the file breaks a policy condition, or a field is not covered by any condition. */
  | 'ERR_POLICY_CONDITION'

// What S3 answers for each failure (status, error code), so that a server can answer as AWS does.
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
const VERIFICATION_ANSWER: Readonly<Record<VerificationErrorCode, readonly [number, string]>> = {
  ERR_MALFORMED_CHUNK: [400, 'InvalidRequest'],
  ERR_INCOMPLETE_BODY: [400, 'IncompleteBody'],
  ERR_SIGNATURE_MISMATCH: [403, 'SignatureDoesNotMatch'],
  ERR_CHECKSUM_MISMATCH: [400, 'BadDigest'],
  ERR_DECODED_LENGTH: [400, 'IncompleteBody'],
  ERR_NOT_SIGNED: [403, 'AccessDenied'],
  ERR_AUTH_MALFORMED: [400, 'AuthorizationHeaderMalformed'],
  ERR_SCOPE_MISMATCH: [400, 'AuthorizationHeaderMalformed'],
  ERR_UNKNOWN_ACCESS_KEY: [403, 'InvalidAccessKeyId'],
  ERR_INVALID_TOKEN: [400, 'InvalidToken'],
  ERR_CLOCK_SKEW: [403, 'RequestTimeTooSkewed'],
  ERR_EXPIRED: [403, 'AccessDenied'],
  ERR_NOT_YET_VALID: [403, 'AccessDenied'],
  ERR_CONTENT_SHA256_MISMATCH: [400, 'XAmzContentSHA256Mismatch'],
  ERR_INVALID_REQUEST: [400, 'InvalidRequest'],
  ERR_REPLAYED: [403, 'AccessDenied'],
  // verifyPost passes its own; these are S3's usual answers.
  ERR_POST_FORM: [400, 'InvalidArgument'],
  ERR_POLICY_INVALID: [400, 'InvalidPolicyDocument'],
  ERR_POLICY_EXPIRED: [403, 'AccessDenied'],
  ERR_POLICY_CONDITION: [403, 'AccessDenied'],
}

/** Details of a {@link VerificationError}. Never a secret, never the signature that was expected. */
export interface VerificationErrorDetails extends ErrorOptions {
  /** Index of the aws-chunked chunk where the problem was found. */
  chunk?: number | undefined
  /** The AWS error code to answer, when it differs from the code's usual one (see {@link VerificationError}). */
  awsCode?: string | undefined
  /** The HTTP status to answer, when it differs from the code's usual one. */
  status?: number | undefined
  /** `ERR_SIGNATURE_MISMATCH` of a request: the canonical request rebuilt from what was received. */
  canonicalRequest?: string | undefined
  /** `ERR_SIGNATURE_MISMATCH` of a request: the string to sign rebuilt from what was received. */
  stringToSign?: string | undefined
  /** The access key id the request claimed, once it is known. */
  accessKeyId?: string | undefined
  /** verifyPost: the form field (or policy part) at fault. */
  field?: string | undefined
}

/**
 * A received request (or its body) failed verification. `code` says why; `status` and `awsCode` are what
 * AWS (S3) would answer (`403 SignatureDoesNotMatch`, `403 InvalidAccessKeyId`, `403 AccessDenied` for
 * an expired presigned URL, `400 XAmzContentSHA256Mismatch`...), so a server can answer the standard error
 * body (`s3ErrorXml` in `awsig/verify`). The message never quotes a signature that was expected.
 */
export class VerificationError extends AwsigError {
  declare readonly code: VerificationErrorCode
  /** HTTP status AWS answers for this failure. */
  readonly status: number
  /** AWS error code AWS answers for this failure, e.g. `SignatureDoesNotMatch`. */
  readonly awsCode: string
  /** Index of the chunk where the problem was found (0 = first), where it applies. */
  readonly chunk: number | undefined
  /** `ERR_SIGNATURE_MISMATCH`: the canonical request rebuilt from the request received (session token redacted). */
  readonly canonicalRequest: string | undefined
  /** `ERR_SIGNATURE_MISMATCH`: the string to sign rebuilt from the request received. */
  readonly stringToSign: string | undefined
  /** The access key id the request claimed, when known. */
  readonly accessKeyId: string | undefined
  /** verifyPost: the form field (or policy part) at fault, where there is one. */
  readonly field: string | undefined
  constructor(code: VerificationErrorCode, message: string, options?: VerificationErrorDetails) {
    super(code, message, options)
    const [status, awsCode] = VERIFICATION_ANSWER[code] ?? [400, 'InvalidRequest']
    this.status = options?.status ?? status
    this.awsCode = options?.awsCode ?? awsCode
    this.chunk = options?.chunk
    this.canonicalRequest = options?.canonicalRequest
    this.stringToSign = options?.stringToSign
    this.accessKeyId = options?.accessKeyId
    this.field = options?.field
  }
  /** @internal */
  static override readonly errorName: string = 'VerificationError'
}

/**
 * What can be wrong with `application/vnd.amazon.eventstream` framing (awsig/event-stream).
 * https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html
 */
export type EventStreamErrorCode =
  /** The prelude (total length, headers length) does not match its CRC-32. */
  | 'ERR_EVENT_STREAM_PRELUDE_CRC'
  /** The message does not match its CRC-32. */
  | 'ERR_EVENT_STREAM_MESSAGE_CRC'
  /** A message is longer than the frame limit (16 MiB unless changed), or its headers than 128 KiB. */
  | 'ERR_EVENT_STREAM_TOO_LARGE'
  /** The stream ended inside a message, or before the message that must end it. */
  | 'ERR_EVENT_STREAM_TRUNCATED'
  /** Lengths that cannot be (a message shorter than 16 bytes, headers that overrun), a header cut short. */
  | 'ERR_EVENT_STREAM_MALFORMED'
  /** A header value type other than the ten the format defines (0 to 9). */
  | 'ERR_EVENT_STREAM_HEADER_TYPE'

/**
 * An event stream could not be decoded. `offset` is where in the stream the message in question
 * starts (bytes), `index` its position (0 = first message).
 */
export class EventStreamError extends AwsigError {
  declare readonly code: EventStreamErrorCode
  /** Byte offset in the stream of the message where the problem was found. */
  readonly offset: number | undefined
  /** Index of that message (0 = first). */
  readonly index: number | undefined
  constructor(
    code: EventStreamErrorCode,
    message: string,
    options?: ErrorOptions & { offset?: number | undefined; index?: number | undefined },
  ) {
    super(code, message, options)
    this.offset = options?.offset
    this.index = options?.index
  }
  /** @internal */
  static override readonly errorName: string = 'EventStreamError'
}

/** What an {@link AwsError} knows. Only what AWS sent back and where the request went: never a secret. */
export interface AwsErrorDetails extends ErrorOptions {
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
}

/**
 * AWS answered with an error. `awsCode` is the AWS error code whatever the protocol (S3 and query XML,
 * JSON `__type`, `x-amzn-errortype`, REST-JSON), `status` the HTTP status, `requestId` the id to quote
 * to AWS support.
 *
 * @example
 * try { await client.fetch(url, init) } catch (error) {
 *   if (isAwsigError(error, 'ERR_AWS') && error.awsCode === 'NoSuchKey') return undefined
 *   throw error
 * }
 */
export class AwsError extends AwsigError {
  declare readonly code: 'ERR_AWS'
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
    super('ERR_AWS', message, details)
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
  /** @internal */
  static override readonly errorName: string = 'AwsError'
}

/** Where a request that got no (usable) response was going. */
export interface RequestErrorDetails extends ErrorOptions {
  method?: string | undefined
  /** The URL, `X-Amz-Signature` and `X-Amz-Security-Token` redacted. */
  url?: string | undefined
  /** Attempts made, the first included. */
  attempts?: number | undefined
}

/** The request got no HTTP response: connection refused or reset, DNS or TLS failure. `cause` is the fetch error. */
export class NetworkError extends AwsigError {
  declare readonly code: 'ERR_NETWORK'
  readonly method: string | undefined
  readonly url: string | undefined
  readonly attempts: number
  constructor(message: string, details: RequestErrorDetails = {}) {
    super('ERR_NETWORK', message, details)
    this.method = details.method
    this.url = details.url
    this.attempts = details.attempts ?? 1
  }
  /** @internal */
  static override readonly errorName: string = 'NetworkError'
}

/** What a {@link TimeoutError} knows: the limit that was reached and where the request was going. */
export interface TimeoutErrorDetails extends RequestErrorDetails {
  /** The limit reached, in milliseconds. */
  timeout: number
}

/** An attempt took longer than the client's `timeout` (milliseconds, in `timeout`). */
export class TimeoutError extends AwsigError {
  declare readonly code: 'ERR_TIMEOUT'
  readonly timeout: number
  readonly method: string | undefined
  readonly url: string | undefined
  readonly attempts: number
  constructor(details: TimeoutErrorDetails) {
    const where = details.url === undefined ? '' : ` (${details.method ?? 'GET'} ${details.url})`
    super('ERR_TIMEOUT', `no response within ${details.timeout} ms${where}`, details)
    this.timeout = details.timeout
    this.method = details.method
    this.url = details.url
    this.attempts = details.attempts ?? 1
  }
  /** @internal */
  static override readonly errorName: string = 'TimeoutError'
}

/** What a {@link BodyNotReplayableError} knows: the failure that called for a retry is its `cause`. */
export interface BodyNotReplayableErrorDetails extends RequestErrorDetails {
  /** The failure that would have been retried (an AwsError, NetworkError or TimeoutError). */
  cause: AwsigError
}

/**
 * The request failed in a way that is normally retried, but its body was a stream that the attempt
 * consumed. `cause` is the failure (an AwsError, NetworkError or TimeoutError). Pass the body as bytes,
 * a Blob, or a function that returns a new stream for each attempt to make it retryable.
 */
export class BodyNotReplayableError extends AwsigError {
  declare readonly code: 'ERR_BODY_NOT_REPLAYABLE'
  readonly method: string | undefined
  readonly url: string | undefined
  readonly attempts: number
  constructor(details: BodyNotReplayableErrorDetails) {
    super(
      'ERR_BODY_NOT_REPLAYABLE',
      `not retried: the request body is a stream that was already sent and cannot be sent again (${details.cause.message}). Pass the body as bytes or a Blob, or as a function that returns a new stream for each attempt, to let it be retried`,
      details,
    )
    this.method = details.method
    this.url = details.url
    this.attempts = details.attempts ?? 1
  }
  /** @internal */
  static override readonly errorName: string = 'BodyNotReplayableError'
}

/** The step of an upload that failed. `read` is the source (or the part limit), the rest are S3 calls. */
export type UploadOperation =
  | 'read'
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'

/**
 * A multipart (or single-request) upload failed. `operation` and `part` say where, `cause` is the
 * underlying error (an `AwsError`, `NetworkError`, `StreamError`...). Unless `leavePartsOnError` was
 * set, the multipart upload was aborted; `aborted` says whether that abort succeeded (`abortError`
 * holds its failure), so no orphaned parts keep costing money.
 */
export class UploadError extends AwsigError {
  declare readonly code: 'ERR_UPLOAD'
  readonly operation: UploadOperation
  /** 1-based part number, for `UploadPart` and `read` failures. */
  readonly part: number | undefined
  /** The multipart upload's id, once created. */
  readonly uploadId: string | undefined
  /** Whether AbortMultipartUpload succeeded; `undefined` when there was no multipart upload to abort. */
  readonly aborted: boolean | undefined
  /** Why AbortMultipartUpload failed, when it did. */
  readonly abortError: unknown
  constructor(
    message: string,
    details: {
      operation: UploadOperation
      part?: number | undefined
      uploadId?: string | undefined
      aborted?: boolean | undefined
      abortError?: unknown
    } & ErrorOptions,
  ) {
    super('ERR_UPLOAD', message, details)
    this.operation = details.operation
    this.part = details.part
    this.uploadId = details.uploadId
    this.aborted = details.aborted
    this.abortError = details.abortError
  }
  /** @internal */
  static override readonly errorName: string = 'UploadError'
}

/**
 * Every error code, and the class that carries it: `switch (error.code)` on an {@link AnyAwsigError}
 * narrows to that class. A new code is one line here (and its class above).
 */
export interface AwsigErrorCodes {
  ERR_INVALID_INPUT: InvalidInputError
  /** The runtime lacks what awsig needs (`missing`), e.g. `crypto.subtle`. */
  ERR_UNSUPPORTED_RUNTIME: UnsupportedRuntimeError
  // Credentials
  ERR_CREDENTIALS_NOT_FOUND: CredentialsError
  ERR_CREDENTIALS_CONFIG: CredentialsError
  ERR_CREDENTIALS_PROFILE_NOT_FOUND: CredentialsError
  ERR_CREDENTIALS_PROFILE_CYCLE: CredentialsError
  ERR_CREDENTIALS_PARSE: CredentialsError
  ERR_CREDENTIALS_EXPIRED: CredentialsError
  ERR_CREDENTIALS_REQUEST: CredentialsError
  ERR_CREDENTIALS_TIMEOUT: CredentialsError
  ERR_CREDENTIALS_PROCESS: CredentialsError
  ERR_CREDENTIALS_CHAIN: CredentialsError
  // Streaming bodies
  ERR_BODY_LENGTH: StreamError
  ERR_BODY_SOURCE: StreamError
  ERR_ABORTED: StreamError
  // Received aws-chunked bodies
  ERR_MALFORMED_CHUNK: VerificationError
  ERR_INCOMPLETE_BODY: VerificationError
  ERR_SIGNATURE_MISMATCH: VerificationError
  ERR_CHECKSUM_MISMATCH: VerificationError
  ERR_DECODED_LENGTH: VerificationError
  ERR_NOT_SIGNED: VerificationError
  ERR_AUTH_MALFORMED: VerificationError
  ERR_SCOPE_MISMATCH: VerificationError
  ERR_UNKNOWN_ACCESS_KEY: VerificationError
  ERR_INVALID_TOKEN: VerificationError
  ERR_CLOCK_SKEW: VerificationError
  ERR_EXPIRED: VerificationError
  ERR_NOT_YET_VALID: VerificationError
  ERR_CONTENT_SHA256_MISMATCH: VerificationError
  ERR_INVALID_REQUEST: VerificationError
  ERR_REPLAYED: VerificationError
  // Event streams (awsig/event-stream)
  ERR_EVENT_STREAM_PRELUDE_CRC: EventStreamError
  ERR_EVENT_STREAM_MESSAGE_CRC: EventStreamError
  ERR_EVENT_STREAM_TOO_LARGE: EventStreamError
  ERR_EVENT_STREAM_TRUNCATED: EventStreamError
  ERR_EVENT_STREAM_MALFORMED: EventStreamError
  ERR_EVENT_STREAM_HEADER_TYPE: EventStreamError
  // Received POST policy forms (verifyPost)
  ERR_POST_FORM: VerificationError
  ERR_POLICY_INVALID: VerificationError
  ERR_POLICY_EXPIRED: VerificationError
  ERR_POLICY_CONDITION: VerificationError
  // Client (awsig/client)
  /** AWS answered with an error: see `status`, `awsCode` and `requestId`. */
  ERR_AWS: AwsError
  /** The request got no HTTP response: connection refused or reset, DNS failure... */
  ERR_NETWORK: NetworkError
  /** An attempt took longer than the client's `timeout`. */
  ERR_TIMEOUT: TimeoutError
  /** A retry was needed but the body was a stream already consumed. */
  ERR_BODY_NOT_REPLAYABLE: BodyNotReplayableError
  // S3 uploads (awsig/s3)
  /** An upload failed: see `operation`, `part` and `cause`; the multipart upload was aborted. */
  ERR_UPLOAD: UploadError
}

/** The `code` of every error awsig throws. */
export type AwsigErrorCode = keyof AwsigErrorCodes

/** Any error awsig throws, as a union that `switch (error.code)` narrows. */
export type AnyAwsigError = AwsigErrorCodes[AwsigErrorCode]

/**
 * Whether `error` is an awsig error (with `code`, of that code), made by this copy of the package or
 * another. Narrows to the class: `isAwsigError(e, 'ERR_AWS') && e.awsCode`.
 *
 * @example
 * if (isAwsigError(error)) switch (error.code) {
 *   case 'ERR_AWS': return error.awsCode
 *   case 'ERR_CREDENTIALS_CHAIN': return error.attempts
 * }
 */
export function isAwsigError<C extends AwsigErrorCode = AwsigErrorCode>(
  error: unknown,
  code?: C,
): error is AwsigErrorCodes[C] {
  return error instanceof AwsigError && (code === undefined || error.code === code)
}
