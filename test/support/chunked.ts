// Helpers for the aws-chunked tests: sources cut at chosen points, draining a stream, comparing bytes.
import { createHash } from 'node:crypto'

export const textBytes = (text: string) => new TextEncoder().encode(text)
export const asText = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce from the seed. */
export function randomBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed | 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Cuts `data` into pieces at the given sizes (cycled), as views of `data`. */
export function cut(data: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = []
  let offset = 0
  let i = 0
  while (offset < data.length) {
    const size = Math.max(1, sizes.length === 0 ? data.length : (sizes[i++ % sizes.length] as number))
    pieces.push(data.subarray(offset, offset + size))
    offset += size
  }
  return pieces
}

export type SourceKind = 'readable-stream' | 'async-generator' | 'node-readable' | 'array'
export const SOURCE_KINDS: readonly SourceKind[] = ['readable-stream', 'async-generator', 'node-readable', 'array']

/** The same pieces as each kind of source signChunked takes. */
export async function sourceOf(kind: SourceKind, pieces: Uint8Array[]) {
  switch (kind) {
    case 'readable-stream': {
      let i = 0
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i < pieces.length) controller.enqueue(pieces[i++] as Uint8Array)
          else controller.close()
        },
      })
    }
    case 'async-generator':
      return (async function* () {
        yield* pieces
      })()
    case 'node-readable': {
      const { Readable } = await import('node:stream')
      return Readable.from(pieces, { objectMode: true })
    }
    case 'array':
      return pieces
  }
}

export async function drain(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of stream as AsyncIterable<Uint8Array>) parts.push(part)
  return Buffer.concat(parts)
}

/** Reads until the stream fails; returns what came before and the error. */
export async function drainUntilError(
  stream: ReadableStream<Uint8Array>,
): Promise<{ bytes: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = []
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { bytes: Buffer.concat(parts), error: undefined }
      parts.push(value)
    }
  } catch (error) {
    return { bytes: Buffer.concat(parts), error }
  }
}
