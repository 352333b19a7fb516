// awsig/verify: server-side verification of AWS-signed requests, presigned URLs and aws-chunked bodies,
// with helpers for S3-style error bodies and HTTP mocks.
export { VerificationError, type VerificationErrorCode } from '../errors.js'
export type { IncomingMessageLike, RequestDescription, VerifiableRequest } from './input.js'
export {
  createSignatureChecker,
  type SignatureChecker,
  type SignatureCheckerOptions,
  type UndiciDispatch,
  type UndiciDispatchOptions,
  type UndiciHandler,
} from './mocks.js'
export { createReplayCache, type ReplayCache, type ReplayCacheOptions } from './replay-cache.js'
export { type S3ErrorOptions, s3ErrorResponse, s3ErrorXml } from './s3-error.js'
export {
  type CredentialsLookup,
  type CredentialsLookupContext,
  type VerificationCredentials,
  type VerifiedRequest,
  type VerifyRequestOptions,
  verifyRequest,
} from './verify-request.js'
// POST policy verification (src/verify/post.ts) is exported here by the awsig/s3 work.
