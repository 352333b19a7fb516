// One way to pull pieces from every kind of streaming body, and to let go of it early.
import { InvalidInputError, StreamError } from '../errors.js'
import { untilAborted as waitUnlessAborted } from '../lib/abort.js'
import { typeOf } from '../sign/request.js'

/**
 * A body that arrives in pieces: a web `ReadableStream`, any `AsyncIterable` (a Node `Readable`, an
 * async generator), an `Iterable` of byte arrays, or a single `Uint8Array`.
 */
export type StreamSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array

export interface PieceReader {
  /**
   * The next non-empty piece, or `undefined` at the end. Rejects with a {@link StreamError}:
   * `ERR_BODY_SOURCE` when the source throws or gives something that is not bytes, `ERR_ABORTED`
   * when the signal fires (the source is then released, even if it never answers).
   */
  read(): Promise<Uint8Array | undefined>
  /** Stops the source (cancels the stream, returns the iterator, destroys the Readable). Never throws. */
  release(reason?: unknown): void
}

const encoder = new TextEncoder()
const noop = () => {}

export interface OpenSourceOptions {
  /** Take string pieces as UTF-8 (a Node Readable with an encoding set gives strings). */
  acceptStrings?: boolean
  signal?: AbortSignal | undefined
}

/** A {@link StreamError} for an abort, with the signal's reason as the cause. */
export const abortError = (signal: AbortSignal) =>
  new StreamError('ERR_ABORTED', 'the operation was aborted', { cause: signal.reason })

/** Waits for `promise`, or rejects with `ERR_ABORTED` as soon as `signal` fires (see lib/abort.ts). */
export const untilAborted = <T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> =>
  waitUnlessAborted(promise, signal, abortError)

/** Validates `body` at once (so that signing fails before any work) and returns a reader over it. */
export function openSource(field: string, body: unknown, options: OpenSourceOptions = {}): PieceReader {
  const { acceptStrings = false, signal } = options
  if (body instanceof Uint8Array) {
    let given = false
    return {
      read: async () => {
        if (signal?.aborted) throw abortError(signal)
        if (given || body.length === 0) return undefined
        given = true
        return body
      },
      release: noop,
    }
  }
  let next: () => Promise<{ done?: boolean | undefined; value?: unknown }>
  let stop: (reason: unknown) => unknown
  if (body !== null && typeof body === 'object' && typeof (body as ReadableStream).getReader === 'function') {
    let reader: ReadableStreamDefaultReader<unknown>
    try {
      reader = (body as ReadableStream).getReader()
    } catch (cause) {
      throw new InvalidInputError(field, 'is a ReadableStream that is locked or already read', { cause })
    }
    next = () => reader.read()
    stop = (reason) => reader.cancel(reason)
  } else if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
    const iterator = (body as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    next = () => iterator.next()
    stop = () => iterator.return?.()
  } else if (body !== null && typeof body === 'object' && Symbol.iterator in body) {
    const iterator = (body as Iterable<unknown>)[Symbol.iterator]()
    next = async () => iterator.next()
    stop = () => iterator.return?.()
  } else {
    throw new InvalidInputError(
      field,
      `must be a ReadableStream, an AsyncIterable (such as a Node Readable), an Iterable of Uint8Array or a Uint8Array, got ${typeOf(body)}`,
    )
  }

  let finished = false
  const reader: PieceReader = {
    async read() {
      for (;;) {
        let result: { done?: boolean | undefined; value?: unknown }
        try {
          result = await untilAborted(next(), signal)
        } catch (cause) {
          if (signal?.aborted) {
            reader.release(signal.reason)
            throw abortError(signal)
          }
          finished = true
          throw new StreamError('ERR_BODY_SOURCE', `${field}: the source failed`, { cause })
        }
        if (result.done) {
          finished = true
          return undefined
        }
        const value = result.value
        let bytes: Uint8Array
        if (value instanceof Uint8Array) bytes = value
        else if (acceptStrings && typeof value === 'string') bytes = encoder.encode(value)
        else {
          throw new StreamError(
            'ERR_BODY_SOURCE',
            `${field}: the source gave a ${typeOf(value)}, expected Uint8Array${acceptStrings ? ' or string' : ''} pieces`,
          )
        }
        if (bytes.length > 0) return bytes
      }
    },
    release(reason) {
      if (finished) return
      finished = true
      try {
        Promise.resolve(stop(reason)).catch(noop)
      } catch {}
    },
  }
  return reader
}
