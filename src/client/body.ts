// The client's request bodies: which can be hashed and sent again, which are streams sent once.
import { InvalidInputError } from '../errors.js'
import { type HashableBody, hashableBody, isBlob, isFormData, isStreamBody } from '../lib/body.js'
import { typeOf } from '../lib/type-of.js'
import type { BodyInput } from '../sign/types.js'

/** What a body can be sent as: a fetch body, or a function that makes a new one for each attempt. */
export type RequestBody = BodyInit | BodyInput | URLSearchParams | (() => BodyInit | BodyInput | URLSearchParams)

/** A body ready for the attempts of one request. */
export interface PreparedBody {
  /** Sent again on a retry, or a factory that makes a new one. */
  replayable: boolean
  /** Bytes or text `sign` can hash; `undefined` for a stream or no body. */
  hashable: HashableBody | undefined
  /** A stream with no payload hash given cannot be signed. */
  isStream: boolean
  /** A content type implied by the body (Blob's `type`, FormData's boundary), for the signed headers. */
  contentType: string | undefined
  /** The body for the next attempt (at once when it is the same every time). */
  next(): BodyInit | undefined | Promise<BodyInit | undefined>
}

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

const fixed = (hashable: HashableBody | undefined, send: BodyInit | undefined, contentType?: string): PreparedBody => ({
  replayable: true,
  hashable,
  isStream: false,
  contentType,
  next: () => send,
})

const NO_BODY = fixed(undefined, undefined)

/** Prepares a body; at once (no promise) for none, bytes and text, which need nothing read. */
export function prepareBody(body: RequestBody | null | undefined): PreparedBody | Promise<PreparedBody> {
  if (body === undefined || body === null) return NO_BODY
  if (typeof body === 'function') return prepareFactory(body)
  const hashable = hashableBody(body)
  if (hashable !== undefined) return fixed(hashable, body as BodyInit)
  return prepareRead(body)
}

/** A factory: a new stream for every attempt; any other body, read or hashed once, is sent again as it is. */
async function prepareFactory(body: () => BodyInit | BodyInput | URLSearchParams): Promise<PreparedBody> {
  const first = await prepareBody(body())
  // Its hash and content type are the first body's: a new FormData would bring a new boundary.
  if (!first.isStream) return first
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

/** A Blob or FormData read into bytes, or a stream sent once. */
async function prepareRead(body: unknown): Promise<PreparedBody> {
  const read = await materialize(body)
  if (read !== undefined) {
    const bytes = read.bytes as Uint8Array<ArrayBuffer>
    return fixed(bytes, bytes, read.contentType)
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
