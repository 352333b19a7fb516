// Request bodies: which can be hashed and sent again, which are streams sent once.
import { InvalidInputError } from '../errors.js'
import { typeOf } from '../sign/request.js'
import type { BodyInput } from '../sign/types.js'

/** What a body can be sent as: a fetch body, or a function that makes a new one for each attempt. */
export type RequestBody = BodyInit | BodyInput | URLSearchParams | (() => BodyInit | BodyInput | URLSearchParams)

/** A body ready for the attempts of one request. */
export interface PreparedBody {
  /** Sent again on a retry, or a factory that makes a new one. */
  replayable: boolean
  /** Bytes or text `sign` can hash; `undefined` for a stream or no body. */
  hashable: string | Uint8Array | URLSearchParams | undefined
  /** A stream with no payload hash given cannot be signed. */
  isStream: boolean
  /** A content type implied by the body (Blob's `type`, FormData's boundary), for the signed headers. */
  contentType: string | undefined
  /** The body for the next attempt. */
  next(): Promise<BodyInit | undefined>
}

export function isStreamBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return true
  // Node streams and async iterables (undici's fetch sends both).
  return (
    typeof (body as { pipe?: unknown }).pipe === 'function' ||
    typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  )
}

/** Bytes or text that `sign` hashes, or `undefined` when the body is of another kind. */
export function hashableBody(body: unknown): string | Uint8Array | URLSearchParams | undefined {
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return body
  return undefined
}

const isBlob = (body: unknown): body is Blob => typeof Blob !== 'undefined' && body instanceof Blob
const isFormData = (body: unknown): body is FormData => typeof FormData !== 'undefined' && body instanceof FormData

/** Reads a Blob or FormData into bytes once, so that it can be hashed and sent again. */
async function materialize(body: unknown): Promise<{ bytes: Uint8Array; contentType: string | undefined } | undefined> {
  if (isBlob(body)) return { bytes: new Uint8Array(await body.arrayBuffer()), contentType: body.type || undefined }
  if (isFormData(body)) {
    // A Response serialises FormData exactly as fetch would, boundary and all.
    const encoded = new Response(body)
    return {
      bytes: new Uint8Array(await encoded.arrayBuffer()),
      contentType: encoded.headers.get('content-type') ?? undefined,
    }
  }
  return undefined
}

export async function prepareBody(body: RequestBody | null | undefined): Promise<PreparedBody> {
  if (body === undefined || body === null) {
    return {
      replayable: true,
      hashable: undefined,
      isStream: false,
      contentType: undefined,
      next: async () => undefined,
    }
  }
  if (typeof body === 'function') {
    // A factory: a new body, even a new stream, for every attempt.
    const first = await prepareBody(body())
    let used = false
    return {
      ...first,
      replayable: true,
      async next() {
        if (!used) {
          used = true
          return first.next()
        }
        const again = await prepareBody(body())
        return again.next()
      },
    }
  }
  const hashable = hashableBody(body)
  if (hashable !== undefined) {
    const send = body as BodyInit
    return { replayable: true, hashable, isStream: false, contentType: undefined, next: async () => send }
  }
  const read = await materialize(body)
  if (read !== undefined) {
    const bytes = read.bytes as Uint8Array<ArrayBuffer>
    return {
      replayable: true,
      hashable: bytes,
      isStream: false,
      contentType: read.contentType,
      next: async () => bytes,
    }
  }
  if (isStreamBody(body)) {
    let used = false
    return {
      replayable: false,
      hashable: undefined,
      isStream: true,
      contentType: undefined,
      async next() {
        if (used) throw new InvalidInputError('body', 'is a stream that was already sent')
        used = true
        return body as BodyInit
      },
    }
  }
  throw new InvalidInputError(
    'body',
    `must be a string, bytes, URLSearchParams, Blob, FormData, a stream or a function returning one, got ${typeOf(body)}`,
  )
}
