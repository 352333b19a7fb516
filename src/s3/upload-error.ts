// The one error uploadObject throws for a failed upload: which S3 call failed, for which part.
import { AwsigError } from '../errors.js'

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
  override name = 'UploadError'
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
      cause?: unknown
    },
  ) {
    super('ERR_UPLOAD', message, details.cause === undefined ? undefined : { cause: details.cause })
    this.operation = details.operation
    this.part = details.part
    this.uploadId = details.uploadId
    this.aborted = details.aborted
    this.abortError = details.abortError
  }
}
