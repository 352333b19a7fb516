// Verifying a signed event stream as a service receives it: each envelope's `:chunk-signature` is
// checked against the chain before its message is released, and the signed empty envelope must end it.
import { sha256Hex } from '#crypto'
import { abortError, openSource, type StreamSource } from '../chunked/source.js'
import { EventStreamError, InvalidInputError, VerificationError } from '../errors.js'
import { toHex } from '../lib/hex.js'
import { typeOf } from '../lib/type-of.js'
import { type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { createChain, type SignatureChain } from '../sign/chain.js'
import { toAmzDate } from '../sign/date.js'
import {
  createEventStreamDecoder,
  decodeEventMessage,
  type EventMessage,
  type EventStreamDecoderOptions,
  encodeHeader,
} from './codec.js'

export interface VerifyEventStreamOptions extends EventStreamDecoderOptions {
  /** @default sigv4 */
  algorithm?: SigningAlgorithm | undefined
  /** The signing key of the request's day, region and service (`algorithm.key(...)`). */
  key: unknown
  /** The request's credential scope (`20130524/us-east-1/transcribe/aws4_request`). */
  scope: string
  /** The request's signature: the chain starts from it. */
  seed: string
  /** The request's `x-amz-date`. Informational: each message is signed at its own `:date`. */
  amzDate?: string | undefined
  /**
   * The key for another day (`YYYYMMDD`), for a stream that runs past midnight UTC: messages are signed
   * with the key and scope of their own day. Without it, a message of another day fails verification.
   */
  keyForDay?: ((day: string) => unknown) | undefined
  /** Aborting stops reading and releases the source; iteration rejects with a `StreamError` (`ERR_ABORTED`). */
  signal?: AbortSignal | undefined
}

/** A message whose signature checked out, with the date it was signed at. */
export interface VerifiedEventMessage extends EventMessage {
  /** The envelope's `:date`. */
  date: Date
  /** The envelope's `:chunk-signature`, hex. */
  signature: string
}

const SCOPE = /^(\d{8})\/(.+)$/
const NO_BYTES = new Uint8Array(0)

/**
 * Verifies a signed event stream message by message, yielding each inner message only after its
 * signature checked out. Throws a `VerificationError`: `ERR_SIGNATURE_MISMATCH` (`chunk` = message
 * index) for a bad or missing signature, `ERR_INCOMPLETE_BODY` when the stream ends before the signed
 * empty envelope; an `EventStreamError` for bad framing.
 *
 * @example
 * const key = await sigv4.key(credentials, scope.slice(0, 8), region, service, null)
 * for await (const message of verifyEventStream(request.body, { key, scope, seed: signature })) handle(message)
 */
export async function* verifyEventStream(
  source: StreamSource,
  options: VerifyEventStreamOptions,
): AsyncGenerator<VerifiedEventMessage, void, undefined> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const { algorithm = sigv4, key, scope, seed, keyForDay, signal } = options
  const match = typeof scope === 'string' ? SCOPE.exec(scope) : null
  if (match === null) throw new InvalidInputError('scope', 'must be a credential scope: YYYYMMDD/.../aws4_request')
  if (typeof seed !== 'string' || !/^[0-9a-f]*$/.test(seed))
    throw new InvalidInputError('seed', 'must be a hex signature')
  if (keyForDay !== undefined && typeof keyForDay !== 'function') {
    throw new InvalidInputError('keyForDay', `must be a function, got ${typeOf(keyForDay)}`)
  }
  const scopeDay = match[1] as string
  const scopeRest = match[2] as string
  const decoder = createEventStreamDecoder(options)
  const reader = openSource('body', source, { signal })
  let chain: SignatureChain = createChain(algorithm, key, `${scopeDay}T000000Z`, scope, seed)
  let chainDay = scopeDay
  let index = 0
  let ended = false
  let done = false
  const mismatch = (problem: string) =>
    new VerificationError('ERR_SIGNATURE_MISMATCH', `event stream message ${index}: ${problem}`, { chunk: index })
  try {
    for (;;) {
      const chunk = await reader.read()
      if (chunk === undefined) break
      for (const envelope of decoder.push(chunk)) {
        if (ended) {
          throw new EventStreamError('ERR_EVENT_STREAM_MALFORMED', `message ${index} follows the end of the stream`, {
            index,
          })
        }
        const date = envelope.headers[':date']
        const signature = envelope.headers[':chunk-signature']
        if (!(date instanceof Date) || envelope.types[':date'] !== 'timestamp')
          throw mismatch('no :date timestamp header')
        if (!(signature instanceof Uint8Array)) throw mismatch('no :chunk-signature binary header')
        let amzDate: string
        try {
          amzDate = toAmzDate(date, ':date')
        } catch {
          throw mismatch('its :date is out of range')
        }
        const day = amzDate.slice(0, 8)
        if (day !== chainDay) {
          if (keyForDay === undefined) throw mismatch(`signed on ${day}, not on the request's day ${scopeDay}`)
          const previous = chain.previous
          chain = createChain(algorithm, await keyForDay(day), amzDate, `${day}/${scopeRest}`, previous)
          chainDay = day
        }
        let dateHash = sha256Hex(encodeHeader(':date', 'timestamp', date))
        if (typeof dateHash !== 'string') dateHash = await dateHash
        let payloadHash = sha256Hex(envelope.payload)
        if (typeof payloadHash !== 'string') payloadHash = await payloadHash
        const hex = toHex(signature)
        let ok = chain.verify('payload', `${dateHash}\n${payloadHash}`, hex, amzDate)
        if (typeof ok !== 'boolean') ok = await ok
        if (!ok) throw mismatch('the signature does not match')
        const current = index++
        if (envelope.payload.length === 0) {
          ended = true
          continue
        }
        const inner = decodeEventMessage(envelope.payload, current)
        yield { headers: inner.headers, types: inner.types, payload: inner.payload, date, signature: hex }
      }
      // A bad envelope after those: its error now, not when (if ever) the next piece arrives.
      decoder.push(NO_BYTES)
    }
    if (signal?.aborted) throw abortError(signal)
    decoder.end()
    if (!ended) {
      throw new VerificationError(
        'ERR_INCOMPLETE_BODY',
        `the event stream ended after ${index} messages without its signed empty end message`,
        { chunk: index },
      )
    }
    done = true
  } finally {
    if (!done) reader.release()
  }
}
