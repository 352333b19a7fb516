// The verified body: bytes checked against `x-amz-content-sha256` as they stream (the stream errors at its
// end on a mismatch, never ends cleanly), or an aws-chunked body decoded with every chunk verified first.
import { createHash } from '#crypto'
import { openSource, type StreamSource } from '../chunked/source.js'
import { VerificationError } from '../errors.js'
import { concat, timingSafeEqualHex, toHex } from '../lib/hex.js'

/** A ReadableStream over any stream source, releasing the source when the stream is cancelled. */
export function toReadableStream(source: StreamSource): ReadableStream<Uint8Array> {
  const reader = openSource('body', source)
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = await reader.read()
          if (piece === undefined) controller.close()
          else controller.enqueue(piece)
        } catch (error) {
          controller.error(error)
        }
      },
      cancel(reason) {
        reader.release(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** A ReadableStream over a decoder's output: its errors (VerificationError) pass through as they are. */
export function iterableStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await iterator.next()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        } catch (error) {
          controller.error(error)
        }
      },
      async cancel() {
        await iterator.return?.()
      },
    },
    { highWaterMark: 0 },
  )
}

/** The whole body, at most `limit` bytes (a larger one is refused as soon as it is larger). */
export async function readWhole(source: StreamSource, limit: number): Promise<Uint8Array> {
  const reader = openSource('body', source)
  const pieces: Uint8Array[] = []
  let length = 0
  for (;;) {
    const piece = await reader.read()
    if (piece === undefined) break
    length += piece.length
    if (length > limit) {
      reader.release()
      throw tooLarge(limit)
    }
    pieces.push(piece)
  }
  return pieces.length === 1 ? (pieces[0] as Uint8Array) : concat(pieces, length)
}

/**
 * The body, hashed as it streams; at its end the stream errors with `ERR_CONTENT_SHA256_MISMATCH`
 * (`XAmzContentSHA256Mismatch`) unless the hash is `expected`. Consumers see the end only when it matched.
 */
export function hashCheckedStream(source: StreamSource, expected: string): ReadableStream<Uint8Array> {
  const reader = openSource('body', source)
  const hash = createHash('sha256')
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = await reader.read()
          if (piece !== undefined) {
            hash.update(piece)
            controller.enqueue(piece)
            return
          }
          if (timingSafeEqualHex(toHex(hash.digest()), expected)) controller.close()
          else controller.error(contentMismatch())
        } catch (error) {
          controller.error(error)
        }
      },
      cancel(reason) {
        reader.release(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** A body that must be read whole to be hashed and is larger than the limit. */
export const tooLarge = (limit: number) =>
  new VerificationError(
    'ERR_INVALID_REQUEST',
    `the body must be hashed to verify the signature and is larger than maxBufferedBody (${limit} bytes)`,
    { awsCode: 'EntityTooLarge' },
  )

export const contentMismatch = () =>
  new VerificationError(
    'ERR_CONTENT_SHA256_MISMATCH',
    'the body does not hash to its x-amz-content-sha256: the provided header does not match what was computed',
  )
