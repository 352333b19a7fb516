// Node-only: upload a file from disk with uploadObject, its size known from the file system.
import { open } from 'node:fs/promises'
import { InvalidInputError } from '../errors.js'
import { type UploadObjectOptions, type UploadResult, uploadObject } from './upload.js'

export interface UploadFileOptions extends Omit<UploadObjectOptions, 'body' | 'contentLength'> {
  /** Path of the file to upload. */
  path: string
}

const READ_SIZE = 1024 * 1024 // 1 MiB reads

/**
 * Uploads a file with {@link uploadObject}: read in 1 MiB pieces as parts are needed, its length
 * checked against the file's size when the upload started.
 *
 * @example
 * await uploadFile({ client, url: 'https://bucket.s3.us-east-1.amazonaws.com/backup.tar', path: './backup.tar' })
 */
export async function uploadFile(options: UploadFileOptions): Promise<UploadResult> {
  if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path === '') {
    throw new InvalidInputError('path', 'must be the path of a file')
  }
  const file = await open(options.path, 'r')
  try {
    const { size } = await file.stat()
    const { path: _path, ...rest } = options
    return await uploadObject({
      ...rest,
      contentLength: size,
      body: file.createReadStream({ highWaterMark: READ_SIZE, autoClose: false }),
    })
  } finally {
    await file.close().catch(() => {})
  }
}
