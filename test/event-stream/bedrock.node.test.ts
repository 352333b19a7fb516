// Frames from the SDK: a loopback server answers Bedrock's InvokeModelWithResponseStream and
// ConverseStream with frames made by @smithy/eventstream-codec in the documented event shapes, cut at
// odd places; awsig decodes them in Node and in a Cloudflare Worker (workerd, via miniflare).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bedrockEvents } from '../../src/event-stream/index.js'
import { sign } from '../../src/sign/sign.js'

const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
)
const str = (value: string) => ({ type: 'string' as const, value })
const utf8 = (s: string) => new TextEncoder().encode(s)
const credentials = { accessKeyId: 'AKIDBEDROCK', secretAccessKey: 'bedrock/secret' }

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html (streaming)
const CLAUDE_CHUNKS = [
  { type: 'message_start', message: { id: 'msg_1', role: 'assistant', content: [], usage: { input_tokens: 12 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bonjour' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' le monde 🌍' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } },
  {
    type: 'message_stop',
    'amazon-bedrock-invocationMetrics': { inputTokenCount: 12, outputTokenCount: 5, invocationLatency: 321 },
  },
]
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
const CONVERSE_EVENTS: [string, unknown][] = [
  ['messageStart', { role: 'assistant' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' there' } }],
  ['contentBlockStop', { contentBlockIndex: 0 }],
  ['messageStop', { stopReason: 'end_turn' }],
  ['metadata', { usage: { inputTokens: 9, outputTokens: 2, totalTokens: 11 }, metrics: { latencyMs: 88 } }],
]

const frame = (eventType: string, payload: unknown) =>
  codec.encode({
    headers: { ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') },
    body: utf8(JSON.stringify(payload)),
  })

function framesFor(path: string): Uint8Array[] {
  if (path.endsWith('/invoke-with-response-stream')) {
    return CLAUDE_CHUNKS.map((chunk) =>
      frame('chunk', { bytes: Buffer.from(JSON.stringify(chunk)).toString('base64'), p: 'abcdefghijkl' }),
    )
  }
  if (path.endsWith('/converse-stream')) {
    const frames = CONVERSE_EVENTS.map(([type, data]) => frame(type, { ...(data as object), p: 'abcdefghij' }))
    if (path.includes('throttled')) {
      frames.splice(
        2,
        frames.length,
        codec.encode({
          headers: {
            ':exception-type': str('throttlingException'),
            ':content-type': str('application/json'),
            ':message-type': str('exception'),
          },
          body: utf8(JSON.stringify({ message: 'Too many requests, please wait before trying again.' })),
        }),
      )
    }
    return frames
  }
  return []
}

let server: Server
let origin = ''

beforeAll(async () => {
  server = createServer(async (req, res) => {
    for await (const _ of req) {
      // drain the request body
    }
    const auth = req.headers.authorization ?? ''
    if (
      !auth.startsWith(`AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/`) ||
      !auth.includes('/us-east-1/bedrock/aws4_request')
    ) {
      res.writeHead(403, { 'x-amzn-errortype': 'UnrecognizedClientException' }).end('{"message":"unsigned"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'bedrock-req-1' })
    // Frames cut into 7-byte writes, with pauses: a message arrives in many pieces.
    const bytes = Buffer.concat(framesFor(req.url ?? ''))
    for (let i = 0; i < bytes.length; i += 7) {
      res.write(bytes.subarray(i, i + 7))
      if (i % 350 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => {
  server?.close()
})

const expectedInvoke = CLAUDE_CHUNKS.map((data) => ({ type: 'chunk', data }))
const expectedConverse = CONVERSE_EVENTS.map(([type, data]) => ({ type, data }))
const modelPath = (model: string, op: string) => `/model/${encodeURIComponent(model)}/${op}`

async function callInNode(path: string) {
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Bonjour' }] }] })
  const signed = await sign({
    method: 'POST',
    url: origin + path,
    body,
    service: 'bedrock',
    region: 'us-east-1',
    credentials,
  })
  const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body })
  const events = []
  for await (const event of bedrockEvents(response)) events.push(event)
  return events
}

describe('Bedrock streams decoded in Node', () => {
  it('InvokeModelWithResponseStream: the model chunks, decoded from chunk.bytes', async () => {
    expect(
      await callInNode(modelPath('anthropic.claude-3-haiku-20240307-v1:0', 'invoke-with-response-stream')),
    ).toEqual(expectedInvoke)
  })

  it('ConverseStream: every event, and a throttlingException as AwsError', async () => {
    expect(await callInNode(modelPath('amazon.nova-lite-v1:0', 'converse-stream'))).toEqual(expectedConverse)
    await expect(callInNode(modelPath('throttled', 'converse-stream'))).rejects.toMatchObject({
      code: 'ERR_AWS',
      awsCode: 'throttlingException',
      requestId: 'bedrock-req-1',
    })
  })
})

describe('Bedrock streams decoded in a Cloudflare Worker (workerd)', () => {
  it('the Worker signs, fetches the loopback server and decodes both APIs', async () => {
    const { Miniflare } = await import('miniflare')
    const bundle = await build({
      entryPoints: [new URL('./fixtures/bedrock-worker.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      alias: { '#crypto': new URL('../../src/lib/crypto/web.ts', import.meta.url).pathname },
    })
    const script = bundle.outputFiles[0]?.text as string
    expect(script).not.toMatch(/from\s*["']node:/)
    const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-01-01' })
    try {
      const run = async (path: string) => {
        const response = await mf.dispatchFetch('http://worker.local/', {
          method: 'POST',
          body: JSON.stringify({ url: origin + path, body: '{"inputText":"hi"}', credentials }),
        })
        return (await response.json()) as { events: unknown[]; error?: Record<string, string> }
      }
      const invoke = await run(modelPath('anthropic.claude-3-haiku-20240307-v1:0', 'invoke-with-response-stream'))
      expect(invoke.error).toBeUndefined()
      expect(invoke.events).toEqual(expectedInvoke)
      const converse = await run(modelPath('amazon.nova-lite-v1:0', 'converse-stream'))
      expect(converse.events).toEqual(expectedConverse)
      const throttled = await run(modelPath('throttled', 'converse-stream'))
      expect(throttled.events).toEqual(expectedConverse.slice(0, 2))
      expect(throttled.error).toMatchObject({ name: 'AwsError', code: 'ERR_AWS', awsCode: 'throttlingException' })
    } finally {
      await mf.dispose()
    }
  })
})
