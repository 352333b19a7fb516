// The `application/vnd.amazon.eventstream` framing: encoding one message, and decoding a byte stream
// cut at arbitrary places into messages, in memory bounded by the largest message.
// https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html
// https://github.com/awslabs/aws-c-event-stream (the reference: limits, header types)
//
// A message: total length (u32), headers length (u32), prelude CRC-32 (of the 8 bytes before),
// headers, payload, message CRC-32 (of everything before it). Big-endian throughout.
import { nativeCrc32 } from '#crypto'
import { crc32Combine, crc32 as jsCrc32 } from '../chunked/crc.js'
import { EventStreamError, InvalidInputError } from '../errors.js'
import { fromHex, toHex } from '../lib/hex.js'
import { typeOf } from '../lib/type-of.js'

/** The ten header value types of the format, by the names the AWS SDKs use. */
export type EventHeaderType =
  | 'boolean'
  | 'byte'
  | 'short'
  | 'integer'
  | 'long'
  | 'binary'
  | 'string'
  | 'timestamp'
  | 'uuid'

/**
 * A header value as decoded: `boolean`; `number` for byte, short and integer; `bigint` for long;
 * `Uint8Array` for binary; `string` for string and uuid (`01020304-0506-...`); `Date` for timestamp.
 */
export type EventHeaderValue = boolean | number | bigint | Uint8Array | string | Date

/** A header value with its type spelled out, for the types a plain value does not imply (byte, short, long, uuid). */
export interface TypedEventHeader {
  type: EventHeaderType
  value: EventHeaderValue
}

/** Headers to encode: a plain value implies its type (string, boolean, integer for a number, long for a bigint, binary, timestamp). */
export type EventHeadersInput = Readonly<Record<string, EventHeaderValue | TypedEventHeader>>

/** A message to encode. */
export interface EventMessageInput {
  /** In order of insertion; names are at most 255 bytes of UTF-8. @default {} */
  headers?: EventHeadersInput | undefined
  /**
   * The type of each header whose plain value does not say it (a decoded message's `types`, so that
   * decoding then encoding gives back the same bytes).
   */
  types?: Readonly<Record<string, EventHeaderType>> | undefined
  /** The payload; a string is UTF-8. @default empty */
  payload?: Uint8Array | string | undefined
}

/** A decoded message. */
export interface EventMessage {
  /** Header values by name, in the order they came (a repeated name keeps its last value). */
  headers: Record<string, EventHeaderValue>
  /** The type of every header, by name. */
  readonly types: Record<string, EventHeaderType>
  /** The payload (a view into the bytes received: copy it to keep it past the next message if the source reuses buffers). */
  payload: Uint8Array
}

/** Largest message accepted by default (aws-c-event-stream's limit): 16 MiB. */
export const MAX_MESSAGE_SIZE = 16 * 1024 * 1024
/** Largest headers block (aws-c-event-stream's limit): 128 KiB. */
export const MAX_HEADERS_SIZE = 128 * 1024
const PRELUDE = 12
const MIN_MESSAGE = 16
/** The first buffer of a message that spans pieces; larger messages grow it as their bytes arrive. */
const FIRST_BUFFER = 128 * 1024

const TYPE_IDS: Readonly<Record<EventHeaderType, number>> = {
  boolean: 0, // 0 = true, 1 = false
  byte: 2,
  short: 3,
  integer: 4,
  long: 5,
  binary: 6,
  string: 7,
  timestamp: 8,
  uuid: 9,
}
const TYPE_NAMES: readonly EventHeaderType[] = [
  'boolean',
  'boolean',
  'byte',
  'short',
  'integer',
  'long',
  'binary',
  'string',
  'timestamp',
  'uuid',
]

type Crc = (data: Uint8Array, crc: number) => number
let crcFn: Crc | undefined
/** CRC-32 of `data` continuing from `crc`: the runtime's native one where it has it. */
export function crc32(data: Uint8Array, crc = 0): number {
  crcFn ??= nativeCrc32() ?? jsCrc32
  return crcFn(data, crc)
}

// Below this many bytes a native call (and the subarray it needs) costs more than the work.
const SHORT_CRC = 256
/** CRC-32 of `b[start..end)` continuing from `crc`. */
function crcRange(b: Uint8Array, start: number, end: number, crc = 0): number {
  return end - start < SHORT_CRC ? jsCrc32(b.subarray(start, end), crc) : crc32(b.subarray(start, end), crc)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: false })

const u32 = (b: Uint8Array, i: number) =>
  (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0

function putU32(b: Uint8Array, i: number, v: number) {
  b[i] = v >>> 24
  b[i + 1] = v >>> 16
  b[i + 2] = v >>> 8
  b[i + 3] = v
}

/**
 * Text of `b[start..end)`. Short ASCII (header names, event types, content types) comes from `cache`
 * when the same bytes were seen before: one stream repeats the same few names, and reusing the string
 * saves building it and, for names, V8 re-hashing it as a property key.
 */
const CACHE_SLOTS = 128
function text(b: Uint8Array, start: number, end: number, cache: (string | undefined)[] | undefined): string {
  const length = end - start
  if (length > 64) return decoder.decode(b.subarray(start, end))
  let slot = 0
  if (cache !== undefined) {
    let h = length
    for (let i = start; i < end; i++) h = (Math.imul(h, 31) + (b[i] as number)) | 0
    slot = (h ^ (h >>> 7)) & (CACHE_SLOTS - 1)
  }
  const cached = cache?.[slot]
  if (cached !== undefined && cached.length === length) {
    let same = true
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== b[start + i]) {
        same = false
        break
      }
    }
    if (same) return cached
  }
  let out = ''
  for (let i = start; i < end; i++) {
    const c = b[i] as number
    if (c > 0x7f) return decoder.decode(b.subarray(start, end))
    out += String.fromCharCode(c)
  }
  if (cache !== undefined) {
    // The internalized copy (what a property key becomes): later stores with it skip V8's string table.
    out = Object.keys({ [out]: 0 })[0] as string
    cache[slot] = out
  }
  return out
}

function uuidText(b: Uint8Array, p: number): string {
  const hex = toHex(b.subarray(p, p + 16))
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/

function setHeader(out: Record<string, unknown>, name: string, value: unknown) {
  // A plain assignment to `__proto__` would set the prototype instead of a header.
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true })
  else out[name] = value
}

/**
 * Parses the headers block `b[start..end)` into `headers` (values) or `types`. Throws
 * `ERR_EVENT_STREAM_MALFORMED` for a header cut short, `ERR_EVENT_STREAM_HEADER_TYPE` for an unknown type.
 */
function parseHeaders(
  b: Uint8Array,
  start: number,
  end: number,
  headers: Record<string, EventHeaderValue> | undefined,
  types: Record<string, EventHeaderType> | undefined,
  cache: (string | undefined)[] | undefined,
): void {
  let p = start
  while (p < end) {
    const nameLength = b[p] as number
    p++
    if (nameLength === 0 || p + nameLength + 1 > end) throw malformed('a header name is empty or cut short')
    const name = text(b, p, p + nameLength, cache)
    p += nameLength
    const type = b[p] as number
    p++
    let value: EventHeaderValue
    switch (type) {
      case 0:
        value = true
        break
      case 1:
        value = false
        break
      case 2:
        if (p + 1 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        value = ((b[p] as number) << 24) >> 24
        p += 1
        break
      case 3:
        if (p + 2 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        value = ((((b[p] as number) << 8) | (b[p + 1] as number)) << 16) >> 16
        p += 2
        break
      case 4:
        if (p + 4 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        value = u32(b, p) | 0
        p += 4
        break
      case 5:
        if (p + 8 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        value = (BigInt(u32(b, p) | 0) << 32n) | BigInt(u32(b, p + 4))
        p += 8
        break
      case 8:
        if (p + 8 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        // Milliseconds fit a double exactly up to 2^53: any date a Date can hold.
        value = new Date((u32(b, p) | 0) * 0x100000000 + u32(b, p + 4))
        p += 8
        break
      case 6:
      case 7: {
        if (p + 2 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        const length = ((b[p] as number) << 8) | (b[p + 1] as number)
        p += 2
        if (p + length > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        value = type === 6 ? b.subarray(p, p + length) : text(b, p, p + length, cache)
        p += length
        break
      }
      case 9:
        if (p + 16 > end) throw malformed(`header ${JSON.stringify(name)} is cut short`)
        value = uuidText(b, p)
        p += 16
        break
      default:
        throw new EventStreamError(
          'ERR_EVENT_STREAM_HEADER_TYPE',
          `header ${JSON.stringify(name)} has type ${type}, which is not one of the ten the format defines (0-9)`,
        )
    }
    if (headers !== undefined) setHeader(headers, name, value)
    if (types !== undefined) setHeader(types, name, TYPE_NAMES[type] as EventHeaderType)
  }
}

/** A decoded message; `types` is read from the header bytes on first use (most readers never ask). */
class DecodedMessage implements EventMessage {
  readonly headers: Record<string, EventHeaderValue>
  readonly payload: Uint8Array
  #block: Uint8Array | undefined
  #start: number
  #end: number
  #types: Record<string, EventHeaderType> | undefined
  constructor(
    headers: Record<string, EventHeaderValue>,
    payload: Uint8Array,
    block: Uint8Array,
    start: number,
    end: number,
  ) {
    this.headers = headers
    this.payload = payload
    this.#block = block
    this.#start = start
    this.#end = end
  }
  get types(): Record<string, EventHeaderType> {
    if (this.#types === undefined) {
      const types: Record<string, EventHeaderType> = {}
      parseHeaders(this.#block as Uint8Array, this.#start, this.#end, undefined, types, undefined)
      this.#types = types
      this.#block = undefined
    }
    return this.#types
  }
}

const malformed = (problem: string) => new EventStreamError('ERR_EVENT_STREAM_MALFORMED', problem)

/** A header type from a plain value, or `undefined` when it implies none. */
function impliedType(value: unknown): EventHeaderType | undefined {
  switch (typeof value) {
    case 'string':
      return 'string'
    case 'boolean':
      return 'boolean'
    case 'number':
      return 'integer'
    case 'bigint':
      return 'long'
    default:
      if (value instanceof Uint8Array) return 'binary'
      if (value instanceof Date) return 'timestamp'
      return undefined
  }
}

/** Grows `scratch` as needed; reused across calls, so encoding allocates only the message itself. */
let scratch = new Uint8Array(1024)
function room(p: number, more: number) {
  if (p + more > scratch.length) {
    const larger = new Uint8Array(Math.max(scratch.length * 2, p + more))
    larger.set(scratch.subarray(0, p))
    scratch = larger
  }
}

function integerIn(field: string, value: unknown, bits: number): number {
  const limit = 2 ** (bits - 1)
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -limit || value >= limit) {
    throw new InvalidInputError(field, `must be an integer from ${-limit} to ${limit - 1}, got ${describe(value)}`)
  }
  return value
}

const describe = (value: unknown) =>
  typeof value === 'number' || typeof value === 'bigint' ? String(value) : typeOf(value)

/**
 * Writes `text` at `p` in `scratch` if it is all ASCII (room already made) and returns its length, else
 * -1: short ASCII names and values without a TextEncoder call.
 */
function writeAscii(text: string, p: number): number {
  const s = scratch
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0x7f) return -1
    s[p + i] = c
  }
  return text.length
}

/** Writes one header at `p` in `scratch`; returns the new end. */
function writeHeader(p: number, name: string, type: EventHeaderType, value: unknown): number {
  const field = `headers[${JSON.stringify(name)}]`
  room(p, 256 + 3)
  let nameLength = name.length <= 255 ? writeAscii(name, p + 1) : -1
  let read = name.length
  if (nameLength < 0) ({ read, written: nameLength } = encoder.encodeInto(name, scratch.subarray(p + 1, p + 256)))
  if (nameLength === 0 || read !== name.length) {
    throw new InvalidInputError(field, 'the header name must be 1 to 255 bytes of UTF-8')
  }
  scratch[p] = nameLength
  p += 1 + nameLength
  room(p, 17)
  const s = scratch
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidInputError(field, `must be a boolean, got ${typeOf(value)}`)
      s[p++] = value ? 0 : 1
      return p
    case 'byte':
      s[p++] = 2
      s[p++] = integerIn(field, value, 8)
      return p
    case 'short': {
      const v = integerIn(field, value, 16)
      s[p++] = 3
      s[p++] = v >> 8
      s[p++] = v
      return p
    }
    case 'integer':
      s[p++] = 4
      putU32(s, p, integerIn(field, value, 32))
      return p + 4
    case 'long':
    case 'timestamp': {
      let big: bigint
      if (type === 'timestamp') {
        const ms = value instanceof Date ? value.getTime() : value
        if (typeof ms !== 'number' || !Number.isInteger(ms)) {
          throw new InvalidInputError(field, `must be a valid Date (or milliseconds), got ${typeOf(value)}`)
        }
        big = BigInt(ms)
      } else if (typeof value === 'bigint') big = value
      else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value)
      else throw new InvalidInputError(field, `must be a bigint or a safe integer, got ${describe(value)}`)
      if (big < -(2n ** 63n) || big >= 2n ** 63n) throw new InvalidInputError(field, 'must fit in 64 signed bits')
      s[p++] = TYPE_IDS[type]
      putU32(s, p, Number((big >> 32n) & 0xffffffffn))
      putU32(s, p + 4, Number(big & 0xffffffffn))
      return p + 8
    }
    case 'binary':
    case 'string': {
      let bytes: Uint8Array
      if (type === 'binary') {
        if (!(value instanceof Uint8Array))
          throw new InvalidInputError(field, `must be a Uint8Array, got ${typeOf(value)}`)
        bytes = value
      } else {
        if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeOf(value)}`)
        if (value.length <= 1024) {
          room(p, 3 + value.length)
          const length = writeAscii(value, p + 3)
          if (length >= 0) {
            scratch[p] = 7
            scratch[p + 1] = length >>> 8
            scratch[p + 2] = length
            return p + 3 + length
          }
        }
        bytes = encoder.encode(value)
      }
      if (bytes.length > 0xffff) throw new InvalidInputError(field, 'must be at most 65535 bytes')
      room(p, 3 + bytes.length)
      scratch[p++] = TYPE_IDS[type]
      scratch[p++] = bytes.length >>> 8
      scratch[p++] = bytes.length
      scratch.set(bytes, p)
      return p + bytes.length
    }
    case 'uuid': {
      let bytes: Uint8Array
      if (value instanceof Uint8Array && value.length === 16) bytes = value
      else if (typeof value === 'string' && UUID.test(value)) {
        bytes = fromHex(value.replaceAll('-', ''))
      } else throw new InvalidInputError(field, 'must be a UUID string or 16 bytes')
      s[p++] = 9
      s.set(bytes, p)
      return p + 16
    }
    default:
      throw new InvalidInputError(`types[${JSON.stringify(name)}]`, `is not a header type: ${describe(type)}`)
  }
}

/** The encoded headers block of `headers`, in `scratch[0..returned)`. */
function writeHeaders(headers: EventHeadersInput, types: Readonly<Record<string, EventHeaderType>> | undefined) {
  let p = 0
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue
    const given = headers[name]
    let type: EventHeaderType | undefined
    let value: unknown = given
    if (given !== null && typeof given === 'object' && !(given instanceof Uint8Array) && !(given instanceof Date)) {
      type = (given as TypedEventHeader).type
      value = (given as TypedEventHeader).value
    } else type = (types !== undefined && Object.hasOwn(types, name) ? types[name] : undefined) ?? impliedType(given)
    if (type === undefined) {
      throw new InvalidInputError(`headers[${JSON.stringify(name)}]`, `has no header type for ${typeOf(given)}`)
    }
    p = writeHeader(p, name, type, value)
  }
  if (p > MAX_HEADERS_SIZE) throw new InvalidInputError('headers', `must encode to at most ${MAX_HEADERS_SIZE} bytes`)
  return p
}

/** The bytes of one header alone (`:date` for event signing). */
export function encodeHeader(name: string, type: EventHeaderType, value: EventHeaderValue): Uint8Array {
  return scratch.slice(0, writeHeader(0, name, type, value))
}

/**
 * A signed envelope: the `:date` header block (encoded), a `:chunk-signature` header of the hex
 * `signature`'s bytes, and `payload`; built in one allocation.
 */
export function signedEnvelope(
  dateHeader: Uint8Array,
  signature: string,
  payload: Uint8Array,
  payloadCrc?: number,
): Uint8Array {
  const sigLength = signature.length >>> 1
  const headersLength = dateHeader.length + 1 + CHUNK_SIGNATURE.length + 3 + sigLength
  const total = PRELUDE + headersLength + payload.length + 4
  if (total > MAX_MESSAGE_SIZE) {
    throw new InvalidInputError('payload', `the signed message must be at most ${MAX_MESSAGE_SIZE} bytes (16 MiB)`)
  }
  const out = new Uint8Array(total)
  putU32(out, 0, total)
  putU32(out, 4, headersLength)
  putU32(out, 8, crcRange(out, 0, 8))
  out.set(dateHeader, PRELUDE)
  let p = PRELUDE + dateHeader.length
  out[p++] = CHUNK_SIGNATURE.length
  out.set(CHUNK_SIGNATURE, p)
  p += CHUNK_SIGNATURE.length
  out[p++] = 6 // binary
  out[p++] = sigLength >>> 8
  out[p++] = sigLength
  for (let k = 0; k < signature.length; k += 2) out[p++] = (hexDigit(signature, k) << 4) | hexDigit(signature, k + 1)
  out.set(payload, p)
  // With the payload's CRC known, combine it with the prefix's instead of reading the payload again.
  // (Below about 1 KiB reading the payload again is cheaper than the combination.)
  const crc =
    payloadCrc === undefined || payload.length < 1024
      ? crcRange(out, 8, total - 4, u32(out, 8))
      : crc32Combine(crcRange(out, 8, p, u32(out, 8)), payloadCrc, payload.length)
  putU32(out, total - 4, crc)
  return out
}

/**
 * The CRC-32 of a whole encoded message, its own CRC bytes included, from the CRC it carries (which
 * covers the bytes before it): valid for messages this module encoded.
 */
export function wholeMessageCrc(message: Uint8Array): number {
  const n = message.length
  return jsCrc32(message.subarray(n - 4), u32(message, n - 4))
}

const CHUNK_SIGNATURE = encoder.encode(':chunk-signature')
// Value of each hex digit by character code (lower- and upper-case).
const HEX_VALUES = new Uint8Array(128)
for (let i = 0; i < 16; i++) {
  HEX_VALUES[i.toString(16).charCodeAt(0)] = i
  HEX_VALUES[i.toString(16).toUpperCase().charCodeAt(0)] = i
}
const hexDigit = (text: string, i: number): number => HEX_VALUES[text.charCodeAt(i) & 0x7f] as number

/**
 * Encodes one message: prelude, headers, payload, CRCs.
 *
 * @example
 * const bytes = encodeEventMessage({ headers: { ':event-type': 'AudioEvent', ':message-type': 'event' }, payload: pcm })
 */
export function encodeEventMessage(message: EventMessageInput): Uint8Array {
  if (message === null || typeof message !== 'object') {
    throw new InvalidInputError('message', `must be an object, got ${typeOf(message)}`)
  }
  const { headers = {}, types, payload = new Uint8Array(0) } = message
  if (headers === null || typeof headers !== 'object') {
    throw new InvalidInputError('headers', `must be an object, got ${typeOf(headers)}`)
  }
  let body: Uint8Array
  if (typeof payload === 'string') body = encoder.encode(payload)
  else if (payload instanceof Uint8Array) body = payload
  else throw new InvalidInputError('payload', `must be a Uint8Array or a string, got ${typeOf(payload)}`)
  const length = writeHeaders(headers, types)
  const total = PRELUDE + length + body.length + 4
  if (total > MAX_MESSAGE_SIZE) {
    throw new InvalidInputError(
      'payload',
      `the message must be at most ${MAX_MESSAGE_SIZE} bytes (16 MiB), got ${total}`,
    )
  }
  const out = new Uint8Array(total)
  putU32(out, 0, total)
  putU32(out, 4, length)
  putU32(out, 8, crcRange(out, 0, 8))
  out.set(scratch.subarray(0, length), PRELUDE)
  out.set(body, PRELUDE + length)
  putU32(out, total - 4, crcRange(out, 8, total - 4, u32(out, 8)))
  return out
}

/** Options of {@link createEventStreamDecoder} and `decodeEventStream`. */
export interface EventStreamDecoderOptions {
  /** Largest message accepted, in bytes; it bounds the memory a partial message takes. @default 16 MiB */
  maxMessageSize?: number | undefined
}

/** An incremental decoder, from {@link createEventStreamDecoder}. Synchronous: push bytes, take messages. */
export interface EventStreamDecoder {
  /**
   * Decodes what `chunk` completes and returns the messages, in order (often none or one). Throws an
   * `EventStreamError` for bad framing; the decoder is then unusable. Messages before the bad one in the
   * same chunk are returned first, and the error is thrown by the next `push` (an empty chunk will do)
   * or `end`.
   */
  push(chunk: Uint8Array): EventMessage[]
  /** Says the stream ended: throws `ERR_EVENT_STREAM_TRUNCATED` if a message was left incomplete. */
  end(): void
  /** Bytes held for an incomplete message (at most the largest message). */
  readonly buffered: number
  /** Messages decoded so far. */
  readonly messages: number
  /** Bytes consumed so far. */
  readonly offset: number
}

/**
 * A decoder that takes the stream in pieces of any size (a piece may end mid-prelude, mid-header or
 * mid-CRC) and holds at most one incomplete message. Every message's CRCs are checked before it is
 * returned.
 */
export function createEventStreamDecoder(options: EventStreamDecoderOptions = {}): EventStreamDecoder {
  const max = options.maxMessageSize ?? MAX_MESSAGE_SIZE
  if (typeof max !== 'number' || !Number.isInteger(max) || max < MIN_MESSAGE || max > 0xffffffff) {
    throw new InvalidInputError('maxMessageSize', 'must be a whole number of bytes, at least 16')
  }
  // An incomplete message of `expected` bytes (known from its prelude): `partial[0..filled)`. The buffer
  // grows with the bytes that arrive, so that a prelude alone cannot make the decoder hold `expected`.
  let partial: Uint8Array | undefined
  let expected = 0
  let filled = 0
  const begin = (total: number, arriving: number): Uint8Array => {
    expected = total
    return new Uint8Array(Math.min(total, Math.max(FIRST_BUFFER, arriving)))
  }
  let prelude = new Uint8Array(PRELUDE)
  let count = 0
  let consumed = 0
  let failed: EventStreamError | undefined
  const names: (string | undefined)[] = new Array(CACHE_SLOTS)

  const fail = (error: EventStreamError): never => {
    failed = new EventStreamError(error.code, `event stream message ${count} (at byte ${consumed}): ${error.message}`, {
      offset: consumed,
      index: count,
    })
    throw failed
  }

  /** Checks the prelude at `b[i..i+12)`; returns the total length. */
  const checkPrelude = (b: Uint8Array, i: number): number => {
    const total = u32(b, i)
    const headersLength = u32(b, i + 4)
    if (crcRange(b, i, i + 8) !== u32(b, i + 8)) {
      fail(new EventStreamError('ERR_EVENT_STREAM_PRELUDE_CRC', 'the prelude does not match its CRC-32'))
    }
    if (total > max) {
      fail(
        new EventStreamError('ERR_EVENT_STREAM_TOO_LARGE', `the message is ${total} bytes, over the limit of ${max}`),
      )
    }
    if (headersLength > MAX_HEADERS_SIZE) {
      fail(
        new EventStreamError(
          'ERR_EVENT_STREAM_TOO_LARGE',
          `the headers are ${headersLength} bytes, over the limit of ${MAX_HEADERS_SIZE}`,
        ),
      )
    }
    if (total < MIN_MESSAGE || headersLength > total - MIN_MESSAGE) {
      fail(malformed(`a total length of ${total} cannot hold ${headersLength} bytes of headers and the CRCs`))
    }
    return total
  }

  /** Decodes the whole message at `b[i..i+total)` (prelude already checked). */
  const decodeAt = (b: Uint8Array, i: number, total: number): EventMessage => {
    const end = i + total - 4
    if (crcRange(b, i + 8, end, u32(b, i + 8)) !== u32(b, end)) {
      fail(new EventStreamError('ERR_EVENT_STREAM_MESSAGE_CRC', 'the message does not match its CRC-32'))
    }
    const headersEnd = i + PRELUDE + u32(b, i + 4)
    const headers: Record<string, EventHeaderValue> = {}
    try {
      parseHeaders(b, i + PRELUDE, headersEnd, headers, undefined, names)
    } catch (error) {
      if (error instanceof EventStreamError) fail(error)
      throw error
    }
    return new DecodedMessage(headers, b.subarray(headersEnd, end), b, i + PRELUDE, headersEnd)
  }

  /** Decodes what `chunk` completes into `out`. */
  const decodeInto = (chunk: Uint8Array, out: EventMessage[]): void => {
    let i = 0
    const n = chunk.length
    while (i < n) {
      if (filled === 0) {
        // Fast path: whole messages inside the chunk, decoded in place.
        if (n - i >= PRELUDE) {
          const total = checkPrelude(chunk, i)
          if (n - i >= total) {
            out.push(decodeAt(chunk, i, total))
            i += total
            consumed += total
            count++
            continue
          }
          partial = begin(total, n - i)
        } else partial = undefined
      }
      if (partial === undefined) {
        // Prelude still incomplete: gather it first.
        const take = Math.min(PRELUDE - filled, n - i)
        prelude.set(chunk.subarray(i, i + take), filled)
        filled += take
        i += take
        if (filled < PRELUDE) break
        const total = checkPrelude(prelude, 0)
        partial = begin(total, PRELUDE + n - i)
        partial.set(prelude)
        prelude = new Uint8Array(PRELUDE)
        continue
      }
      const take = Math.min(expected - filled, n - i)
      if (filled + take > partial.length) {
        // Doubling: the copies add up to at most the message's length once more.
        const larger = new Uint8Array(Math.min(expected, Math.max(partial.length * 2, filled + take)))
        larger.set(partial.subarray(0, filled))
        partial = larger
      }
      partial.set(chunk.subarray(i, i + take), filled)
      filled += take
      i += take
      if (filled === expected) {
        out.push(decodeAt(partial, 0, expected))
        consumed += expected
        count++
        partial = undefined
        filled = 0
      }
    }
  }

  return {
    get buffered() {
      return filled
    },
    get messages() {
      return count
    },
    get offset() {
      return consumed
    },
    push(chunk) {
      if (failed !== undefined) throw failed
      const out: EventMessage[] = []
      try {
        decodeInto(chunk, out)
      } catch (error) {
        // The messages before the bad one are whole and checked: they come first, the error on the next call.
        if (out.length === 0 || failed === undefined) throw error
      }
      return out
    },
    end() {
      if (failed !== undefined) throw failed
      if (filled > 0) {
        fail(
          new EventStreamError(
            'ERR_EVENT_STREAM_TRUNCATED',
            `the stream ended ${filled} bytes into a message${partial === undefined ? '' : ` of ${expected}`}`,
          ),
        )
      }
    },
  }
}

/**
 * Decodes exactly one message from `bytes` (an envelope's payload, a WebSocket frame). Throws an
 * `EventStreamError` unless `bytes` is one whole, valid message.
 */
export function decodeEventMessage(bytes: Uint8Array, index?: number): EventMessage {
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError('bytes', `must be a Uint8Array, got ${typeOf(bytes)}`)
  const decoder = createEventStreamDecoder()
  let messages: EventMessage[]
  try {
    messages = decoder.push(bytes)
    decoder.end()
  } catch (error) {
    if (error instanceof EventStreamError && index !== undefined) {
      throw new EventStreamError(error.code, `inside message ${index}: ${error.message}`, { index, cause: error })
    }
    throw error
  }
  if (messages.length !== 1) {
    throw new EventStreamError('ERR_EVENT_STREAM_MALFORMED', `expected one message, found ${messages.length}`, {
      index,
    })
  }
  return messages[0] as EventMessage
}
