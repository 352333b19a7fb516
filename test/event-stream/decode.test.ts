// decodeEventStream over every kind of source, service errors inside the stream, and the Bedrock and
// S3 Select helpers on frames made by @smithy/eventstream-codec in the documented shapes.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { describe, expect, it } from 'vitest'
import { AwsError, EventStreamError, StreamError } from '../../src/errors.js'
import {
  bedrockEvents,
  decodeEventStream,
  type EventMessage,
  encodeEventMessage,
  selectObjectContentEvents,
  selectObjectContentText,
} from '../../src/event-stream/index.js'
import { concatBytes, prng, randomSplit } from './random.js'

const smithy = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
)
const utf8 = (s: string) => new TextEncoder().encode(s)
const str = (value: string) => ({ type: 'string' as const, value })

/** A frame as the SDK's codec writes it. */
const event = (eventType: string, payload: unknown, contentType = 'application/json') =>
  smithy.encode({
    headers: { ':event-type': str(eventType), ':content-type': str(contentType), ':message-type': str('event') },
    body:
      typeof payload === 'string'
        ? utf8(payload)
        : payload instanceof Uint8Array
          ? payload
          : utf8(JSON.stringify(payload)),
  })

const exception = (type: string, message: string) =>
  smithy.encode({
    headers: {
      ':exception-type': str(type),
      ':content-type': str('application/json'),
      ':message-type': str('exception'),
    },
    body: utf8(JSON.stringify({ message })),
  })

function stream(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++] as Uint8Array)
      else controller.close()
    },
  })
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

describe('decodeEventStream', () => {
  const frames = Array.from({ length: 20 }, (_, i) =>
    encodeEventMessage({ headers: { ':event-type': `e${i}` }, payload: `p${i}` }),
  )
  const bytes = concatBytes(frames)
  const rng = prng(3)

  it('reads a ReadableStream, a Response, an async iterable, an iterable, bytes', async () => {
    const expected = frames.map((_, i) => `e${i}`)
    const types = (ms: EventMessage[]) => ms.map((m) => m.headers[':event-type'])
    expect(types(await collect(decodeEventStream(stream(randomSplit(rng, bytes)))))).toEqual(expected)
    expect(types(await collect(decodeEventStream(new Response(stream(randomSplit(rng, bytes))))))).toEqual(expected)
    async function* gen() {
      yield* randomSplit(rng, bytes)
    }
    expect(types(await collect(decodeEventStream(gen())))).toEqual(expected)
    expect(types(await collect(decodeEventStream(randomSplit(rng, bytes))))).toEqual(expected)
    expect(types(await collect(decodeEventStream(bytes)))).toEqual(expected)
    expect(await collect(decodeEventStream(new Response(null)))).toEqual([])
  })

  it('a body cut inside a message rejects with ERR_EVENT_STREAM_TRUNCATED after the whole messages', async () => {
    const seen: unknown[] = []
    const error = await (async () => {
      for await (const m of decodeEventStream(stream([bytes.subarray(0, bytes.length - 5)]))) seen.push(m)
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EventStreamError)
    expect((error as EventStreamError).code).toBe('ERR_EVENT_STREAM_TRUNCATED')
    expect(seen).toHaveLength(19)
  })

  it('a corrupt message is thrown after every whole message before it, however the body is cut', async () => {
    const corrupt = bytes.slice()
    const at = frames.slice(0, 12).reduce((n, f) => n + f.length, 0) // message 12 starts here
    corrupt[at + 20] = (corrupt[at + 20] as number) ^ 0x40
    for (const pieces of [[corrupt], randomSplit(rng, corrupt), Array.from(corrupt, (b) => Uint8Array.of(b))]) {
      const seen: unknown[] = []
      const error = await (async () => {
        for await (const m of decodeEventStream(pieces)) seen.push(m.headers[':event-type'])
      })().catch((e: unknown) => e)
      expect([(error as EventStreamError).code, (error as EventStreamError).index]).toEqual([
        'ERR_EVENT_STREAM_MESSAGE_CRC',
        12,
      ])
      expect(seen).toEqual(frames.slice(0, 12).map((_, i) => `e${i}`))
    }
    // A live body that says nothing more after the corrupt message: the error does not wait for it.
    let sent = false
    const live = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return new Promise(() => {})
        sent = true
        controller.enqueue(corrupt)
      },
    })
    const outcome = await Promise.race([
      collect(decodeEventStream(live)).catch((e: unknown) => (e as EventStreamError).code),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000)),
    ])
    expect(outcome).toBe('ERR_EVENT_STREAM_MESSAGE_CRC')
  })

  it('a body that fails, or gives something other than bytes: StreamError ERR_BODY_SOURCE', async () => {
    const failing = new ReadableStream({
      start(controller) {
        controller.enqueue(frames[0])
        controller.error(new Error('connection reset'))
      },
    })
    await expect(collect(decodeEventStream(failing))).rejects.toMatchObject({ code: 'ERR_BODY_SOURCE' })
    await expect(collect(decodeEventStream(['text' as never]))).rejects.toBeInstanceOf(StreamError)
  })

  it('breaking out of the loop cancels the body; an abort rejects with ERR_ABORTED', async () => {
    let cancelled = false
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(frames[0] as Uint8Array)
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const _ of decodeEventStream(endless)) break
    expect(cancelled).toBe(true)
    const controller = new AbortController()
    const silent = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) })
    setTimeout(() => controller.abort(new Error('user left')), 20)
    await expect(collect(decodeEventStream(silent, { signal: controller.signal }))).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    })
  })

  it('an exception message ends the stream with the typed AwsError', async () => {
    const body = concatBytes([
      event('chunk', { bytes: btoa('{}') }),
      exception('throttlingException', 'Too many tokens, slow down'),
    ])
    const response = new Response(stream([body]), { headers: { 'x-amzn-requestid': 'req-123' } })
    const seen: EventMessage[] = []
    const error = await (async () => {
      for await (const m of decodeEventStream(response)) seen.push(m)
    })().catch((e: unknown) => e)
    expect(seen).toHaveLength(1)
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({
      code: 'ERR_AWS',
      awsCode: 'throttlingException',
      awsMessage: 'Too many tokens, slow down',
      requestId: 'req-123',
      status: 200,
    })
    // `:message-type: error` (S3 Select, Kinesis): the code and message are headers.
    const s3error = encodeEventMessage({
      headers: {
        ':message-type': 'error',
        ':error-code': 'InternalError',
        ':error-message': 'We encountered an internal error',
      },
    })
    await expect(collect(decodeEventStream([s3error]))).rejects.toMatchObject({
      awsCode: 'InternalError',
      awsMessage: 'We encountered an internal error',
    })
    // Yielded instead when asked.
    const yielded = await collect(decodeEventStream([s3error], { yieldErrors: true }))
    expect(yielded[0]?.headers[':error-code']).toBe('InternalError')
  })

  it('an error response (not 2xx) is the AwsError the client would throw', async () => {
    const response = new Response(
      JSON.stringify({ message: 'The security token included in the request is invalid.' }),
      {
        status: 403,
        headers: {
          'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/',
          'x-amzn-requestid': 'r-9',
        },
      },
    )
    await expect(collect(decodeEventStream(response))).rejects.toMatchObject({
      status: 403,
      awsCode: 'UnrecognizedClientException',
      requestId: 'r-9',
    })
  })
})

describe('bedrockEvents', () => {
  it('InvokeModelWithResponseStream: chunk.bytes decoded to the model JSON', async () => {
    const chunks = [
      { type: 'message_start', message: { role: 'assistant' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ', wörld 🌍' } },
      { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 5 } },
    ]
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64')
    const body = concatBytes(chunks.map((c) => event('chunk', { bytes: b64(c), p: 'abcdefgh' })))
    const events = await collect(bedrockEvents(new Response(stream(randomSplit(prng(1), body)))))
    expect(events).toEqual(chunks.map((data) => ({ type: 'chunk', data })))
  })

  it('ConverseStream: each event JSON, without the p padding; exceptions thrown', async () => {
    const shapes: [string, unknown][] = [
      ['messageStart', { role: 'assistant' }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }],
      ['contentBlockStop', { contentBlockIndex: 0 }],
      ['messageStop', { stopReason: 'end_turn' }],
      ['metadata', { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 }, metrics: { latencyMs: 120 } }],
    ]
    const body = concatBytes(shapes.map(([type, data]) => event(type, { ...(data as object), p: 'abcd' })))
    expect(await collect(bedrockEvents([body]))).toEqual(shapes.map(([type, data]) => ({ type, data })))
    const failing = concatBytes([
      event('messageStart', { role: 'assistant' }),
      exception('modelStreamErrorException', 'boom'),
    ])
    await expect(collect(bedrockEvents([failing]))).rejects.toMatchObject({ awsCode: 'modelStreamErrorException' })
  })

  it('a payload that is not a JSON object, or chunk bytes that are not base64: ERR_EVENT_STREAM_MALFORMED', async () => {
    for (const [type, payload] of [
      ['chunk', 'null'],
      ['chunk', '[]'],
      ['chunk', '{"bytes": "not base64!"}'],
      ['chunk', '{"bytes": 5}'],
      ['contentBlockDelta', 'null'],
      ['contentBlockDelta', '7'],
      ['messageStop', '"end_turn"'],
    ] as const) {
      const error = await collect(bedrockEvents([event(type, payload)])).catch((e: unknown) => e)
      expect([type, payload, error instanceof EventStreamError && error.code]).toEqual([
        type,
        payload,
        'ERR_EVENT_STREAM_MALFORMED',
      ])
    }
  })
})

describe('S3 Select', () => {
  const stats =
    '<Stats><BytesScanned>100</BytesScanned><BytesProcessed>90</BytesProcessed><BytesReturned>12</BytesReturned></Stats>'
  const body = concatBytes([
    event('Records', 'a,1\n', 'application/octet-stream'),
    event('Cont', ''),
    event('Progress', stats.replaceAll('Stats', 'Progress'), 'text/xml'),
    event('Records', 'b,2\n', 'application/octet-stream'),
    event('Stats', stats, 'text/xml'),
    smithy.encode({ headers: { ':event-type': str('End'), ':message-type': str('event') }, body: new Uint8Array(0) }),
  ])

  it('Records, Cont, Progress, Stats and End', async () => {
    const events = await collect(selectObjectContentEvents([body]))
    expect(events.map((e) => e.type)).toEqual(['Records', 'Cont', 'Progress', 'Records', 'Stats', 'End'])
    expect(events[4]).toEqual({ type: 'Stats', details: { bytesScanned: 100, bytesProcessed: 90, bytesReturned: 12 } })
    expect(await selectObjectContentText([body])).toBe('a,1\nb,2\n')
  })

  it('a response that stops before End is ERR_EVENT_STREAM_TRUNCATED', async () => {
    const cut = body.subarray(
      0,
      body.length - encodeEventMessage({ headers: { ':event-type': 'End', ':message-type': 'event' } }).length,
    )
    await expect(selectObjectContentText([cut])).rejects.toMatchObject({ code: 'ERR_EVENT_STREAM_TRUNCATED' })
  })
})
