// The codec against smithy-typescript's framing vectors, and against @smithy/eventstream-codec (the
// AWS SDK's own) on thousands of random messages: encoded by each, decoded by the other, byte for byte.
import { readdirSync, readFileSync } from 'node:fs'
import { EventStreamCodec, Int64 } from '@smithy/eventstream-codec'
import { describe, expect, it } from 'vitest'
import { crc32, crc32Combine } from '../../src/chunked/crc.js'
import { EventStreamError, InvalidInputError } from '../../src/errors.js'
import {
  createEventStreamDecoder,
  decodeEventMessage,
  type EventMessage,
  encodeEventMessage,
} from '../../src/event-stream/index.js'
import { concatBytes, prng, randomMessage, randomSplit } from './random.js'

const VECTORS = new URL('../vectors/smithy-typescript/packages/eventstream-codec/test_vectors/', import.meta.url)
const smithy = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
)
const TYPE_NAMES = ['boolean', 'boolean', 'byte', 'short', 'integer', 'long', 'binary', 'string', 'timestamp', 'uuid']

function decodeAll(bytes: Uint8Array, pieces: Uint8Array[] = [bytes]): EventMessage[] {
  const decoder = createEventStreamDecoder()
  const out: EventMessage[] = []
  for (const piece of pieces) out.push(...decoder.push(piece))
  decoder.end()
  return out
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof EventStreamError) return error.code
    throw error
  }
  return undefined
}

/** A message as smithy's codec takes it. */
function toSmithy(m: ReturnType<typeof randomMessage>) {
  const headers: Record<string, { type: string; value: unknown }> = {}
  for (const [name, value] of Object.entries(m.headers)) {
    const type = m.types[name] as string
    if (type === 'long') {
      const bytes = new Uint8Array(8)
      new DataView(bytes.buffer).setBigInt64(0, value as bigint)
      headers[name] = { type, value: new Int64(bytes) }
    } else headers[name] = { type, value }
  }
  // biome-ignore lint/suspicious/noExplicitAny: smithy's header union
  return { headers: headers as any, body: m.payload }
}

/** Smithy's decoded headers in awsig's shape: plain values, long as bigint. */
function fromSmithy(headers: Record<string, { type: string; value: unknown }>) {
  const values: Record<string, unknown> = {}
  const types: Record<string, string> = {}
  for (const [name, { type, value }] of Object.entries(headers)) {
    values[name] = type === 'long' ? new DataView((value as Int64).bytes.slice().buffer).getBigInt64(0) : value
    types[name] = type
  }
  return { values, types }
}

describe('smithy-typescript framing vectors', () => {
  const positive = readdirSync(new URL('encoded/positive/', VECTORS))
  const negative = readdirSync(new URL('encoded/negative/', VECTORS))

  it.each(positive)('decodes positive/%s and encodes it back byte for byte', (name) => {
    const bytes = new Uint8Array(readFileSync(new URL(`encoded/positive/${name}`, VECTORS)))
    const expected = JSON.parse(readFileSync(new URL(`decoded/positive/${name}`, VECTORS), 'utf8'))
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    expect(view.getUint32(0)).toBe(expected.total_length)
    expect(view.getUint32(4)).toBe(expected.headers_length)
    expect(view.getInt32(8)).toBe(expected.prelude_crc | 0) // the JSON has signed and unsigned CRCs
    expect(view.getInt32(bytes.length - 4)).toBe(expected.message_crc | 0)
    const [message] = decodeAll(bytes) as [EventMessage]
    expect(Buffer.from(message.payload).toString('base64')).toBe(expected.payload ?? '')
    expect(Object.keys(message.headers)).toEqual(expected.headers.map((h: { name: string }) => h.name))
    for (const header of expected.headers as { name: string; type: number; value: unknown }[]) {
      const got = message.headers[header.name]
      expect(message.types[header.name]).toBe(TYPE_NAMES[header.type])
      switch (header.type) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
          expect(got).toBe(header.value)
          break
        case 5:
          expect(got).toBe(BigInt(header.value as number))
          break
        case 6:
          expect(Buffer.from(got as Uint8Array).toString('base64')).toBe(header.value)
          break
        case 7:
          expect(got).toBe(Buffer.from(header.value as string, 'base64').toString('utf8'))
          break
        case 8:
          expect((got as Date).getTime()).toBe(header.value)
          break
        case 9:
          expect((got as string).replaceAll('-', '')).toBe(
            Buffer.from(header.value as string, 'base64').toString('hex'),
          )
          break
      }
    }
    expect(Buffer.from(encodeEventMessage(message)).equals(Buffer.from(bytes))).toBe(true)
    expect(decodeEventMessage(bytes).headers).toEqual(message.headers)
  })

  it.each(negative)('rejects negative/%s with the error it names', (name) => {
    const bytes = new Uint8Array(readFileSync(new URL(`encoded/negative/${name}`, VECTORS)))
    const reason = readFileSync(new URL(`decoded/negative/${name}`, VECTORS), 'utf8').trim()
    const expected = reason.startsWith('Prelude') ? 'ERR_EVENT_STREAM_PRELUDE_CRC' : 'ERR_EVENT_STREAM_MESSAGE_CRC'
    expect(codeOf(() => decodeAll(bytes))).toBe(expected)
    // Smithy agrees that it is broken.
    expect(() => smithy.decode(bytes)).toThrow()
  })
})

describe('incremental decoding', () => {
  const rng = prng(7)
  const messages = Array.from({ length: 60 }, () => randomMessage(rng, 600))
  const stream = concatBytes(messages.map((m) => encodeEventMessage(m)))

  // Decoded messages, encoded again: equal bytes mean equal headers (names, types, values) and payloads.
  const reencoded = (decoded: EventMessage[]) => Buffer.from(concatBytes(decoded.map((m) => encodeEventMessage(m))))

  it('gives the same messages however the stream is cut', () => {
    const whole = decodeAll(stream)
    expect(whole).toHaveLength(60)
    expect(whole.map((m) => m.headers)).toEqual(messages.map((m) => m.headers))
    expect(reencoded(whole).equals(Buffer.from(stream))).toBe(true)
    for (let round = 0; round < 40; round++) {
      expect(reencoded(decodeAll(stream, randomSplit(rng, stream))).equals(Buffer.from(stream))).toBe(true)
    }
    // One byte at a time.
    const bytewise = decodeAll(
      stream,
      Array.from(stream, (_, i) => stream.subarray(i, i + 1)),
    )
    expect(reencoded(bytewise).equals(Buffer.from(stream))).toBe(true)
  })

  it('holds at most one incomplete message', () => {
    const decoder = createEventStreamDecoder()
    let most = 0
    for (const piece of randomSplit(rng, stream)) {
      decoder.push(piece)
      most = Math.max(most, decoder.buffered)
    }
    const largest = Math.max(...messages.map((m) => encodeEventMessage(m).length))
    expect(most).toBeLessThanOrEqual(largest)
    expect(decoder.messages).toBe(60)
    expect(decoder.offset).toBe(stream.length)
  })

  it('a stream cut anywhere inside a message is ERR_EVENT_STREAM_TRUNCATED, never a short result', () => {
    const two = concatBytes([encodeEventMessage(messages[0] as never), encodeEventMessage(messages[1] as never)])
    const first = encodeEventMessage(messages[0] as never).length
    for (let cut = 1; cut < two.length; cut++) {
      if (cut === first) continue
      expect(codeOf(() => decodeAll(two.subarray(0, cut)))).toBe('ERR_EVENT_STREAM_TRUNCATED')
    }
    expect(decodeAll(two.subarray(0, first))).toHaveLength(1)
    expect(decodeAll(new Uint8Array(0))).toEqual([])
  })
})

/** A frame around a raw headers block, with correct CRCs (for malformed headers). */
function frameRaw(headers: Uint8Array) {
  const out = new Uint8Array(16 + headers.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, out.length)
  view.setUint32(4, headers.length)
  view.setUint32(8, crc32(out.subarray(0, 8)))
  out.set(headers, 12)
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)))
  return out
}

describe('bad framing is a typed error', () => {
  it('an unknown header type: ERR_EVENT_STREAM_HEADER_TYPE', () => {
    const bytes = frameRaw(Uint8Array.of(1, 0x61, 10))
    expect(codeOf(() => decodeAll(bytes))).toBe('ERR_EVENT_STREAM_HEADER_TYPE')
    expect(codeOf(() => decodeAll(frameRaw(Uint8Array.of(1, 0x61, 255))))).toBe('ERR_EVENT_STREAM_HEADER_TYPE')
  })

  it('headers cut short: ERR_EVENT_STREAM_MALFORMED', () => {
    for (const headers of [
      Uint8Array.of(5, 0x61), // name longer than the block
      Uint8Array.of(1, 0x61, 4, 0, 0), // integer cut short
      Uint8Array.of(1, 0x61, 7, 0, 9, 0x62), // string longer than the block
      Uint8Array.of(1, 0x61, 9, 1, 2, 3), // uuid cut short
      Uint8Array.of(0, 0), // empty name
    ]) {
      expect(codeOf(() => decodeAll(frameRaw(headers)))).toBe('ERR_EVENT_STREAM_MALFORMED')
    }
  })

  it('lengths that cannot be: ERR_EVENT_STREAM_MALFORMED; over the limit: ERR_EVENT_STREAM_TOO_LARGE', () => {
    const tooShort = new Uint8Array(16)
    const view = new DataView(tooShort.buffer)
    view.setUint32(0, 15)
    view.setUint32(8, crc32(tooShort.subarray(0, 8)))
    expect(codeOf(() => decodeAll(tooShort))).toBe('ERR_EVENT_STREAM_MALFORMED')
    view.setUint32(0, 16)
    view.setUint32(4, 1)
    view.setUint32(8, crc32(tooShort.subarray(0, 8)))
    expect(codeOf(() => decodeAll(tooShort))).toBe('ERR_EVENT_STREAM_MALFORMED')
    // A prelude announcing 16 MiB + 1: refused before any of it is buffered.
    const huge = new Uint8Array(12)
    const h = new DataView(huge.buffer)
    h.setUint32(0, 16 * 1024 * 1024 + 1)
    h.setUint32(8, crc32(huge.subarray(0, 8)))
    const decoder = createEventStreamDecoder()
    expect(codeOf(() => decoder.push(huge))).toBe('ERR_EVENT_STREAM_TOO_LARGE')
    expect(decoder.buffered).toBe(0)
    expect(codeOf(() => decoder.push(huge))).toBe('ERR_EVENT_STREAM_TOO_LARGE') // stays failed
    const small = createEventStreamDecoder({ maxMessageSize: 100 })
    expect(codeOf(() => small.push(encodeEventMessage({ payload: new Uint8Array(100) })))).toBe(
      'ERR_EVENT_STREAM_TOO_LARGE',
    )
    // 128 KiB of headers at most.
    const wide = new Uint8Array(12)
    const w = new DataView(wide.buffer)
    w.setUint32(0, 200 * 1024)
    w.setUint32(4, 129 * 1024)
    w.setUint32(8, crc32(wide.subarray(0, 8)))
    expect(codeOf(() => createEventStreamDecoder().push(wide))).toBe('ERR_EVENT_STREAM_TOO_LARGE')
  })

  it('memory follows the bytes received, not the length a prelude announces', () => {
    // 12 bytes announcing a 16 MiB message: a peer must not make the decoder hold 16 MiB with them
    // (a server verifying streams would give that to every connection that sends a prelude).
    const prelude = new Uint8Array(12)
    const p = new DataView(prelude.buffer)
    p.setUint32(0, 16 * 1024 * 1024)
    p.setUint32(8, crc32(prelude.subarray(0, 8)))
    const decoders = Array.from({ length: 40 }, () => createEventStreamDecoder())
    const before = process.memoryUsage().arrayBuffers
    for (const decoder of decoders) decoder.push(prelude)
    const grown = process.memoryUsage().arrayBuffers - before
    expect(decoders.every((d) => d.buffered === 12)).toBe(true)
    expect(grown).toBeLessThan(40 * 256 * 1024)
    // And such a message still decodes when it does arrive, in pieces.
    const whole = encodeEventMessage({ headers: { a: 'b' }, payload: new Uint8Array(3 * 1024 * 1024 + 5).fill(7) })
    const decoded = decodeAll(whole, randomSplit(prng(4), whole))
    expect(decoded[0]?.payload.length).toBe(3 * 1024 * 1024 + 5)
    expect(decoded[0]?.payload.every((b) => b === 7)).toBe(true)
  })

  it('errors say where: offset and index of the message', () => {
    const good = encodeEventMessage({ headers: { a: 'b' }, payload: 'x' })
    const bad = good.slice()
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1
    try {
      decodeAll(concatBytes([good, good, bad]))
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(EventStreamError)
      expect((error as EventStreamError).code).toBe('ERR_EVENT_STREAM_MESSAGE_CRC')
      expect((error as EventStreamError).index).toBe(2)
      expect((error as EventStreamError).offset).toBe(good.length * 2)
    }
  })

  it('random header blocks under valid CRCs: a typed error, or the headers smithy reads too', () => {
    // Semi-structured garbage: names of any length and byte, every type id and some unknown ones, values
    // of the right, a wrong or a huge declared length, blocks cut anywhere. CRCs are made right, so that
    // the header parser itself is what is tested.
    const rng = prng(5)
    const outcomes = { accepted: 0, refused: 0 }
    for (let n = 0; n < 5000; n++) {
      const block: number[] = []
      for (let h = rng.int(4); h > 0; h--) {
        const nameLength = rng.next() < 0.1 ? rng.int(256) : 1 + rng.int(5)
        block.push(nameLength)
        for (let i = 0; i < nameLength; i++) block.push(rng.next() < 0.9 ? 97 + rng.int(26) : rng.int(256))
        const type = rng.next() < 0.05 ? rng.int(256) : rng.int(10)
        block.push(type)
        const size = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16][type] ?? rng.int(20)
        if (size === -1) {
          const declared = rng.next() < 0.2 ? rng.int(65536) : rng.int(10)
          block.push(declared >> 8, declared & 255)
          for (let i = Math.min(declared, 10 + rng.int(20)); i > 0; i--) block.push(rng.int(256))
        } else for (let i = 0; i < size; i++) block.push(rng.int(256))
      }
      if (rng.next() < 0.3) block.length = rng.int(block.length + 1)
      const bytes = frameRaw(Uint8Array.from(block))
      let ours: EventMessage | undefined
      try {
        ours = decodeEventMessage(bytes)
      } catch (error) {
        expect(error).toBeInstanceOf(EventStreamError)
        outcomes.refused++
        continue
      }
      // What we accept, smithy accepts, with the same values (it is laxer: it reads a value cut short
      // by the end of the block from the bytes after it, which we refuse).
      const theirs = fromSmithy(smithy.decode(bytes).headers as never)
      expect(ours.headers).toEqual(theirs.values)
      expect({ ...ours.types }).toEqual(theirs.types)
      outcomes.accepted++
    }
    expect(outcomes.accepted).toBeGreaterThan(2500)
    expect(outcomes.refused).toBeGreaterThan(1000)
  })

  it('every single-bit flip of a message is detected', () => {
    const rng = prng(99)
    for (let n = 0; n < 12; n++) {
      const bytes = encodeEventMessage(randomMessage(rng, 64))
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = bytes.slice()
        flipped[bit >>> 3] = (flipped[bit >>> 3] as number) ^ (1 << (bit & 7))
        expect(codeOf(() => decodeAll(flipped))).toMatch(/^ERR_EVENT_STREAM_/)
      }
    }
  })
})

describe('encodeEventMessage input checks', () => {
  it('names the field', () => {
    const cases: [unknown, string][] = [
      [{ headers: { a: { type: 'byte', value: 128 } } }, 'headers["a"]'],
      [{ headers: { a: { type: 'short', value: 1.5 } } }, 'headers["a"]'],
      [{ headers: { a: { type: 'integer', value: 2 ** 31 } } }, 'headers["a"]'],
      [{ headers: { a: { type: 'long', value: 2n ** 63n } } }, 'headers["a"]'],
      [{ headers: { a: { type: 'uuid', value: 'nope' } } }, 'headers["a"]'],
      [{ headers: { a: { type: 'string', value: 'x'.repeat(65536) } } }, 'headers["a"]'],
      [{ headers: { a: new Date(Number.NaN) } }, 'headers["a"]'],
      [{ headers: { a: null } }, 'headers["a"]'],
      [{ headers: { ['n'.repeat(256)]: 'v' } }, `headers["${'n'.repeat(256)}"]`],
      [{ headers: { a: { type: 'nope', value: 1 } } }, 'types["a"]'],
      [{ payload: 5 }, 'payload'],
      [{ payload: new Uint8Array(16 * 1024 * 1024) }, 'payload'],
      [null, 'message'],
    ]
    for (const [input, field] of cases) {
      try {
        encodeEventMessage(input as never)
        expect.unreachable(field)
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError)
        expect((error as InvalidInputError).field).toBe(field)
      }
    }
  })

  it('a header named __proto__ is a header, not a prototype', () => {
    const headers = JSON.parse('{"__proto__": "x", "b": true}')
    const decoded = decodeEventMessage(encodeEventMessage({ headers }))
    expect(Object.keys(decoded.headers)).toEqual(['__proto__', 'b'])
    expect(Object.getPrototypeOf(decoded.headers)).toBe(Object.prototype)
  })

  it('headers named like Object.prototype members take their type from their value, not from the prototype', () => {
    const headers = JSON.parse('{"constructor": "c", "toString": true, "__proto__": 7, "n": 1}')
    const bytes = encodeEventMessage({ headers, types: { n: 'byte' } })
    const decoded = decodeEventMessage(bytes)
    expect(decoded.headers).toEqual(headers)
    expect({ ...decoded.types }).toEqual(
      JSON.parse('{"constructor": "string", "toString": "boolean", "__proto__": "integer", "n": "byte"}'),
    )
    // A decoded message encodes back to the same bytes.
    expect(Buffer.from(encodeEventMessage(decoded)).equals(Buffer.from(bytes))).toBe(true)
  })
})

describe('differential: @smithy/eventstream-codec', () => {
  const rng = prng(2026)
  const messages = Array.from({ length: 2000 }, () => randomMessage(rng))

  it('awsig and smithy encode 2,000 random messages to the same bytes, and each decodes the other', () => {
    let types = 0
    for (const m of messages) {
      const ours = encodeEventMessage(m)
      const theirs = smithy.encode(toSmithy(m))
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true)
      // smithy decodes ours
      const back = smithy.decode(ours)
      const { values, types: smithyTypes } = fromSmithy(back.headers as never)
      expect(values).toEqual(m.headers)
      expect(smithyTypes).toEqual(m.types)
      expect(Buffer.from(back.body).equals(Buffer.from(m.payload))).toBe(true)
      // we decode theirs, and re-encode it to the same bytes
      const decoded = decodeEventMessage(theirs)
      expect(decoded.headers).toEqual(m.headers)
      expect(decoded.types).toEqual(m.types)
      expect(Buffer.from(encodeEventMessage(decoded)).equals(Buffer.from(theirs))).toBe(true)
      types += Object.keys(m.types).length
    }
    const seen = new Set(messages.flatMap((m) => Object.values(m.types)))
    expect([...seen].sort()).toEqual([
      'binary',
      'boolean',
      'byte',
      'integer',
      'long',
      'short',
      'string',
      'timestamp',
      'uuid',
    ])
    expect(types).toBeGreaterThan(5000)
    expect(messages.some((m) => m.payload.length === 0)).toBe(true)
    expect(messages.some((m) => m.payload.length > 64 * 1024)).toBe(true)
  })

  it("smithy's frames, concatenated and cut at random, decode to the same messages", () => {
    const some = messages.slice(0, 300)
    const stream = concatBytes(some.map((m) => smithy.encode(toSmithy(m))))
    for (let round = 0; round < 5; round++) {
      const decoded = decodeAll(stream, randomSplit(rng, stream))
      expect(decoded.map((d) => d.headers)).toEqual(some.map((m) => m.headers))
      expect(decoded.every((d, i) => Buffer.from(d.payload).equals(Buffer.from(some[i]?.payload as Uint8Array)))).toBe(
        true,
      )
    }
  })
})

describe('crc32Combine (the signer combines an envelope CRC from its message CRC)', () => {
  it('equals the CRC of the concatenation, for random lengths from 0 to 200 KiB', () => {
    const rng = prng(123)
    for (let n = 0; n < 200; n++) {
      const a = rng.bytes(rng.int(300))
      const b = rng.bytes(n % 10 === 0 ? rng.int(200 * 1024) : rng.int(300))
      expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(concatBytes([a, b])))
    }
  })
})
