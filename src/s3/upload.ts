// uploadObject: an object of any size from any stream, through an awsig/client client. Small bodies
// go as one PutObject; larger ones as a multipart upload with a few parts in flight, in memory bounded
// by concurrency x partSize, aborted on failure so that no orphaned parts are left.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (limits)
import { createHash } from '#crypto'
import { type ChecksumAlgorithm, checkAlgorithm } from '../chunked/checksum.js'
import { openSource, type PieceReader, type StreamSource } from '../chunked/source.js'
import type { Client, ResponseLike } from '../client/client.js'
import { InvalidInputError, StreamError, UploadError } from '../errors.js'
import { headerPairsOf } from '../lib/headers.js'
import { toHex } from '../lib/hex.js'
import { typeOf } from '../lib/type-of.js'
import { escapeXml, xmlText } from '../lib/xml.js'
import type { HeadersInput } from '../sign/types.js'
import { type ChecksumType, isCrc, objectChecksum, type PartDigest, partHasher, s3Name } from './checksums.js'

export type { ChecksumType } from './checksums.js'

/** S3's smallest part (all but the last), 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024
/** S3's largest part, 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
/** S3's most parts in one upload. */
export const MAX_PARTS = 10_000

/** Told after each part (and after a single-request upload). */
export interface UploadProgress {
  /** Bytes uploaded so far (parts completed). */
  loaded: number
  /** The object's size, when known in advance. */
  total: number | undefined
  /** Parts completed (1 for a single-request upload once done). */
  partsDone: number
  /** Parts in all, when the size is known in advance. */
  totalParts: number | undefined
  /** The part just completed (1-based). */
  part: number
}

export interface UploadObjectOptions {
  /** A client from `createClient` (awsig/client): it signs, sends and retries each request. */
  client: Pick<Client<ResponseLike>, 'fetch'>
  /** The object's URL: `https://bucket.s3.us-east-1.amazonaws.com/big.tar`. */
  url: string | URL
  /**
   * The content: a `ReadableStream<Uint8Array>`, a Node `Readable` or any (async) iterable of
   * `Uint8Array`, a `Blob`, or bytes. Read once, in order, as parts are needed.
   */
  body: StreamSource | Blob
  /**
   * The body's length in bytes, when known (a Blob's or bytes' is): lets a body of at most `partSize`
   * go as one request without reading ahead, checks the 10,000-part limit before anything is sent, and
   * the body's length as it is read. Unknown lengths are fine.
   */
  contentLength?: number | undefined
  /**
   * Bytes per part, from 5 MiB to 5 GiB. Bodies of at most this size go as one PutObject. Memory
   * use is about `concurrency x partSize`.
   * @default 8388608 (8 MiB)
   */
  partSize?: number | undefined
  /** Parts uploaded at once. @default 4 */
  concurrency?: number | undefined
  /**
   * An additional checksum S3 checks and stores (`x-amz-checksum-*`), per part and for the object.
   * @default none (each part is still protected by its signed SHA-256, unless `unsignedPayload`)
   */
  checksum?: ChecksumAlgorithm | undefined
  /**
   * The object checksum of a multipart upload: `FULL_OBJECT` (the CRC of the whole object, which S3
   * checks at completion; CRC algorithms only) or `COMPOSITE` (a checksum of the parts' checksums,
   * `-N`; every algorithm but crc64nvme).
   * @default 'FULL_OBJECT' for CRCs, 'COMPOSITE' for sha1 and sha256
   */
  checksumType?: ChecksumType | undefined
  /**
   * Headers of the object, sent with PutObject or CreateMultipartUpload: `content-type`,
   * `cache-control`, `x-amz-meta-*`, `x-amz-storage-class`, `x-amz-server-side-encryption`... SSE-C
   * (`x-amz-server-side-encryption-customer-*`), `x-amz-request-payer` and
   * `x-amz-expected-bucket-owner` are sent with every part and the completion too, as S3 requires.
   */
  headers?: HeadersInput | undefined
  /** Called after each part (and after a single-request upload). */
  onProgress?: ((progress: UploadProgress) => void) | undefined
  /** Aborts the upload: parts in flight are cancelled, the multipart upload aborted, and the signal's reason thrown. */
  signal?: AbortSignal | undefined
  /**
   * Sign `UNSIGNED-PAYLOAD` instead of each part's SHA-256 (saves hashing; rely on TLS and `checksum`).
   * @default false
   */
  unsignedPayload?: boolean | undefined
  /**
   * Send each part as a stream with its `content-length` (no copy of the part is made by fetch). Works
   * with fetch in Node, Bun and Deno, undici and node:http; browsers cannot stream a request body to
   * S3 (HTTP/1.1), so set `false` there or with a client whose fetch wants bytes.
   * @default true where `process.versions.node` exists, else false
   */
  streamParts?: boolean | undefined
  /** Leave the multipart upload (and its parts) in place when it fails, to resume or inspect it. @default false */
  leavePartsOnError?: boolean | undefined
  /** Signing name. @default 's3' */
  service?: string | undefined
}

export interface UploadResult {
  /** The object's URL. */
  url: string
  /** The object's ETag as S3 returned it (quoted). */
  etag: string | undefined
  /** `x-amz-version-id`, in a versioned bucket. */
  versionId: string | undefined
  /** Bytes uploaded. */
  size: number
  /** Parts of the multipart upload; 0 when the body went as one PutObject. */
  parts: number
  /** The multipart upload's id; `undefined` for a single PutObject. */
  uploadId: string | undefined
  /** The object's checksum, as computed here and accepted by S3, when one was asked for. */
  checksum: { algorithm: ChecksumAlgorithm; type: ChecksumType | undefined; value: string } | undefined
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024 // 8 MiB
const DEFAULT_CONCURRENCY = 4
/** Headers S3 wants on every request of an upload, not only on its creation. */
const EVERY_REQUEST = /^(x-amz-server-side-encryption-customer-|x-amz-request-payer$|x-amz-expected-bucket-owner$)/
const STREAM_BODIES =
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string'

function checkSize(field: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(
      field,
      `must be a whole number from ${min} to ${max}, got ${typeof value === 'number' ? value : typeOf(value)}`,
    )
  }
  return value
}

const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`

/** A part's body for one attempt: a stream of `bytes` in one piece (fetch then copies nothing), or the bytes. */
function partBody(bytes: Uint8Array, stream: boolean): () => ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> {
  if (!stream) return () => bytes as Uint8Array<ArrayBuffer>
  return () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes)
        controller.close()
      },
    })
}

/** Reads a source into part buffers, one part at a time. */
class PartReader {
  #source: PieceReader
  #leftover: Uint8Array | undefined
  #ended = false
  read = 0

  constructor(source: PieceReader) {
    this.#source = source
  }

  /** Fills `buffer` as far as the source goes. `ended`: nothing is left after these bytes. */
  async fill(buffer: Uint8Array, update: (bytes: Uint8Array) => void): Promise<{ filled: number; ended: boolean }> {
    let filled = 0
    while (filled < buffer.length) {
      let piece = this.#leftover
      this.#leftover = undefined
      if (piece === undefined) {
        if (this.#ended) break
        piece = await this.#source.read()
        if (piece === undefined) {
          this.#ended = true
          break
        }
      }
      const take = Math.min(piece.length, buffer.length - filled)
      buffer.set(take === piece.length ? piece : piece.subarray(0, take), filled)
      // Hashed as it is copied, while the bytes are still in cache.
      update(buffer.subarray(filled, filled + take))
      filled += take
      if (take < piece.length) this.#leftover = piece.subarray(take)
    }
    // A full buffer: look ahead, so that the last part is known to be the last.
    if (!this.#ended && this.#leftover === undefined) {
      const next = await this.#source.read()
      if (next === undefined) this.#ended = true
      else this.#leftover = next
    }
    this.read += filled
    return { filled, ended: this.#ended && this.#leftover === undefined }
  }

  release(reason?: unknown) {
    this.#source.release(reason)
  }
}

interface DonePart {
  number: number
  etag: string
  size: number
  digest: PartDigest | undefined
}

/**
 * Uploads an object of any size from a stream, through an awsig/client client: one PutObject when the
 * body fits in one part, else CreateMultipartUpload, UploadPart (`concurrency` parts at a time, each
 * signed and retried on its own by the client) and CompleteMultipartUpload. Memory stays near
 * `concurrency x partSize` whatever the size. On a failure that the client could not retry, or an
 * abort through `signal`, the multipart upload is aborted; the error is an {@link UploadError} saying
 * which call and which part failed (or the signal's reason).
 *
 * @example
 * const client = createClient({ credentials: fromEnv(), region: 'us-east-1', service: 's3' })
 * await uploadObject({ client, url: 'https://bucket.s3.us-east-1.amazonaws.com/big.tar', body,
 *   partSize: 16 * 2 ** 20, concurrency: 4, checksum: 'crc64nvme', onProgress, signal })
 */
export async function uploadObject(options: UploadObjectOptions): Promise<UploadResult> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const { client, signal, onProgress } = options
  if (client === null || typeof client !== 'object' || typeof client.fetch !== 'function') {
    throw new InvalidInputError('client', 'must be a client from createClient (awsig/client)')
  }
  let url: string
  if (options.url instanceof URL) url = options.url.href
  else if (typeof options.url === 'string' && /^https?:\/\//i.test(options.url)) url = options.url
  else throw new InvalidInputError('url', 'must be the absolute http: or https: URL of the object')
  const partSize = checkSize('partSize', options.partSize, MIN_PART_SIZE, MAX_PART_SIZE, DEFAULT_PART_SIZE)
  const concurrency = checkSize('concurrency', options.concurrency, 1, 1000, DEFAULT_CONCURRENCY)
  const checksum = options.checksum === undefined ? undefined : checkAlgorithm('checksum', options.checksum)
  let checksumType: ChecksumType | undefined
  if (checksum !== undefined) {
    checksumType = options.checksumType ?? (isCrc(checksum) ? 'FULL_OBJECT' : 'COMPOSITE')
    if (checksumType !== 'FULL_OBJECT' && checksumType !== 'COMPOSITE') {
      throw new InvalidInputError(
        'checksumType',
        `must be FULL_OBJECT or COMPOSITE, got ${JSON.stringify(checksumType)}`,
      )
    }
    if (checksumType === 'FULL_OBJECT' && !isCrc(checksum)) {
      throw new InvalidInputError('checksumType', `FULL_OBJECT needs a CRC (crc32, crc32c, crc64nvme), not ${checksum}`)
    }
    if (checksumType === 'COMPOSITE' && checksum === 'crc64nvme') {
      throw new InvalidInputError('checksumType', 'crc64nvme supports FULL_OBJECT only, as S3 defines it')
    }
  } else if (options.checksumType !== undefined) {
    throw new InvalidInputError('checksumType', 'needs a checksum algorithm (the checksum option)')
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidInputError('onProgress', `must be a function, got ${typeOf(onProgress)}`)
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidInputError('signal', `must be an AbortSignal, got ${typeOf(signal)}`)
  }
  const service = options.service ?? 's3'
  const streamParts = options.streamParts ?? STREAM_BODIES
  const unsigned = options.unsignedPayload === true

  let body: unknown = options.body
  let contentLength = options.contentLength
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    contentLength ??= body.size
    body = body.stream()
  } else if (body instanceof Uint8Array) contentLength ??= body.length
  if (contentLength !== undefined) {
    checkSize('contentLength', contentLength, 0, Number.MAX_SAFE_INTEGER, 0)
    if (Math.ceil(contentLength / partSize) > MAX_PARTS) {
      throw new InvalidInputError(
        'partSize',
        `${partSize} bytes makes ${Math.ceil(contentLength / partSize)} parts of a ${contentLength}-byte body, over S3's ${MAX_PARTS}: use at least ${Math.ceil(contentLength / MAX_PARTS)}`,
      )
    }
  }
  const totalParts = contentLength === undefined ? undefined : Math.max(1, Math.ceil(contentLength / partSize))
  const objectHeaders = headerPairsOf(options.headers)
  const everyRequest = objectHeaders.filter(([name]) => EVERY_REQUEST.test(name.toLowerCase()))

  // Internal abort: a failed part cancels the others, and a read of the body waiting on a stalled
  // source. Follows the caller's signal.
  const controller = new AbortController()
  const forward = () => controller.abort(signal?.reason)
  if (signal?.aborted) forward()
  signal?.addEventListener('abort', forward, { once: true })
  const cleanup = () => signal?.removeEventListener('abort', forward)
  let reader: PartReader
  try {
    reader = new PartReader(openSource('body', body, { signal: controller.signal }))
  } catch (error) {
    cleanup()
    throw error
  }

  /** The part's hashes, updated as its bytes are read: SHA-256 for the signature, and the checksum. */
  const partHashes = () => {
    const sha = unsigned ? undefined : createHash('sha256')
    const sum = checksum === undefined ? undefined : partHasher(checksum)
    return {
      update(bytes: Uint8Array) {
        sha?.update(bytes)
        sum?.update(bytes)
      },
      payloadHash: () => (sha === undefined ? 'UNSIGNED-PAYLOAD' : toHex(sha.digest())),
      digest: () => sum?.digest(),
    }
  }
  // Every call passes throwOnError: a client made with `throwOnError: false` must not turn S3's
  // refusals into parts or objects that seem uploaded.
  const put = async (
    target: string,
    bytes: Uint8Array,
    headers: Array<[string, string]>,
    payloadHash: string,
  ): Promise<ResponseLike> => {
    const init = {
      method: 'PUT',
      service,
      headers: [...headers, ['content-length', String(bytes.length)]] as Array<[string, string]>,
      body: partBody(bytes, streamParts),
      payloadHash,
      signal: controller.signal,
      throwOnError: true,
    }
    return client.fetch(target, init)
  }
  const finish = async (response: ResponseLike) => {
    await response.text().catch(() => '')
  }

  const checkLength = (read: number) => {
    if (contentLength !== undefined && read !== contentLength) {
      throw new StreamError(
        'ERR_BODY_LENGTH',
        `body: contentLength is ${contentLength} but the body gave ${read} bytes`,
        {
          expected: contentLength,
          received: read,
        },
      )
    }
  }

  let firstBuffer = new Uint8Array(contentLength !== undefined && contentLength < partSize ? contentLength : partSize)
  let first: { filled: number; ended: boolean }
  const firstHashes = partHashes()
  try {
    first = await reader.fill(firstBuffer, firstHashes.update)
    if (first.ended) checkLength(reader.read)
  } catch (error) {
    cleanup()
    reader.release(error)
    if (signal?.aborted) throw signal.reason
    throw new UploadError(`reading the body failed: ${(error as Error).message}`, {
      operation: 'read',
      part: 1,
      cause: error,
    })
  }
  if (!first.ended && contentLength !== undefined && contentLength < partSize) {
    cleanup()
    reader.release()
    const error = new StreamError('ERR_BODY_LENGTH', `body: contentLength is ${contentLength} but the body gave more`, {
      expected: contentLength,
      received: reader.read + 1,
    })
    throw new UploadError(error.message, { operation: 'read', part: 1, cause: error })
  }

  // One request: the whole body fits in one part.
  if (first.ended) {
    try {
      const bytes = firstBuffer.subarray(0, first.filled)
      const headers = [...objectHeaders]
      let value: string | undefined
      if (checksum !== undefined) {
        value = (firstHashes.digest() as PartDigest).base64
        // x-amz-sdk-checksum-algorithm as the SDKs send it (S3 itself reads the checksum header).
        headers.push([`x-amz-checksum-${checksum}`, value], ['x-amz-sdk-checksum-algorithm', s3Name(checksum)])
      }
      const response = await put(url, bytes, headers, firstHashes.payloadHash())
      await finish(response)
      onProgress?.({ loaded: bytes.length, total: contentLength, partsDone: 1, totalParts: 1, part: 1 })
      return {
        url,
        etag: response.headers.get('etag') ?? undefined,
        versionId: response.headers.get('x-amz-version-id') ?? undefined,
        size: bytes.length,
        parts: 0,
        uploadId: undefined,
        checksum: checksum === undefined ? undefined : { algorithm: checksum, type: undefined, value: value as string },
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      throw new UploadError(`PutObject failed: ${(error as Error).message}`, { operation: 'PutObject', cause: error })
    } finally {
      cleanup()
    }
  }

  // Multipart.
  let uploadId: string
  try {
    const headers = [...objectHeaders]
    if (checksum !== undefined) {
      headers.push(['x-amz-checksum-algorithm', s3Name(checksum)], ['x-amz-checksum-type', checksumType as string])
    }
    const response = await client.fetch(withQuery(url, 'uploads'), {
      method: 'POST',
      service,
      headers,
      signal: controller.signal,
      throwOnError: true,
    })
    const text = await response.text()
    const id = xmlText(text, 'UploadId')
    if (id === undefined || id === '') throw new Error('the response has no UploadId')
    uploadId = id
  } catch (error) {
    cleanup()
    reader.release(error)
    if (signal?.aborted) throw signal.reason
    throw new UploadError(`CreateMultipartUpload failed: ${(error as Error).message}`, {
      operation: 'CreateMultipartUpload',
      cause: error,
    })
  }
  const uploadQuery = `uploadId=${encodeURIComponent(uploadId)}`

  const done: DonePart[] = []
  const pool: Uint8Array[] = []
  const inFlight = new Set<Promise<void>>()
  let failure:
    | { error: unknown; operation: 'read' | 'UploadPart' | 'CompleteMultipartUpload'; part: number }
    | undefined
  let loaded = 0
  let partsDone = 0

  const uploadPart = (number: number, buffer: Uint8Array, size: number, hashes: ReturnType<typeof partHashes>) => {
    const bytes = buffer.subarray(0, size)
    const digest = hashes.digest()
    const payloadHash = hashes.payloadHash()
    const headers = [...everyRequest]
    if (digest !== undefined) {
      headers.push(
        [`x-amz-checksum-${checksum}`, digest.base64],
        ['x-amz-sdk-checksum-algorithm', s3Name(checksum as ChecksumAlgorithm)],
      )
    }
    const task = (async () => {
      try {
        const response = await put(withQuery(url, `partNumber=${number}&${uploadQuery}`), bytes, headers, payloadHash)
        const etag = response.headers.get('etag')
        await finish(response)
        if (etag === null) throw new Error('the response has no ETag')
        done.push({ number, etag, size, digest })
        loaded += size
        partsDone++
        onProgress?.({ loaded, total: contentLength, partsDone, totalParts, part: number })
      } catch (error) {
        if (failure === undefined) {
          failure = { error, operation: 'UploadPart', part: number }
          controller.abort(error)
        }
      } finally {
        pool.push(buffer)
      }
    })()
    inFlight.add(task)
    task.finally(() => inFlight.delete(task))
  }

  let number = 1
  uploadPart(number, firstBuffer, first.filled, firstHashes)
  firstBuffer = new Uint8Array(0) // the pool owns it now
  let ended = false
  while (!ended && failure === undefined && !controller.signal.aborted) {
    while (inFlight.size >= concurrency) await Promise.race(inFlight)
    if (failure !== undefined || controller.signal.aborted) break
    number++
    if (number > MAX_PARTS) {
      failure = {
        error: new Error(`the body is longer than ${MAX_PARTS} parts of ${partSize} bytes: use a larger partSize`),
        operation: 'read',
        part: number,
      }
      break
    }
    const buffer = pool.pop() ?? new Uint8Array(partSize)
    let filled: number
    const hashes = partHashes()
    try {
      ;({ filled, ended } = await reader.fill(buffer, hashes.update))
      if (ended) checkLength(reader.read)
    } catch (error) {
      pool.push(buffer)
      failure ??= { error, operation: 'read', part: number }
      break
    }
    if (filled === 0) {
      pool.push(buffer) // a source that ended exactly on a part boundary
      break
    }
    uploadPart(number, buffer, filled, hashes)
  }
  await Promise.allSettled([...inFlight])
  pool.length = 0

  if (failure === undefined && !controller.signal.aborted) {
    done.sort((a, b) => a.number - b.number)
    let value: string | undefined
    try {
      const headers = [...everyRequest]
      if (checksum !== undefined) {
        value = objectChecksum(
          checksum,
          checksumType as ChecksumType,
          done.map((p) => ({ digest: p.digest as PartDigest, size: p.size })),
        )
        if (checksumType === 'FULL_OBJECT') {
          headers.push([`x-amz-checksum-${checksum}`, value], ['x-amz-checksum-type', 'FULL_OBJECT'])
        }
      }
      const tag = checksum === undefined ? '' : `Checksum${s3Name(checksum)}`
      const parts = done
        .map(
          (p) =>
            `<Part><PartNumber>${p.number}</PartNumber><ETag>${escapeXml(p.etag)}</ETag>${
              tag === '' ? '' : `<${tag}>${escapeXml(p.digest?.base64 ?? '')}</${tag}>`
            }</Part>`,
        )
        .join('')
      const bodyXml = `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`
      // The client reads S3's errors in a 200 answer (an error document, or no body), and retries those
      // that are transient.
      const response = await client.fetch(withQuery(url, uploadQuery), {
        method: 'POST',
        service,
        headers: [...headers, ['content-type', 'application/xml']],
        body: bodyXml,
        signal: controller.signal,
        throwOnError: true,
      })
      const text = await response.text()
      if (checksum !== undefined && checksumType === 'COMPOSITE') {
        const reported = xmlText(text, tag)
        if (reported !== undefined && reported !== value) {
          throw new Error(`S3 reports the ${checksum} checksum ${reported}, computed here: ${value}`)
        }
      }
      cleanup()
      return {
        url,
        etag: xmlText(text, 'ETag') ?? response.headers.get('etag') ?? undefined,
        versionId: response.headers.get('x-amz-version-id') ?? undefined,
        size: reader.read,
        parts: done.length,
        uploadId,
        checksum:
          checksum === undefined ? undefined : { algorithm: checksum, type: checksumType, value: value as string },
      }
    } catch (error) {
      failure = { error, operation: 'CompleteMultipartUpload', part: 0 }
    }
  }

  // Failed or aborted: release the source, abort the upload (unless asked not to), report.
  cleanup()
  reader.release(signal?.aborted ? signal.reason : failure?.error)
  let aborted: boolean | undefined
  let abortError: unknown
  if (options.leavePartsOnError !== true) {
    try {
      const response = await client.fetch(withQuery(url, uploadQuery), {
        method: 'DELETE',
        service,
        headers: everyRequest,
        throwOnError: true,
      })
      await finish(response)
      aborted = true
    } catch (error) {
      aborted = false
      abortError = error
    }
  }
  if (signal?.aborted) throw signal.reason
  const f = failure as { error: unknown; operation: UploadError['operation']; part: number }
  const where = f.operation === 'CompleteMultipartUpload' ? f.operation : `${f.operation} of part ${f.part}`
  const outcome =
    aborted === undefined
      ? `upload ${uploadId} left in place`
      : aborted
        ? 'the multipart upload was aborted'
        : `AbortMultipartUpload failed too (${(abortError as Error)?.message}): upload ${uploadId} may keep its parts`
  throw new UploadError(`${where} failed: ${(f.error as Error)?.message ?? String(f.error)}; ${outcome}`, {
    operation: f.operation,
    part: f.operation === 'CompleteMultipartUpload' ? undefined : f.part,
    uploadId,
    aborted,
    abortError,
    cause: f.error,
  })
}
