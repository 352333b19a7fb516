// awsig: AWS Signature Version 4 for the HTTP client you already use.
export { AwsigError, type AwsigErrorCode, InvalidInputError } from './errors.js'
export { defaultKeyCache, SigningKeyCache, type SigningKeyCacheOptions } from './sign/key-cache.js'
export { EMPTY_SHA256, MAX_EXPIRES_IN, presign, presignRequest, sign, UNSIGNED_PAYLOAD } from './sign/sign.js'
export type {
  BodyInput,
  Credentials,
  HeadersInput,
  PresignedRequest,
  PresignOptions,
  SignedRequest,
  SignOptions,
} from './sign/types.js'
