// Differential: a stream signed by the AWS SDK for JavaScript's own event-stream handler
// (@aws-sdk/eventstream-handler-node, what Transcribe streaming and Bedrock bidirectional streams use in
// Node), verified message by message by verifyEventStream. The SDK dates each envelope to the millisecond,
// where awsig's signer keeps whole seconds: the verifier must take both.
import { Readable } from 'node:stream'
import { eventStreamPayloadHandlerProvider } from '@aws-sdk/eventstream-handler-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { decodeEventMessage, encodeEventMessage, verifyEventStream } from '../../src/event-stream/index.js'
import { sigv4 } from '../../src/sign/algorithm.js'
import { sign } from '../../src/sign/sign.js'
import { NodeSha256 } from '../support/node-sha256.js'
import { prng, randomMessage } from './random.js'

describe("the AWS SDK's event-stream signer, verified by verifyEventStream", () => {
  it('300 random messages with millisecond :date headers, every signature checked, every message intact', async () => {
    const rng = prng(31)
    const credentials = { accessKeyId: 'AKIDSDK', secretAccessKey: 'sdk/secret+key', sessionToken: 'token' }
    const region = 'eu-west-1'
    const service = 'transcribe'
    const request = await sign({
      method: 'POST',
      url: 'https://transcribestreaming.eu-west-1.amazonaws.com/stream-transcription',
      service,
      region,
      credentials,
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-EVENTS',
      contentHashHeader: true,
    })
    const messages = Array.from({ length: 300 }, () => randomMessage(rng, 4096))
    const inner = messages.map((m) => encodeEventMessage(m))
    const handler = eventStreamPayloadHandlerProvider({
      messageSigner: async () => new SignatureV4({ credentials, region, service, sha256: NodeSha256 as never }),
      utf8Encoder: (b: Uint8Array) => new TextDecoder().decode(b),
      utf8Decoder: (s: string) => new TextEncoder().encode(s),
      // A clock a quarter of a second off whole seconds, so that :date carries milliseconds.
      systemClockOffset: 250 - (Date.now() % 1000),
    } as never)
    // The SDK's serializer ends the body with an empty message, which the handler signs like the others.
    const body = Readable.from([...inner, new Uint8Array(0)], { objectMode: true })
    const sent: Uint8Array[] = []
    await handler.handle(
      (async (args: { request: { body: Readable } }) => {
        for await (const envelope of args.request.body) sent.push(envelope as Uint8Array)
        return { response: {} }
      }) as never,
      { request: { headers: { authorization: request.headers.authorization }, body, query: {} } } as never,
    )
    expect(sent).toHaveLength(301)
    const dates = sent.map((e) => (decodeEventMessage(e).headers[':date'] as Date).getTime())
    expect(dates.some((t) => t % 1000 !== 0)).toBe(true)

    const day = request.amzDate.slice(0, 8)
    const keyForDay = (d: string) => sigv4.key(credentials, d, region, service, null)
    const verified = []
    for await (const m of verifyEventStream(sent, {
      key: await keyForDay(day),
      scope: request.credentialScope,
      seed: request.signature,
      keyForDay,
    })) {
      verified.push(m)
    }
    expect(verified).toHaveLength(300)
    for (const [i, m] of verified.entries()) {
      expect(Buffer.from(encodeEventMessage(m)).equals(Buffer.from(inner[i] as Uint8Array))).toBe(true)
      expect(m.date.getTime()).toBe(dates[i])
    }
    // One byte changed in one envelope's payload (CRCs made right again) is refused at that message.
    const tampered = [...sent]
    const victim = decodeEventMessage(sent[150] as Uint8Array)
    const payload = victim.payload.slice()
    payload[payload.length - 5] = (payload[payload.length - 5] as number) ^ 1
    tampered[150] = encodeEventMessage({ headers: victim.headers, types: victim.types, payload })
    await expect(
      (async () => {
        for await (const _ of verifyEventStream(tampered, {
          key: await keyForDay(day),
          scope: request.credentialScope,
          seed: request.signature,
          keyForDay,
        })) {
          // drain
        }
      })(),
    ).rejects.toMatchObject({ code: 'ERR_SIGNATURE_MISMATCH', chunk: 150 })
  })
})
