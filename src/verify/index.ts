// awsig/verify: server-side verification of what AWS clients send (signed requests, presigned URLs,
// aws-chunked bodies, POST policy forms), with helpers for S3-style error bodies and HTTP mocks. Universal.
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
export {
  // verifyPost's narrower lookup (accessKeyId only): any CredentialsLookup written for it also fits verifyRequest.
  type CredentialsLookup as PostCredentialsLookup,
  type PostPolicyCondition,
  type VerifiedPost,
  type VerifyPostOptions,
  verifyPost,
} from './post.js'
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
