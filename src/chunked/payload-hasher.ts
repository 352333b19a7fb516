// SHA-256 of a payload that arrives in pieces, for `sign({ payloadHash })` without holding the payload.
import { createHash, sha256Hex } from '#crypto'
import { InvalidInputError } from '../errors.js'
import { concat, toHex } from '../lib/hex.js'
import { typeOf } from '../sign/request.js'
import { asBytes } from './checksum.js'
import { openSource, type StreamSource } from './source.js'

/** An incremental SHA-256 of a request payload, from {@link createPayloadHasher}. */
export interface PayloadHasher {
  /** Adds a piece of the payload (strings are UTF-8). Returns the hasher, for chaining. */
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): this
  /** Lower-case hex SHA-256 of everything added: the `payloadHash` for `sign`. Call once. */
  digest(): Promise<string>
  /** Bytes added so far. */
  readonly length: number
}

/**
 * Starts an incremental SHA-256 of a payload, to sign a body that is never held in memory whole.
 *
 * @example
 * const hasher = createPayloadHasher()
 * for await (const chunk of source) hasher.update(chunk)
 * const signed = await sign({ ...request, payloadHash: await hasher.digest() })
 */
export function createPayloadHasher(): PayloadHasher {
  const hash = createHash('sha256')
  let length = 0
  let done = false
  return {
    update(data) {
      if (done) throw new InvalidInputError('hasher', 'cannot be updated after digest()')
      const bytes = asBytes(data)
      if (bytes === undefined) {
        throw new InvalidInputError('data', `must be a string, Uint8Array, ArrayBuffer or view, got ${typeOf(data)}`)
      }
      hash.update(bytes)
      length += bytes.length
      return this
    },
    async digest() {
      if (done) throw new InvalidInputError('hasher', 'digest() was already called')
      done = true
      return toHex(hash.digest())
    },
    get length() {
      return length
    },
  }
}

export interface HashPayloadOptions {
  /**
   * Also return the payload's bytes (one contiguous `Uint8Array`, copied once at the end, or the
   * source's own array when it gave a single piece).
   * @default false
   */
  keepBytes?: boolean | undefined
  /** Stops reading and releases the source; the promise rejects with a `StreamError` (`ERR_ABORTED`). */
  signal?: AbortSignal | undefined
}

export interface HashedPayload {
  /** Lower-case hex SHA-256: the `payloadHash` for `sign`. */
  hash: string
  /** Bytes read. */
  length: number
  /** The payload itself, with `keepBytes: true`. */
  bytes: Uint8Array | undefined
}

/**
 * Reads a stream to its end and returns its SHA-256 (and, with `keepBytes`, its bytes). Takes a
 * `ReadableStream`, a Node `Readable` or any (async) iterable of `Uint8Array` or string pieces.
 *
 * @example
 * const { hash, bytes } = await hashPayload(request.body, { keepBytes: true })
 * const signed = await sign({ ...options, payloadHash: hash })
 * await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: bytes })
 */
export async function hashPayload(
  source: StreamSource | AsyncIterable<string | Uint8Array>,
  options: HashPayloadOptions = {},
): Promise<HashedPayload> {
  const keep = options.keepBytes === true
  const signal = options.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidInputError('signal', `must be an AbortSignal, got ${typeOf(signal)}`)
  }
  const reader = openSource('source', source, { acceptStrings: true, signal })
  // Keeping the bytes: hash them once at the end, in one piece (WebCrypto's native digest is one-shot).
  const hash = keep ? undefined : createHash('sha256')
  const pieces: Uint8Array[] = []
  let length = 0
  try {
    for (;;) {
      const piece = await reader.read()
      if (piece === undefined) break
      length += piece.length
      if (hash === undefined) pieces.push(piece)
      else hash.update(piece)
    }
  } catch (error) {
    reader.release(error)
    throw error
  }
  if (hash !== undefined) return { hash: toHex(hash.digest()), length, bytes: undefined }
  const bytes = pieces.length === 1 ? (pieces[0] as Uint8Array) : concat(pieces, length)
  return { hash: await sha256Hex(bytes), length, bytes }
}
