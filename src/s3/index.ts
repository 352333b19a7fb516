// awsig/s3: the two S3 jobs every user meets: browser form uploads under a signed POST policy
// (presignPost) and uploads of any size in flat memory (uploadObject). Universal.

export { UploadError, type UploadOperation } from '../errors.js'
export {
  type PostPolicy,
  type PostPolicyCondition,
  type PresignedPost,
  type PresignPostOptions,
  presignPost,
} from './post.js'
export {
  type ChecksumType,
  MAX_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
  type UploadObjectOptions,
  type UploadProgress,
  type UploadResult,
  uploadObject,
} from './upload.js'
