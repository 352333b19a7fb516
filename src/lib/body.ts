// What kind of body a value is, for every module that signs or sends one (client, adapters): bytes and
// text that can be hashed, Blob and FormData that can be read once, streams.
import { concat } from './hex.js'

/** Bytes or text that SigV4 hashes as they are. */
export type HashableBody = string | Uint8Array | URLSearchParams

/** A stream: a web `ReadableStream`, a Node stream, or any async iterable of chunks. */
export function isStreamBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return true
  return (
    typeof (body as { pipe?: unknown }).pipe === 'function' ||
    typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  )
}

/** Bytes or text that `sign` hashes (an `ArrayBuffer` or view as a `Uint8Array`), or `undefined`. */
export function hashableBody(body: unknown): HashableBody | undefined {
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return body
  return undefined
}

export const isBlob = (body: unknown): body is Blob => typeof Blob !== 'undefined' && body instanceof Blob
export const isFormData = (body: unknown): body is FormData =>
  typeof FormData !== 'undefined' && body instanceof FormData

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
}

/** Collects an async iterable of chunks (a Node stream, undici's fetch body) into one buffer. */
export async function collectBytes(body: AsyncIterable<unknown>): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = []
  let length = 0
  const encoder = new TextEncoder()
  for await (const chunk of body) {
    const bytes =
      typeof chunk === 'string'
        ? encoder.encode(chunk)
        : chunk instanceof Uint8Array
          ? chunk
          : ArrayBuffer.isView(chunk)
            ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
            : new Uint8Array(chunk as ArrayBuffer)
    chunks.push(bytes)
    length += bytes.byteLength
  }
  return concat(chunks, length) as Uint8Array<ArrayBuffer>
}
