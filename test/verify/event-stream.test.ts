// Signed event-stream requests (Transcribe-style STREAMING-AWS4-HMAC-SHA256-EVENTS): the request and every
// message verify; the verified body carries the inner messages; a changed byte is refused.
import { describe, expect, it } from 'vitest'
import { decodeEventStream, signEventStream } from '../../src/event-stream/index.js'
import { VerificationError, verifyRequest } from '../../src/verify/index.js'

const credentials = { accessKeyId: 'AKIDEVENTS', secretAccessKey: 'events-secret' }
const date = new Date('2026-02-03T04:05:06Z')
const options = { credentials, service: 'transcribe', region: 'us-east-1', now: () => date.getTime() }
const messages = [
  {
    headers: { ':event-type': 'AudioEvent', ':message-type': 'event', count: 7 },
    payload: new Uint8Array(3000).fill(1),
  },
  { headers: { ':event-type': 'AudioEvent', ':message-type': 'event' }, payload: new TextEncoder().encode('second') },
]

/** The request signed at `start`, each message at what `now` answers. */
async function signedStream(start = date, now = () => date) {
  const signed = await signEventStream({
    method: 'POST',
    url: 'https://transcribestreaming.us-east-1.amazonaws.com:8443/stream-transcription',
    service: 'transcribe',
    region: 'us-east-1',
    credentials,
    date: start,
    now,
    messages,
  })
  return { signed, bytes: new Uint8Array(await new Response(signed.body).arrayBuffer()) }
}

describe('signed event streams', () => {
  it('verifies the request and every message, and gives back the inner messages', async () => {
    const { signed, bytes } = await signedStream()
    const verified = await verifyRequest(
      { method: 'POST', url: signed.url, headers: signed.headers, body: bytes },
      options,
    )
    expect(verified.payloadHash).toBe('STREAMING-AWS4-HMAC-SHA256-EVENTS')
    const got = []
    for await (const message of decodeEventStream(verified.body as ReadableStream<Uint8Array>)) got.push(message)
    expect(got.map((m) => [m.headers, [...m.payload]])).toEqual(messages.map((m) => [m.headers, [...m.payload]]))
  })

  it("verifies a stream that runs past midnight UTC: later messages are signed with their own day's key", async () => {
    const start = new Date('2026-02-03T23:59:58Z')
    const dates = [new Date('2026-02-03T23:59:59Z'), new Date('2026-02-04T00:00:01Z')]
    let calls = 0
    const { signed, bytes } = await signedStream(start, () => dates[Math.min(calls++, 1)] as Date)
    const verified = await verifyRequest(
      { method: 'POST', url: signed.url, headers: signed.headers, body: bytes },
      { ...options, now: () => start.getTime() },
    )
    const got = []
    for await (const message of decodeEventStream(verified.body as ReadableStream<Uint8Array>)) got.push(message)
    expect(got.map((m) => [...m.payload])).toEqual(messages.map((m) => [...m.payload]))
  })

  it('refuses a changed byte of a message', async () => {
    const { signed, bytes } = await signedStream()
    const tampered = bytes.slice()
    tampered[200] = (tampered[200] as number) ^ 1
    const verified = await verifyRequest(
      { method: 'POST', url: signed.url, headers: signed.headers, body: tampered },
      options,
    )
    const error = await new Response(verified.body).arrayBuffer().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(VerificationError)
    expect([(error as VerificationError).code, (error as VerificationError).awsCode]).toEqual([
      'ERR_INVALID_REQUEST',
      'InvalidRequest',
    ])
  })

  it('refuses messages out of their signed order', async () => {
    const { signed, bytes } = await signedStream()
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    const first = view.getUint32(0)
    const second = view.getUint32(first)
    const swapped = new Uint8Array(bytes.length)
    swapped.set(bytes.subarray(first, first + second), 0)
    swapped.set(bytes.subarray(0, first), second)
    swapped.set(bytes.subarray(first + second), first + second)
    const verified = await verifyRequest(
      { method: 'POST', url: signed.url, headers: signed.headers, body: swapped },
      options,
    )
    const reader = (verified.body as ReadableStream<Uint8Array>).getReader()
    const error = await reader.read().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect([(error as VerificationError).code, (error as VerificationError).awsCode]).toEqual([
      'ERR_SIGNATURE_MISMATCH',
      'SignatureDoesNotMatch',
    ])
  })
})
