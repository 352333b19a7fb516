// Signing event streams sent to AWS (Transcribe streaming, Lex, Bedrock bidirectional streams): each
// message goes inside an envelope carrying `:date` and `:chunk-signature`, chained from the request's
// signature, and a signed empty envelope ends the stream.
// https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
import { sha256Hex } from '#crypto'
import { abortError, untilAborted } from '../chunked/source.js'
import { InvalidInputError, StreamError } from '../errors.js'
import { typeOf } from '../lib/type-of.js'
import { credentialScope, type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { createChain, type SignatureChain } from '../sign/chain.js'
import { streamingEvents } from '../sign/constants.js'
import { toAmzDate } from '../sign/date.js'
import { defaultKeyCache, type SigningKeyCache } from '../sign/key-cache.js'
import { resolveCredentials, sign } from '../sign/sign.js'
import type { Credentials, SignedRequest, SignOptions } from '../sign/types.js'
import { type EventMessageInput, encodeEventMessage, encodeHeader, signedEnvelope, wholeMessageCrc } from './codec.js'

/** Options of {@link createEventSigner}. */
export interface EventSignerOptions {
  credentials: Credentials
  /** The region of the request's scope (not used by region-set algorithms such as SigV4a). */
  region?: string | undefined
  service: string
  /** The signature the chain starts from: the request's (its `Authorization` `Signature=`, or a presigned URL's `X-Amz-Signature`). */
  seed: string
  /** @default sigv4 */
  algorithm?: SigningAlgorithm | undefined
  /** Where derived signing keys are cached; `null` disables caching. @default defaultKeyCache */
  keyCache?: SigningKeyCache | null | undefined
}

/** Signs the messages of one stream in order, from {@link createEventSigner}. */
export interface EventSigner {
  /**
   * The envelope of one message (a message to encode, or one already encoded), signed at `date`
   * (default now; `:date` keeps whole seconds). Synchronous where the crypto backend is (node:crypto).
   */
  sign(message: EventMessageInput | Uint8Array, date?: Date): Uint8Array | Promise<Uint8Array>
  /** The signed empty envelope that ends the stream. */
  end(date?: Date): Uint8Array | Promise<Uint8Array>
  /** The last signature (hex): the seed until a message is signed. */
  readonly previous: string
}

const EMPTY: Uint8Array = new Uint8Array(0)

const after = <T, U>(value: T | Promise<T>, then: (value: T) => U | Promise<U>): U | Promise<U> =>
  value instanceof Promise ? value.then(then) : then(value as T)

function checkPart(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+$/.test(value)) {
    throw new InvalidInputError(
      field,
      `must be a non-empty name of letters, digits, "-", "_" or ".", got ${typeOf(value)}`,
    )
  }
  return value
}

/**
 * A message signer for a stream whose request (or presigned URL, for WebSockets) is already signed.
 * The string to sign of each message is `AWS4-HMAC-SHA256-PAYLOAD`, its date, the scope, the previous
 * signature, the SHA-256 of its encoded `:date` header and the SHA-256 of the message bytes; the scope
 * and key follow the message's own day.
 */
export function createEventSigner(options: EventSignerOptions): EventSigner {
  const { credentials, seed, algorithm = sigv4 } = options
  if (credentials === null || typeof credentials !== 'object') {
    throw new InvalidInputError('credentials', `must be an object, got ${typeOf(credentials)}`)
  }
  if (typeof credentials.secretAccessKey !== 'string' || credentials.secretAccessKey === '') {
    throw new InvalidInputError('credentials.secretAccessKey', 'must be a non-empty string')
  }
  // A region-set algorithm (SigV4a) has no region in its scope.
  const region = algorithm.regionSet ? (options.region ?? '') : checkPart('region', options.region)
  const service = checkPart('service', options.service)
  if (typeof seed !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(seed)) {
    throw new InvalidInputError('seed', 'must be a lower-case hex signature')
  }
  const keyCache = options.keyCache === undefined ? defaultKeyCache : options.keyCache

  let chain: SignatureChain | undefined
  let chainDay = ''
  let previous = seed
  // The `:date` header, its hash and the x-amz-date of the last second signed: most messages share one.
  let lastSecond = Number.NaN
  let dateHeader = EMPTY
  let dateHash = ''
  let amzDate = ''
  let day = ''

  const chainFor = (day: string): SignatureChain | Promise<SignatureChain> => {
    if (chain !== undefined && day === chainDay) return chain
    return after(algorithm.key(credentials, day, region, service, keyCache), (key) => {
      chain = createChain(algorithm, key, `${day}T000000Z`, credentialScope(algorithm, day, region, service), previous)
      chainDay = day
      return chain
    })
  }

  /** `innerCrc`: the CRC-32 of `inner` when known (messages encoded here), to spare a pass over it. */
  const signFramed = (
    inner: Uint8Array,
    date: Date | undefined,
    innerCrc?: number,
  ): Uint8Array | Promise<Uint8Array> => {
    const when = date ?? new Date()
    if (!(when instanceof Date)) throw new InvalidInputError('date', `must be a Date, got ${typeOf(when)}`)
    const second = Math.floor(when.getTime() / 1000) * 1000
    if (second !== lastSecond) {
      const at = new Date(second)
      amzDate = toAmzDate(at)
      day = amzDate.slice(0, 8)
      dateHeader = encodeHeader(':date', 'timestamp', at)
      const hash = sha256Hex(dateHeader)
      if (typeof hash !== 'string') {
        lastSecond = Number.NaN
        return hash.then((h) => {
          dateHash = h
          lastSecond = second
          return signFramed(inner, when, innerCrc)
        })
      }
      dateHash = hash
      lastSecond = second
    }
    const header = dateHeader
    const at = amzDate
    const payloadHash = sha256Hex(inner)
    const c = chainFor(day)
    // node:crypto: all synchronous, no promise and no closure per message.
    if (typeof payloadHash === 'string' && !(c instanceof Promise)) {
      const signature = c.sign('payload', `${dateHash}\n${payloadHash}`, at)
      if (typeof signature === 'string') {
        previous = signature
        return signedEnvelope(header, signature, inner, innerCrc)
      }
      return signature.then((s) => {
        previous = s
        return signedEnvelope(header, s, inner, innerCrc)
      })
    }
    return (async () => {
      const chain = await c
      const signature = await chain.sign('payload', `${dateHash}\n${await payloadHash}`, at)
      previous = signature
      return signedEnvelope(header, signature, inner, innerCrc)
    })()
  }

  // Messages are signed in call order even when a step is asynchronous (the first key derivation,
  // WebCrypto): a call made while another is pending waits for it, so each signs over the one before.
  let pending: Promise<unknown> | undefined
  const inOrder = (inner: Uint8Array, date: Date | undefined, innerCrc?: number): Uint8Array | Promise<Uint8Array> => {
    let result: Uint8Array | Promise<Uint8Array>
    if (pending === undefined) result = signFramed(inner, date, innerCrc)
    else {
      const go = () => signFramed(inner, date, innerCrc)
      result = pending.then(go, go)
    }
    if (result instanceof Promise) {
      const mine = result
      pending = mine
      const settle = () => {
        if (pending === mine) pending = undefined
      }
      mine.then(settle, settle)
    }
    return result
  }

  return {
    get previous() {
      return previous
    },
    sign(message, date) {
      if (message instanceof Uint8Array) return inOrder(message, date)
      const inner = encodeEventMessage(message)
      return inOrder(inner, date, wholeMessageCrc(inner))
    },
    end(date) {
      return inOrder(EMPTY, date, 0)
    },
  }
}

/** Reads messages one at a time from a ReadableStream, an AsyncIterable or an Iterable. */
function openMessages(messages: object, signal: AbortSignal | undefined) {
  let next: () => Promise<IteratorResult<unknown>>
  let stop: (reason: unknown) => unknown
  if (typeof (messages as ReadableStream).getReader === 'function') {
    const reader = (messages as ReadableStream).getReader()
    next = () => reader.read() as Promise<IteratorResult<unknown>>
    stop = (reason) => reader.cancel(reason)
  } else {
    const iterator =
      Symbol.asyncIterator in messages
        ? (messages as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (messages as Iterable<unknown>)[Symbol.iterator]()
    next = async () => iterator.next()
    stop = () => iterator.return?.()
  }
  let done = false
  return {
    async read(): Promise<IteratorResult<unknown>> {
      const result = await untilAborted(next(), signal)
      if (result.done) done = true
      return result
    },
    release(reason?: unknown) {
      if (done) return
      done = true
      try {
        Promise.resolve(stop(reason)).catch(() => {})
      } catch {}
    },
  }
}

/** Options of {@link signEventStream}: those of `sign` (no body), the messages and a clock. */
export interface SignEventStreamOptions extends Omit<SignOptions, 'body' | 'payloadHash' | 'contentHashHeader'> {
  /**
   * The messages to send, in order: messages to encode (`{ headers, payload }`) or encoded ones. An
   * `AsyncIterable` (an async generator) or a `ReadableStream` is read as the body is sent, so the
   * stream can be live (audio from a microphone).
   */
  messages:
    | AsyncIterable<EventMessageInput | Uint8Array>
    | Iterable<EventMessageInput | Uint8Array>
    | ReadableStream<EventMessageInput | Uint8Array>
  /** The clock that dates each message. @default () => new Date() */
  now?: (() => Date) | undefined
  /** Aborting ends the body with a `StreamError` (`ERR_ABORTED`) and stops reading `messages`. */
  signal?: AbortSignal | undefined
}

/**
 * A signed event-stream request: send `body` with `headers` to `url`. `payloadHash` is
 * `STREAMING-AWS4-HMAC-SHA256-EVENTS` (also in `headers['x-amz-content-sha256']`), `amzDate` the request's date.
 */
export interface SignedEventStream extends SignedRequest {
  /** The signed envelopes, then the signed empty one. With fetch, pass `duplex: 'half'`. */
  body: ReadableStream<Uint8Array>
}

/**
 * Signs a streaming request: the request itself with `x-amz-content-sha256:
 * STREAMING-AWS4-HMAC-SHA256-EVENTS`, and a body that signs each message as it is read.
 *
 * @example
 * const { url, headers, body } = await signEventStream({ method: 'POST', url, service: 'transcribe',
 *   region, credentials, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, messages: audioEvents() })
 * await fetch(url, { method: 'POST', headers, body, duplex: 'half' })
 */
export async function signEventStream(options: SignEventStreamOptions): Promise<SignedEventStream> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const { messages, now = () => new Date(), signal, credentials, region, service, keyCache } = options
  // A ReadableStream is read through its reader: Safari's has no Symbol.asyncIterator.
  if (
    messages === null ||
    typeof messages !== 'object' ||
    !(
      Symbol.asyncIterator in messages ||
      Symbol.iterator in messages ||
      typeof (messages as ReadableStream).getReader === 'function'
    )
  ) {
    throw new InvalidInputError(
      'messages',
      `must be an AsyncIterable, Iterable or ReadableStream of messages, got ${typeOf(messages)}`,
    )
  }
  if (typeof now !== 'function') throw new InvalidInputError('now', `must be a function, got ${typeOf(now)}`)
  const { messages: _m, now: _n, signal: _s, ...request } = options
  const algorithm = options.algorithm ?? sigv4
  // Resolved once: the request and every message are signed with the same credentials.
  const resolved = typeof credentials === 'function' ? await resolveCredentials(credentials) : credentials
  const signed = await sign({
    ...request,
    credentials: resolved,
    payloadHash: streamingEvents(algorithm.id),
    contentHashHeader: true,
  })
  const signer = createEventSigner({
    credentials: resolved,
    region: region ?? '',
    service,
    seed: signed.signature,
    keyCache,
    algorithm,
  })
  // Messages are read one at a time, as the body is pulled: nothing is buffered ahead of the sender.
  const reader = openMessages(messages, signal)
  let ended = false
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) return
      let message: IteratorResult<unknown>
      try {
        message = await reader.read()
      } catch (cause) {
        ended = true
        // An abort leaves the source waiting: stop it (a microphone, a ReadableStream that stays locked).
        if (signal?.aborted) reader.release(signal.reason)
        controller.error(
          signal?.aborted
            ? abortError(signal)
            : new StreamError('ERR_BODY_SOURCE', 'messages: the source failed', { cause }),
        )
        return
      }
      try {
        if (message.done) {
          ended = true
          controller.enqueue(await signer.end(now()))
          controller.close()
          return
        }
        controller.enqueue(await signer.sign(message.value as EventMessageInput | Uint8Array, now()))
      } catch (cause) {
        ended = true
        reader.release(cause)
        controller.error(
          cause instanceof InvalidInputError
            ? new StreamError('ERR_BODY_SOURCE', `messages: a message could not be encoded: ${cause.message}`, {
                cause,
              })
            : cause,
        )
      }
    },
    cancel(reason) {
      ended = true
      reader.release(reason)
    },
  })
  return { ...signed, body }
}
