// awsig/s3 in Node, Bun and Deno: everything in the universal entry, plus uploadFile (reads from disk).

export { type UploadFileOptions, uploadFile } from './file.node.js'
export {
  type ChecksumType,
  MAX_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
  type PostPolicy,
  type PostPolicyCondition,
  type PresignedPost,
  type PresignPostOptions,
  presignPost,
  UploadError,
  type UploadObjectOptions,
  type UploadOperation,
  type UploadProgress,
  type UploadResult,
  uploadObject,
} from './index.js'
