// aws-chunked uploads over real HTTP.
// (a) moto_server, which recomputes the seed signature with botocore: PutObject in each mode and with
//     each checksum is accepted, and a wrong key is refused.
// (b) a loopback server built on decodeChunked, which verifies the seed, every chunk signature and
//     the trailer, and decodes the bytes: through fetch, node:http and (when installed) undici.
import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import {
  type ChecksumAlgorithm,
  type ChunkedMode,
  type SignChunkedOptions,
  type SignedChunkedRequest,
  sign,
  signChunked,
} from '../../src/index.js'
import { cut, randomBytes, SOURCE_KINDS, sha256, sourceOf } from '../support/chunked.js'
import { type ChunkedServer, startChunkedServer } from '../support/chunked-server.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

const MODES: Array<[ChunkedMode, ChecksumAlgorithm | undefined]> = [
  ['signed', undefined],
  ['signed-trailer', 'crc32'],
  ['signed-trailer', 'crc32c'],
  ['signed-trailer', 'crc64nvme'],
  ['signed-trailer', 'sha1'],
  ['signed-trailer', 'sha256'],
  ['unsigned-trailer', 'crc32'],
  ['unsigned-trailer', 'crc32c'],
  ['unsigned-trailer', 'crc64nvme'],
  ['unsigned-trailer', 'sha1'],
  ['unsigned-trailer', 'sha256'],
]

interface Reply {
  status: number
  text: string
}

type Client = 'fetch' | 'node:http' | 'undici'

// undici is optional: the test runs with it when it is installed (`npm i -D undici`).
const undiciName = 'undici'
const undici = (await import(undiciName).catch(() => null)) as {
  request(url: string, options: object): Promise<{ statusCode: number; body: { text(): Promise<string> } }>
} | null

async function send(client: Client, signed: SignedChunkedRequest): Promise<Reply> {
  const { url, method, headers, body } = signed
  if (client === 'fetch') {
    const response = await fetch(url, { method, headers, body, duplex: 'half' } as RequestInit)
    return { status: response.status, text: await response.text() }
  }
  if (client === 'undici') {
    if (undici === null) throw new Error('undici is not installed')
    const response = await undici.request(url, { method, headers, body })
    return { status: response.statusCode, text: await response.body.text() }
  }
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    const readable = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)
    readable.on('error', (error) => req.destroy(error))
    readable.pipe(req)
  })
}

describe('loopback server built on decodeChunked', () => {
  let server: ChunkedServer
  let uploads = 0
  beforeAll(async () => {
    server = await startChunkedServer({ keepBytes: true })
  })
  afterAll(async () => {
    await server?.close()
  })

  async function upload(
    client: Client,
    path: string,
    data: Uint8Array,
    options: Partial<SignChunkedOptions> & { sizes?: number[] } = {},
  ) {
    const { sizes = [65536], ...rest } = options
    const signed = await signChunked({
      method: 'PUT',
      url: `${server.url}${path}`,
      service: 's3',
      region: server.region,
      credentials: server.credentials,
      body: await sourceOf('readable-stream', cut(data, sizes)),
      contentLength: data.length,
      ...rest,
    })
    const reply = await send(client, signed)
    uploads++
    return { signed, reply, upload: server.uploads.at(-1) }
  }

  const clients: Client[] = ['fetch', 'node:http', 'undici']
  for (const client of clients) {
    describe(client, () => {
      const skip = (ctx: TestContext) => {
        if (client === 'undici' && undici === null) ctx.skip('undici is not installed')
      }

      it.for(MODES)('%s %s: 0 B, 1 B, one chunk, one chunk + 1, 8 MiB + 1', async ([mode, checksum], ctx) => {
        skip(ctx)
        for (const length of [0, 1, 65536, 65537, 8 * 1024 * 1024 + 1]) {
          const data = randomBytes(length, length + 1)
          const path = `/bucket/${client.replace(':', '-')}/${mode}-${checksum}-${length}`
          const { signed, reply, upload: got } = await upload(client, path, data, { mode, checksum })
          expect(reply.status, reply.text).toBe(200)
          expect(got).toMatchObject({ path, outcome: 'ok', length, sha256: sha256(data) })
          expect(got?.chunks).toBe(Math.ceil(length / 65536) + 1)
          expect(got?.trailers).toEqual(await signed.trailers)
        }
      })
    })
  }

  it('random sizes, chunk sizes and source chunkings, every mode, over fetch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300_000 }),
        fc.integer({ min: 8192, max: 100_000 }),
        fc.constantFrom(...MODES),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...SOURCE_KINDS),
        async (length, chunkSize, [mode, checksum], sizes, kind) => {
          const data = randomBytes(length, length ^ chunkSize)
          const signed = await signChunked({
            method: 'PUT',
            url: `${server.url}/bucket/random-${length}`,
            service: 's3',
            region: server.region,
            credentials: server.credentials,
            body: await sourceOf(kind, cut(data, sizes)),
            contentLength: length,
            chunkSize,
            mode,
            checksum,
          })
          const reply = await send('fetch', signed)
          expect(reply.status, reply.text).toBe(200)
          expect(server.uploads.at(-1)).toMatchObject({ outcome: 'ok', length, sha256: sha256(data) })
        },
      ),
      { numRuns: 25 },
    )
  })

  it('a multipart-style sequence of parts: each part its own signed aws-chunked request', async () => {
    const data = randomBytes(5 * 100_000 + 12_345, 77)
    const parts = cut(data, [100_000])
    const received: Buffer[] = []
    for (const [i, part] of parts.entries()) {
      const {
        reply,
        signed,
        upload: got,
      } = await upload('fetch', `/bucket/big?partNumber=${i + 1}&uploadId=u1`, part, {
        checksum: 'crc32c',
        sizes: [4096],
        chunkSize: 16384,
      })
      expect(reply.status, reply.text).toBe(200)
      expect(got?.trailers).toEqual(await signed.trailers)
      received.push(got?.bytes as Buffer)
    }
    expect(sha256(Buffer.concat(received))).toBe(sha256(data))
  })

  it('a truncated source never produces a complete, valid upload', async () => {
    for (const client of ['fetch', 'node:http'] as const) {
      for (const mode of ['signed', 'signed-trailer', 'unsigned-trailer'] as const) {
        const before = server.uploads.length
        const data = randomBytes(200_000, 5)
        const path = `/bucket/truncated-${client.replace(':', '-')}-${mode}`
        const signed = await signChunked({
          method: 'PUT',
          url: `${server.url}${path}`,
          service: 's3',
          region: server.region,
          credentials: server.credentials,
          body: cut(data.subarray(0, 150_000), [10_000]),
          contentLength: data.length,
          mode,
        })
        const error = await send(client, signed).then(
          (reply) => new Error(`unexpected reply ${reply.status}`),
          (e: unknown) => e,
        )
        // The client fails with the StreamError (fetch wraps it as its cause).
        const cause = (error as { cause?: unknown }).cause ?? error
        expect(cause).toMatchObject({ name: 'StreamError', code: 'ERR_BODY_LENGTH' })
        await server.settled(before + 1)
        const got = server.uploads.find((u) => u.path === path)
        expect(got?.outcome).not.toBe('ok')
        expect(got?.length).toBeLessThan(data.length)
      }
    }
  })

  it('the server refuses a seed signed with another key, and a tampered chunk', async () => {
    const data = randomBytes(50_000, 1)
    const { reply } = await upload('fetch', '/bucket/wrong-key', data, {
      credentials: { ...server.credentials, secretAccessKey: 'not the key' },
    })
    expect(reply.status).toBe(403)
    expect(JSON.parse(reply.text)).toEqual({ code: 'SignatureDoesNotMatch' })

    const signed = await signChunked({
      method: 'PUT',
      url: `${server.url}/bucket/tampered`,
      service: 's3',
      region: server.region,
      credentials: server.credentials,
      body: [data],
      contentLength: data.length,
    })
    // Flip one payload bit on the way out.
    let seen = 0
    const tampered = signed.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(piece, controller) {
          const copy = new Uint8Array(piece)
          if (seen <= 30_000 && seen + copy.length > 30_000) copy[30_000 - seen] = (copy[30_000 - seen] as number) ^ 1
          seen += copy.length
          controller.enqueue(copy)
        },
      }),
    )
    const tamperedReply = await send('fetch', { ...signed, body: tampered })
    expect(tamperedReply.status).toBe(400)
    expect(JSON.parse(tamperedReply.text)).toEqual({ code: 'ERR_SIGNATURE_MISMATCH' })
    expect(uploads).toBeGreaterThan(0)
  })
})

describe('moto_server (botocore checks the seed signature)', () => {
  let moto: Moto | null = null
  const bucket = 'awsig-chunked'
  beforeAll(async () => {
    moto = await startMoto()
    if (moto !== null) {
      const created = await sign({
        method: 'PUT',
        url: `${moto.endpoint}/${bucket}`,
        service: 's3',
        region: moto.region,
        credentials: moto.credentials,
      })
      const response = await fetch(created.url, { method: 'PUT', headers: created.headers })
      if (!response.ok) throw new Error(`CreateBucket: HTTP ${response.status} ${await response.text()}`)
    }
  })
  afterAll(async () => {
    await stopAllMoto()
  })
  const server = (ctx: TestContext): Moto => {
    if (moto === null) ctx.skip('moto_server is not installed')
    return moto as Moto
  }

  async function getObject(m: Moto, key: string) {
    const signed = await sign({
      url: `${m.endpoint}/${bucket}/${key}`,
      service: 's3',
      region: m.region,
      credentials: m.credentials,
    })
    const response = await fetch(signed.url, { headers: signed.headers })
    return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) }
  }

  it.for(MODES)('PutObject %s %s is accepted (and reads back)', async ([mode, checksum], ctx) => {
    const m = server(ctx)
    for (const length of [0, 70_000]) {
      const data = randomBytes(length, 3)
      const key = `object-${mode}-${checksum}-${length}`
      const signed = await signChunked({
        method: 'PUT',
        url: `${m.endpoint}/${bucket}/${key}`,
        headers: { 'content-type': 'application/octet-stream' },
        service: 's3',
        region: m.region,
        credentials: m.credentials,
        body: await sourceOf('node-readable', cut(data, [5000])),
        contentLength: length,
        chunkSize: 8192,
        mode,
        checksum,
      })
      const reply = await send('fetch', signed)
      expect(reply.status, reply.text).toBe(200)
      const got = await getObject(m, key)
      expect(got.status).toBe(200)
      expect(got.bytes.length).toBe(length)
      expect(sha256(got.bytes)).toBe(sha256(data))
    }
  })

  it('PutObject over node:http is accepted', async (ctx) => {
    const m = server(ctx)
    const data = randomBytes(100_000, 4)
    const signed = await signChunked({
      method: 'PUT',
      url: `${m.endpoint}/${bucket}/over-node-http`,
      service: 's3',
      region: m.region,
      credentials: m.credentials,
      body: [data],
      contentLength: data.length,
      checksum: 'crc32c',
    })
    const reply = await send('node:http', signed)
    expect(reply.status, reply.text).toBe(200)
  })

  it('a seed signed with the wrong secret is refused: SignatureDoesNotMatch', async (ctx) => {
    const m = server(ctx)
    const signed = await signChunked({
      method: 'PUT',
      url: `${m.endpoint}/${bucket}/refused`,
      service: 's3',
      region: m.region,
      credentials: { ...m.credentials, secretAccessKey: `${m.credentials.secretAccessKey}x` },
      body: [randomBytes(10_000, 1)],
      contentLength: 10_000,
    })
    const reply = await send('fetch', signed)
    expect(reply.status).toBe(403)
    expect(reply.text).toContain('<Code>SignatureDoesNotMatch</Code>')
  })
})
