// awsig/s3: the two S3 jobs every user meets: browser form uploads under a signed POST policy
// (presignPost) and uploads of any size in flat memory (uploadObject). Universal.
export {
  type PostPolicy,
  type PostPolicyCondition,
  type PresignedPost,
  type PresignPostOptions,
  presignPost,
} from './post.js'
