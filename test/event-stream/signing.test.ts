// Event signing against the published chains (aws-c-auth, smithy-typescript, aws-sdk-go-v2, smithy-rs)
// and against @smithy/signature-v4's signMessage on random chains; verification of what we sign.
import { createHash, createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '#crypto'
import { type EventStreamError, StreamError, VerificationError } from '../../src/errors.js'
import { encodeHeader } from '../../src/event-stream/codec.js'
import {
  createEventSigner,
  decodeEventMessage,
  decodeEventStream,
  encodeEventMessage,
  signEventStream,
  verifyEventStream,
} from '../../src/event-stream/index.js'
import { sigv4 } from '../../src/sign/algorithm.js'
import { chainStringToSign, createChain } from '../../src/sign/chain.js'
import { SigningKeyCache } from '../../src/sign/key-cache.js'
import { sign } from '../../src/sign/sign.js'
import { sigv4a } from '../../src/sigv4a/index.js'
import { concatBytes, prng, randomMessage, randomSplit } from './random.js'

const vectors = JSON.parse(readFileSync(new URL('../vectors/event-stream-signing.json', import.meta.url), 'utf8'))
const vector = (name: string) => vectors.cases.find((c: { name: string }) => c.name === name)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const utf8 = (s: string) => new TextEncoder().encode(s)
const smithyCodec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
)

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const pieces: Uint8Array[] = []
  for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) pieces.push(piece)
  return concatBytes(pieces)
}

async function envelopes(bytes: Uint8Array) {
  const out = []
  for await (const m of decodeEventStream([bytes])) out.push(m)
  return out
}

describe('aws-c-auth event signing (seed request + 4 events)', () => {
  const v = vector('aws-c-auth-event-signing')
  const credentials = { accessKeyId: v.inputs.access_key_id, secretAccessKey: v.inputs.secret_access_key }
  const base = {
    method: 'POST',
    url: 'https://demo.us-east-1.amazonaws.com/streaming',
    headers: { 'content-encoding': 'application/vnd.amazon.eventstream' },
    service: 'demo',
    region: 'us-east-1',
    credentials,
    date: new Date('1981-01-16T06:30:00Z'),
  }
  const times = v.expected.events.map((e: { event_time: string }) => new Date(e.event_time))

  it('signEventStream: the seed request and every envelope, chained', async () => {
    let i = 0
    const signed = await signEventStream({
      ...base,
      messages: ['A', 'B', 'C'].map(utf8),
      now: () => times[i++],
    })
    expect(signed.canonicalRequest).toBe(v.expected.initial_canonical_request)
    expect(signed.stringToSign).toBe(v.expected.initial_string_to_sign)
    expect(signed.headers.authorization).toBe(v.expected.initial_authorization)
    expect(signed.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-HMAC-SHA256-EVENTS')
    expect(signed.payloadHash).toBe('STREAMING-AWS4-HMAC-SHA256-EVENTS')
    expect(signed.amzDate).toBe('19810116T063000Z')
    const frames = await envelopes(await readAll(signed.body))
    expect(frames).toHaveLength(4)
    frames.forEach((frame, n) => {
      const expected = v.expected.events[n]
      expect(hex(frame.headers[':chunk-signature'] as Uint8Array)).toBe(expected.signature)
      expect((frame.headers[':date'] as Date).toISOString()).toBe(new Date(expected.event_time).toISOString())
      expect(Buffer.from(frame.payload).toString()).toBe(expected.payload_utf8)
      expect(hex(encodeHeader(':date', 'timestamp', frame.headers[':date'] as Date))).toBe(
        expected.encoded_date_header_hex,
      )
    })
    expect(Object.keys(frames[0]?.headers ?? {})).toEqual([':date', ':chunk-signature'])
  })

  it('createEventSigner: the same chain, one message at a time', async () => {
    const signer = createEventSigner({
      credentials,
      region: 'us-east-1',
      service: 'demo',
      seed: v.expected.seed_signature,
    })
    const frames = [
      await signer.sign(utf8('A'), times[0]),
      await signer.sign(utf8('B'), times[1]),
      await signer.sign(utf8('C'), times[2]),
      await signer.end(times[3]),
    ]
    expect(signer.previous).toBe(v.expected.events[3].signature)
    for (const [n, frame] of frames.entries()) {
      const m = decodeEventMessage(frame)
      expect(hex(m.headers[':chunk-signature'] as Uint8Array)).toBe(v.expected.events[n].signature)
    }
  })

  it('createEventSigner: calls made without waiting still chain in call order', async () => {
    const signer = createEventSigner({
      credentials: { ...credentials }, // a new object: its fingerprint, and so the key, come asynchronously
      region: 'us-east-1',
      service: 'demo',
      seed: v.expected.seed_signature,
      keyCache: new SigningKeyCache(),
    })
    const frames = await Promise.all([
      signer.sign(utf8('A'), times[0]),
      signer.sign(utf8('B'), times[1]),
      signer.sign(utf8('C'), times[2]),
      signer.end(times[3]),
    ])
    expect(frames.map((f) => hex(decodeEventMessage(f).headers[':chunk-signature'] as Uint8Array))).toEqual(
      v.expected.events.map((e: { signature: string }) => e.signature),
    )
  })

  it('each string to sign, step by step', async () => {
    const key = await sigv4.key(credentials, '19810116', 'us-east-1', 'demo', null)
    const chain = createChain(
      sigv4,
      key,
      '19810116T063000Z',
      '19810116/us-east-1/demo/aws4_request',
      v.expected.seed_signature,
    )
    for (const e of v.expected.events) {
      const dateHeader = encodeHeader(':date', 'timestamp', new Date(e.event_time))
      const hashes = `${await sha256Hex(dateHeader)}\n${await sha256Hex(utf8(e.payload_utf8))}`
      const amzDate = e.string_to_sign.split('\n')[1]
      expect(
        chainStringToSign(
          'AWS4-HMAC-SHA256',
          'payload',
          amzDate,
          '19810116/us-east-1/demo/aws4_request',
          chain.previous,
          hashes,
        ),
      ).toBe(e.string_to_sign)
      expect(await chain.sign('payload', hashes, amzDate)).toBe(e.signature)
    }
  })
})

describe('the other published chains', () => {
  it('smithy-typescript: the 15-byte :date header and signature 204bb5e2…', async () => {
    const v = vector('smithy-typescript-event-signing')
    const header = encodeHeader(':date', 'timestamp', new Date(v.inputs.event_headers_decoded[':date'].value_ms))
    expect(hex(header)).toBe(v.inputs.event_headers_hex)
    const key = await sigv4.key(
      { accessKeyId: 'akid', secretAccessKey: 'secret' },
      '20130524',
      'REGION',
      'SERVICE',
      null,
    )
    const scope = '20130524/REGION/SERVICE/aws4_request'
    const chain = createChain(sigv4, key, '20130524T000000Z', scope, '')
    const hashes = `${await sha256Hex(header)}\n${await sha256Hex(utf8('foo'))}`
    expect(chainStringToSign('AWS4-HMAC-SHA256', 'payload', '20130524T000000Z', scope, '', hashes)).toBe(
      v.expected.string_to_sign,
    )
    expect(await chain.sign('payload', hashes)).toBe(v.expected.signature)
  })

  it('aws-sdk-go-v2 StreamSigner: four chained signatures', async () => {
    const v = vector('aws-sdk-go-v2-stream-signer')
    const key = await sigv4.key(
      { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
      '19700101',
      'us-east-1',
      'transcribestreaming',
      null,
    )
    const scope = '19700101/us-east-1/transcribestreaming/aws4_request'
    const chain = createChain(sigv4, key, '19700101T000000Z', scope, v.inputs.seed_signature_hex)
    for (const e of v.expected.events) {
      const hashes = `${await sha256Hex(utf8(e.headers_bytes_utf8))}\n${await sha256Hex(utf8(e.payload_utf8))}`
      const amzDate = e.string_to_sign.split('\n')[1]
      expect(await chain.sign('payload', hashes, amzDate)).toBe(e.signature)
    }
  })

  it('smithy-rs: the inner message encoding, the :date header and the string to sign', async () => {
    const v = vector('smithy-rs-event-stream-string-to-sign')
    const inner = encodeEventMessage({ headers: { 'some-header': 'value' }, payload: 'test payload' })
    expect(hex(inner)).toBe(v.inputs.inner_message_encoded_hex)
    const date = new Date(123456789000)
    expect(hex(encodeHeader(':date', 'timestamp', date))).toBe(v.inputs.encoded_date_header_hex)
    const scope = '19731129/us-east-1/testservice/aws4_request'
    const hashes = `${await sha256Hex(encodeHeader(':date', 'timestamp', date))}\n${await sha256Hex(inner)}`
    expect(
      chainStringToSign('AWS4-HMAC-SHA256', 'payload', '19731129T213309Z', scope, v.inputs.prior_signature_hex, hashes),
    ).toBe(v.expected.string_to_sign)
    // The signer truncates the date to whole seconds, as smithy-rs does.
    const signer = createEventSigner({
      credentials: { accessKeyId: 'ANOTREAL', secretAccessKey: 'notrealrnrELgWzOk3IfjzDKtFBhDby' },
      region: 'us-east-1',
      service: 'testservice',
      seed: v.inputs.prior_signature_hex,
      keyCache: null,
    })
    const frame = decodeEventMessage(
      await signer.sign({ headers: { 'some-header': 'value' }, payload: 'test payload' }, new Date(123456789000.001)),
    )
    expect(hex(frame.headers[':chunk-signature'] as Uint8Array)).toBe(
      v.expected.signature_derived_by_collector_not_asserted_upstream,
    )
  })
})

/** A SHA-256 / HMAC-SHA256 for smithy's signer, from node:crypto. */
class NodeSha256 {
  private hash
  constructor(secret?: Uint8Array | string) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret)
  }
  update(data: Uint8Array | string) {
    this.hash.update(data)
  }
  async digest() {
    return new Uint8Array(this.hash.digest())
  }
}

describe('differential: @smithy/signature-v4 signMessage', () => {
  it('equal signatures and envelopes on random chains (random messages, dates across midnight, session tokens)', async () => {
    const rng = prng(11)
    for (let round = 0; round < 20; round++) {
      const credentials = {
        accessKeyId: `AKID${round}`,
        secretAccessKey: `secret/${rng.int(1e9)}+key`,
        ...(round % 2 ? { sessionToken: `token${round}` } : {}),
      }
      const region = ['us-east-1', 'eu-west-3', 'ap-south-1'][round % 3] as string
      const service = ['transcribe', 'lex', 'bedrock'][round % 3] as string
      const smithy = new SignatureV4({ credentials, region, service, sha256: NodeSha256 as never })
      const seed = createHash('sha256').update(`seed${round}`).digest('hex')
      const signer = createEventSigner({ credentials, region, service, seed, keyCache: round % 2 ? null : undefined })
      let prior = seed
      // Start a little before midnight UTC on some rounds, so the day (key and scope) changes mid-chain.
      let t = Date.UTC(2024, 1, 28, 23, 59, 50) + rng.int(30) * 1000 - (round % 4 === 0 ? 0 : 86400_000 * 30)
      for (let n = 0; n < 25; n++) {
        t += rng.int(4) * 1000 + rng.int(1000)
        const date = new Date(t)
        const last = n === 24
        const m = randomMessage(rng, 300)
        const inner = last ? new Uint8Array(0) : encodeEventMessage(m)
        const theirs = await smithy.signMessage(
          {
            message: {
              headers: { ':date': { type: 'timestamp', value: new Date(Math.floor(t / 1000) * 1000) } },
              body: inner,
            },
            priorSignature: prior,
          },
          { signingDate: date },
        )
        const envelope = await (last ? signer.end(date) : signer.sign(m, date))
        const frame = decodeEventMessage(envelope)
        expect(hex(frame.headers[':chunk-signature'] as Uint8Array)).toBe(theirs.signature)
        expect(Buffer.from(frame.payload).equals(Buffer.from(inner))).toBe(true)
        // The whole envelope, byte for byte, as the SDK's signing stream frames it with smithy's codec.
        const sdkEnvelope = smithyCodec.encode({
          headers: {
            ':date': { type: 'timestamp', value: new Date(Math.floor(t / 1000) * 1000) },
            ':chunk-signature': { type: 'binary', value: new Uint8Array(Buffer.from(theirs.signature, 'hex')) },
          },
          body: inner,
        })
        expect(Buffer.from(envelope).equals(Buffer.from(sdkEnvelope))).toBe(true)
        prior = theirs.signature
      }
    }
  })
})

describe('verifyEventStream', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const rng = prng(5)
  const messages = Array.from({ length: 30 }, () => randomMessage(rng, 500))

  async function signedStream(start = Date.UTC(2024, 0, 2, 3, 4, 5)) {
    let t = start
    const signed = await signEventStream({
      method: 'POST',
      url: 'https://transcribestreaming.us-east-1.amazonaws.com/stream-transcription',
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
      service: 'transcribe',
      region: 'us-east-1',
      credentials,
      date: new Date(start),
      messages,
      now: () => {
        t += 700
        return new Date(t)
      },
    })
    const bytes = await readAll(signed.body)
    const day = signed.amzDate.slice(0, 8)
    const key = await sigv4.key(credentials, day, 'us-east-1', 'transcribe', null)
    return {
      signed,
      bytes,
      options: {
        key,
        scope: `${day}/us-east-1/transcribe/aws4_request`,
        seed: signed.signature,
        amzDate: signed.amzDate,
      },
    }
  }

  async function verifyAll(
    source: Parameters<typeof verifyEventStream>[0],
    options: Parameters<typeof verifyEventStream>[1],
  ) {
    const out = []
    for await (const m of verifyEventStream(source, options)) out.push(m)
    return out
  }

  it('releases every message of a signed stream, cut anywhere', async () => {
    const { bytes, options } = await signedStream()
    const verified = await verifyAll(randomSplit(rng, bytes), options)
    expect(verified.map((m) => m.headers)).toEqual(messages.map((m) => m.headers))
    expect(verified.map((m) => hex(encodeEventMessage(m)))).toEqual(messages.map((m) => hex(encodeEventMessage(m))))
    expect(verified[1]?.date.getTime()).toBe(Date.UTC(2024, 0, 2, 3, 4, 6))
  })

  it('a corrupt envelope: every verified message before it is released, in one piece or cut anywhere', async () => {
    const { bytes, options } = await signedStream()
    const frames = (await envelopes(bytes)).map((f) => encodeEventMessage(f))
    const at = frames.slice(0, 7).reduce((n, f) => n + f.length, 0)
    const corrupt = bytes.slice()
    corrupt[at + 40] = (corrupt[at + 40] as number) ^ 1
    for (const pieces of [[corrupt], randomSplit(rng, corrupt)]) {
      const released: unknown[] = []
      const error = await (async () => {
        for await (const m of verifyEventStream(pieces, options)) released.push(m)
      })().catch((e: unknown) => e)
      expect([(error as EventStreamError).code, (error as EventStreamError).index]).toEqual([
        'ERR_EVENT_STREAM_MESSAGE_CRC',
        7,
      ])
      expect(released).toHaveLength(7)
    }
  })

  it('a tampered message, a wrong seed or key, a reordering: ERR_SIGNATURE_MISMATCH at that message', async () => {
    const { bytes, options } = await signedStream()
    const frames = (await envelopes(bytes)).map((f) => encodeEventMessage(f))
    const expectMismatch = async (source: Uint8Array[], opts = options, at?: number) => {
      const released: unknown[] = []
      try {
        for await (const m of verifyEventStream(source, opts)) released.push(m)
        expect.unreachable()
      } catch (error) {
        expect(error).toBeInstanceOf(VerificationError)
        expect((error as VerificationError).code).toBe('ERR_SIGNATURE_MISMATCH')
        if (at !== undefined) {
          expect((error as VerificationError).chunk).toBe(at)
          expect(released).toHaveLength(at)
        }
      }
    }
    // Swap the payloads of envelope 3 and 4, keeping signatures: fails at 3, nothing after 2 released.
    const swapped = frames.slice()
    ;[swapped[3], swapped[4]] = [swapped[4] as Uint8Array, swapped[3] as Uint8Array]
    await expectMismatch(swapped, options, 3)
    // A forged envelope: the right :date, a changed payload, the old signature.
    const f5 = decodeEventMessage(frames[5] as Uint8Array)
    const forged = frames.slice()
    forged[5] = encodeEventMessage({
      headers: f5.headers,
      types: f5.types,
      payload: encodeEventMessage({ payload: 'evil' }),
    })
    await expectMismatch(forged, options, 5)
    await expectMismatch(frames, { ...options, seed: '00'.repeat(32) }, 0)
    const otherKey = await sigv4.key(
      { ...credentials, secretAccessKey: 'x' },
      options.scope.slice(0, 8),
      'us-east-1',
      'transcribe',
      null,
    )
    await expectMismatch(frames, { ...options, key: otherKey }, 0)
  })

  it('a stream without its signed end: ERR_INCOMPLETE_BODY; bytes after it: ERR_EVENT_STREAM_MALFORMED', async () => {
    const { bytes, options } = await signedStream()
    const frames = (await envelopes(bytes)).map((f) => encodeEventMessage(f))
    await expect(verifyAll(frames.slice(0, -1), options)).rejects.toMatchObject({ code: 'ERR_INCOMPLETE_BODY' })
    await expect(verifyAll([...frames, frames[0] as Uint8Array], options)).rejects.toMatchObject({
      code: 'ERR_EVENT_STREAM_MALFORMED',
    })
    await expect(verifyAll([bytes.subarray(0, bytes.length - 3)], options)).rejects.toMatchObject({
      code: 'ERR_EVENT_STREAM_TRUNCATED',
    })
  })

  it('a stream running past midnight verifies with keyForDay, and not without it', async () => {
    const { bytes, options } = await signedStream(Date.UTC(2024, 0, 2, 23, 59, 55))
    await expect(verifyAll([bytes], options)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_MISMATCH' })
    const days: string[] = []
    const keyForDay = (day: string) => {
      days.push(day)
      return sigv4.key(credentials, day, 'us-east-1', 'transcribe', null)
    }
    expect(await verifyAll([bytes], { ...options, keyForDay })).toHaveLength(30)
    expect(days).toEqual(['20240103'])
  })
})

describe('signEventStream input and failures', () => {
  const base = {
    url: 'https://example.com/',
    service: 'transcribe',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
  }
  it('bad options are InvalidInputError naming the field, before any work', async () => {
    await expect(signEventStream({ ...base, messages: 5 as never })).rejects.toMatchObject({ field: 'messages' })
    await expect(signEventStream({ ...base, messages: [], now: 'x' as never })).rejects.toMatchObject({ field: 'now' })
    await expect(signEventStream({ ...base, region: 'a b', messages: [] })).rejects.toMatchObject({ field: 'region' })
    expect(() => createEventSigner({ ...base, seed: 'XYZ' })).toThrow(expect.objectContaining({ field: 'seed' }))
  })

  it('a message that cannot be encoded, or a source that throws, errors the body (no silent end)', async () => {
    const bad = await signEventStream({ ...base, messages: [{ payload: 'ok' }, { payload: 7 as never }] })
    await expect(readAll(bad.body)).rejects.toBeInstanceOf(StreamError)
    async function* failing() {
      yield { payload: 'one' }
      throw new Error('microphone unplugged')
    }
    const broken = await signEventStream({ ...base, messages: failing() })
    await expect(readAll(broken.body)).rejects.toMatchObject({ code: 'ERR_BODY_SOURCE' })
    const controller = new AbortController()
    async function* forever() {
      for (;;) {
        yield { payload: 'x' }
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    const aborted = await signEventStream({ ...base, messages: forever(), signal: controller.signal })
    setTimeout(() => controller.abort(), 30)
    await expect(readAll(aborted.body)).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('an abort while waiting for a message releases the source (cancels a ReadableStream of messages)', async () => {
    let cancelled: unknown = 'not cancelled'
    // A live source that has nothing to say for now (a muted microphone).
    const silent = new ReadableStream<{ payload: string }>({
      cancel(reason) {
        cancelled = reason
      },
    })
    const controller = new AbortController()
    const signed = await signEventStream({ ...base, messages: silent, signal: controller.signal })
    const reason = new Error('user hung up')
    setTimeout(() => controller.abort(reason), 10)
    await expect(readAll(signed.body)).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect(cancelled).toBe(reason)
  })

  it('takes a ReadableStream of messages where ReadableStream is not async-iterable (Safari)', async () => {
    const prototype = ReadableStream.prototype as unknown as Record<symbol, unknown>
    const descriptor = Object.getOwnPropertyDescriptor(prototype, Symbol.asyncIterator)
    delete prototype[Symbol.asyncIterator]
    try {
      const messages = new ReadableStream<{ payload: string }>({
        start(controller) {
          controller.enqueue({ payload: 'one' })
          controller.enqueue({ payload: 'two' })
          controller.close()
        },
      })
      expect(Symbol.asyncIterator in messages).toBe(false)
      const signed = await signEventStream({ ...base, messages, now: () => new Date(0) })
      const reader = signed.body.getReader()
      const pieces: Uint8Array[] = []
      for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value)
      const frames = await envelopes(concatBytes(pieces))
      expect(
        frames.map((f) =>
          f.payload.length === 0 ? '' : new TextDecoder().decode(decodeEventMessage(f.payload).payload),
        ),
      ).toEqual(['one', 'two', ''])
    } finally {
      if (descriptor !== undefined) Object.defineProperty(prototype, Symbol.asyncIterator, descriptor)
    }
  })

  it('an empty message list still sends the signed end message', async () => {
    const signed = await signEventStream({ ...base, messages: [], date: new Date(0), now: () => new Date(1000) })
    const frames = await envelopes(await readAll(signed.body))
    expect(frames).toHaveLength(1)
    expect(frames[0]?.payload).toHaveLength(0)
    const check = await sign({
      ...base,
      method: 'GET',
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-EVENTS',
      contentHashHeader: true,
      date: new Date(0),
    })
    expect(signed.signature).toBe(check.signature)
  })
})

describe('SigV4a event streams', () => {
  it('signEventStream with algorithm sigv4a: a STREAMING-AWS4-ECDSA-P256-SHA256-EVENTS request whose chain verifies', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
    let t = Date.UTC(2024, 4, 1, 12, 0, 0)
    const messages = [{ payload: 'one' }, { headers: { ':event-type': 'AudioEvent' }, payload: 'two' }]
    const signed = await signEventStream({
      method: 'POST',
      url: 'https://example.amazonaws.com/stream',
      service: 'transcribe',
      regionSet: ['us-east-1', 'us-west-2'],
      algorithm: sigv4a,
      credentials,
      date: new Date(t),
      messages,
      now: () => {
        t += 1500
        return new Date(t)
      },
    })
    expect(signed.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-ECDSA-P256-SHA256-EVENTS')
    expect(signed.headers['x-amz-region-set']).toBe('us-east-1,us-west-2')
    const bytes = await readAll(signed.body)
    const key = await sigv4a.key(credentials, '20240501', '', 'transcribe', null)
    const options = { algorithm: sigv4a, key, scope: signed.credentialScope, seed: signed.signature }
    const verified = []
    for await (const m of verifyEventStream([bytes], options)) verified.push(new TextDecoder().decode(m.payload))
    expect(verified).toEqual(['one', 'two'])
    // A changed payload under the same (ECDSA) signature fails.
    const frames = (await envelopes(bytes)).map((f) => encodeEventMessage(f))
    const f0 = decodeEventMessage(frames[0] as Uint8Array)
    frames[0] = encodeEventMessage({
      headers: f0.headers,
      types: f0.types,
      payload: encodeEventMessage({ payload: 'One' }),
    })
    await expect(
      (async () => {
        for await (const _ of verifyEventStream(frames, options)) {
          // drain
        }
      })(),
    ).rejects.toMatchObject({ code: 'ERR_SIGNATURE_MISMATCH', chunk: 0 })
  })
})
