// awsig/verify: server-side verification of what AWS clients send. Universal.
// (So far POST policy forms; the other verifiers land beside this one.)

export { VerificationError, type VerificationErrorCode } from '../errors.js'
export {
  type CredentialsLookup,
  type PostPolicyCondition,
  type VerifiedPost,
  type VerifyPostOptions,
  verifyPost,
} from './post.js'
