// Signed input end to end: a loopback server checks every message signature of a signed stream of
// 1,000 messages, over HTTP/2 (node:http2, as Transcribe streaming requires) and over HTTP/1.1 with
// undici's fetch. The server's check is written here with node:crypto, independently of awsig's, and
// awsig's verifyEventStream must agree with it.
import { createHash, createHmac } from 'node:crypto'
import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import { connect, constants, createServer as createHttp2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fetch as undiciFetch } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { type SignedEventStream, signEventStream, verifyEventStream } from '../../src/event-stream/index.js'
import { sigv4 } from '../../src/sign/algorithm.js'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const REGION = 'us-west-2'
const SERVICE = 'transcribe'
const COUNT = 1000
const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
)

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

/** The server's own check: smithy's codec for framing, node:crypto for the chain. */
function checkIndependently(body: Buffer, authorization: string): { messages: string[]; signatures: number } {
  const seed = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] as string
  let previous = seed
  const messages: string[] = []
  let signatures = 0
  let offset = 0
  let ended = false
  while (offset < body.length) {
    const length = body.readUInt32BE(offset)
    const envelope = codec.decode(new Uint8Array(body.subarray(offset, offset + length)))
    offset += length
    const date = (envelope.headers[':date']?.value as Date) ?? new Date(Number.NaN)
    const iso = date
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')
    const day = iso.slice(0, 8)
    const scope = `${day}/${REGION}/${SERVICE}/aws4_request`
    const dateHeader = codec.formatHeaders({ ':date': { type: 'timestamp', value: date } })
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${iso}\n${scope}\n${previous}\n${sha256(dateHeader)}\n${sha256(envelope.body)}`
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), REGION), SERVICE), 'aws4_request')
    const expected = createHmac('sha256', key).update(toSign).digest('hex')
    const got = Buffer.from(envelope.headers[':chunk-signature']?.value as Uint8Array).toString('hex')
    if (got !== expected) throw new Error(`message ${signatures}: signature mismatch`)
    signatures++
    previous = got
    if (envelope.body.length === 0) {
      ended = true
      break
    }
    const inner = codec.decode(envelope.body)
    messages.push(new TextDecoder().decode(inner.body))
  }
  if (!ended || offset !== body.length) throw new Error('no signed end message, or bytes after it')
  return { messages, signatures }
}

async function* audio() {
  for (let i = 0; i < COUNT; i++) {
    yield {
      headers: { ':content-type': 'application/octet-stream', ':event-type': 'AudioEvent', ':message-type': 'event' },
      payload: `chunk ${i} ${'.'.repeat(i % 97)}`,
    }
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve)) // a live source
  }
}

async function signed(url: string): Promise<SignedEventStream> {
  return signEventStream({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amz-transcribe-language-code': 'en-US',
      'x-amz-transcribe-sample-rate': '16000',
      'x-amz-transcribe-media-encoding': 'pcm',
    },
    service: SERVICE,
    region: REGION,
    credentials,
    messages: audio(),
  })
}

const closers: (() => void)[] = []
afterAll(() => {
  for (const close of closers) close()
})

/** What the server concluded, sent back as JSON. */
interface Verdict {
  independent: number
  awsig: number
  last: string
  contentSha256: string
  error?: string
}

async function judge(body: Buffer, authorization: string, amzDate: string, contentSha256: string): Promise<Verdict> {
  try {
    const { messages, signatures } = checkIndependently(body, authorization)
    const key = await sigv4.key(credentials, amzDate.slice(0, 8), REGION, SERVICE, null)
    let awsig = 0
    const seed = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] as string
    for await (const m of verifyEventStream([body], {
      key,
      scope: `${amzDate.slice(0, 8)}/${REGION}/${SERVICE}/aws4_request`,
      seed,
    })) {
      if (new TextDecoder().decode(m.payload) !== messages[awsig]) throw new Error(`message ${awsig} differs`)
      awsig++
    }
    return { independent: signatures, awsig, last: messages.at(-1) ?? '', contentSha256 }
  } catch (error) {
    return { independent: 0, awsig: 0, last: '', contentSha256, error: String(error) }
  }
}

describe('a signed stream of 1,000 messages, verified message by message by a loopback server', () => {
  it('over HTTP/2 (node:http2)', async () => {
    const server = createHttp2Server()
    server.on('stream', (stream, headers) => {
      const pieces: Buffer[] = []
      stream.on('data', (piece: Buffer) => pieces.push(piece))
      stream.on('end', async () => {
        const verdict = await judge(
          Buffer.concat(pieces),
          String(headers.authorization),
          String(headers['x-amz-date']),
          String(headers['x-amz-content-sha256']),
        )
        stream.respond({ ':status': verdict.error ? 403 : 200, 'content-type': 'application/json' })
        stream.end(JSON.stringify(verdict))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const request = await signed(`${origin}/stream-transcription`)

    const session = connect(origin)
    closers.push(() => session.close())
    const path = new URL(request.url).pathname
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      ...request.headers,
    })
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      let status = 0
      const pieces: Buffer[] = []
      stream.on('response', (h) => {
        status = Number(h[':status'])
      })
      stream.on('data', (piece: Buffer) => pieces.push(piece))
      stream.on('end', () => resolve({ status, body: Buffer.concat(pieces).toString() }))
      stream.on('error', reject)
    })
    for await (const frame of request.body as unknown as AsyncIterable<Uint8Array>) {
      if (!stream.write(frame)) await new Promise((resolve) => stream.once('drain', resolve))
    }
    stream.end()
    const { status, body } = await response
    const verdict = JSON.parse(body) as Verdict
    expect(verdict.error).toBeUndefined()
    expect(status).toBe(200)
    expect(verdict).toMatchObject({
      independent: COUNT + 1,
      awsig: COUNT,
      contentSha256: 'STREAMING-AWS4-HMAC-SHA256-EVENTS',
    })
    expect(verdict.last).toBe(`chunk ${COUNT - 1} ${'.'.repeat((COUNT - 1) % 97)}`)
    session.close()
  })

  it("over HTTP/1.1 with undici's fetch (duplex: 'half')", async () => {
    const server = createHttpServer(async (req: IncomingMessage, res) => {
      const pieces: Buffer[] = []
      for await (const piece of req) pieces.push(piece as Buffer)
      const verdict = await judge(
        Buffer.concat(pieces),
        String(req.headers.authorization),
        String(req.headers['x-amz-date']),
        String(req.headers['x-amz-content-sha256']),
      )
      res.writeHead(verdict.error ? 403 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const request = await signed(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream-transcription`)
    const response = await undiciFetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      duplex: 'half',
    })
    const verdict = (await response.json()) as Verdict
    expect(verdict.error).toBeUndefined()
    expect(response.status).toBe(200)
    expect(verdict).toMatchObject({ independent: COUNT + 1, awsig: COUNT })
  })
})
