// The names and values of Signature Version 4 (and 4a), in one place: every signer, encoder, decoder and
// verifier takes them from here.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html

/** SigV4's algorithm id: the `Authorization` prefix, `X-Amz-Algorithm`, the first line of the string to sign. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256'
/** SigV4a's algorithm id (ECDSA P-256, region sets). */
export const SIGV4A_ALGORITHM = 'AWS4-ECDSA-P256-SHA256'
/**
 * Pads a SigV4a chunk or trailer signature to its fixed width on the wire (see
 * `SigningAlgorithm.chainSignatureLength`). aws-c-auth: `AWS_SIGV4A_SIGNATURE_PADDING_BYTE`.
 */
export const CHAIN_SIGNATURE_PADDING = '*'
/** The last part of every credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request'

/** First line of a chunk's (or an event-stream message's) string to sign: `AWS4-HMAC-SHA256-PAYLOAD`. */
export const payloadAlgorithm = (algorithm: string) => `${algorithm}-PAYLOAD`
/** First line of an aws-chunked trailer's string to sign: `AWS4-HMAC-SHA256-TRAILER`. */
export const trailerAlgorithm = (algorithm: string) => `${algorithm}-TRAILER`
/** `x-amz-content-sha256` of an aws-chunked body with signed chunks. */
export const streamingPayload = (algorithm: string) => `STREAMING-${algorithm}-PAYLOAD`
/** `x-amz-content-sha256` of an aws-chunked body with signed chunks and a signed trailer. */
export const streamingPayloadTrailer = (algorithm: string) => `STREAMING-${algorithm}-PAYLOAD-TRAILER`
/** `x-amz-content-sha256` of an event-stream request whose messages are signed. */
export const streamingEvents = (algorithm: string) => `STREAMING-${algorithm}-EVENTS`
/** `x-amz-content-sha256` of an aws-chunked body with plain chunks and a checksum trailer. */
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
/** SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Longest presigned URL lifetime SigV4 allows: 7 days. */
export const MAX_EXPIRES_IN = 7 * 24 * 60 * 60 // 604800 s

// Header names, lower case as they are signed.
export const X_AMZ_DATE = 'x-amz-date'
export const X_AMZ_CONTENT_SHA256 = 'x-amz-content-sha256'
export const X_AMZ_SECURITY_TOKEN = 'x-amz-security-token'
export const X_AMZ_REGION_SET = 'x-amz-region-set'
export const X_AMZ_DECODED_CONTENT_LENGTH = 'x-amz-decoded-content-length'
export const X_AMZ_TRAILER = 'x-amz-trailer'
export const X_AMZ_TRAILER_SIGNATURE = 'x-amz-trailer-signature'

// Query parameters of presigned URLs.
export const Q_ALGORITHM = 'X-Amz-Algorithm'
export const Q_CREDENTIAL = 'X-Amz-Credential'
export const Q_DATE = 'X-Amz-Date'
export const Q_EXPIRES = 'X-Amz-Expires'
export const Q_SIGNED_HEADERS = 'X-Amz-SignedHeaders'
export const Q_SIGNATURE = 'X-Amz-Signature'
export const Q_SECURITY_TOKEN = 'X-Amz-Security-Token'
export const Q_REGION_SET = 'X-Amz-Region-Set'
/** Every query parameter presigning writes itself (and a verifier reads). */
export const AUTH_QUERY_PARAMS: ReadonlySet<string> = new Set([
  Q_ALGORITHM,
  Q_CREDENTIAL,
  Q_DATE,
  Q_EXPIRES,
  Q_SIGNED_HEADERS,
  Q_SIGNATURE,
  Q_SECURITY_TOKEN,
  Q_REGION_SET,
])

/** Signing names that follow S3's rules: no path normalisation, single encoding, `x-amz-content-sha256`. */
export const S3_SIGNING_NAMES: ReadonlySet<string> = new Set(['s3', 's3-object-lambda', 's3-outposts', 's3express'])
