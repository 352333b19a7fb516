// awsig: AWS Signature Version 4 for the HTTP client you already use.
export { type Checksum, type ChecksumAlgorithm, checksumHeaders, createChecksum } from './chunked/checksum.js'
export { type DecodeChunkedOptions, type DecodedChunkedBody, decodeChunked } from './chunked/decode-chunked.js'
export {
  createPayloadHasher,
  type HashedPayload,
  type HashPayloadOptions,
  hashPayload,
  type PayloadHasher,
} from './chunked/payload-hasher.js'
export {
  type ChunkedMode,
  DEFAULT_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  type SignChunkedOptions,
  type SignedChunkedRequest,
  STREAMING_PAYLOAD_HASH,
  signChunked,
  streamingPayloadHash,
} from './chunked/sign-chunked.js'
export type { StreamSource } from './chunked/source.js'
export { type ParsedEndpoint, type Partition, parseEndpoint } from './endpoint/index.js'
export {
  type AnyAwsigError,
  AwsigError,
  type AwsigErrorCode,
  type AwsigErrorCodes,
  type CredentialsErrorCode,
  type ErrorOptions,
  InvalidInputError,
  isAwsigError,
  StreamError,
  type StreamErrorCode,
  UnsupportedRuntimeError,
  VerificationError,
  type VerificationErrorCode,
} from './errors.js'
export { type SigningAlgorithm, sigv4 } from './sign/algorithm.js'
export { defaultKeyCache, SigningKeyCache, type SigningKeyCacheOptions } from './sign/key-cache.js'
export { EMPTY_SHA256, MAX_EXPIRES_IN, presign, presignRequest, sign, UNSIGNED_PAYLOAD } from './sign/sign.js'
export type {
  BodyInput,
  Credentials,
  CredentialsInput,
  HeadersInput,
  PresignedRequest,
  PresignOptions,
  SignedRequest,
  SignOptions,
} from './sign/types.js'
