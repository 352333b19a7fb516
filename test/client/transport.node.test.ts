// send(): each transport against a loopback server. What reaches the server (content-length kept, no
// chunked encoding, the body intact), the Response it gives back, aborts, failing sources, network
// errors, bad input, and createClient's default transport for stream bodies.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, send } from '../../src/client/index.js'
import { AwsigError, InvalidInputError, NetworkError, StreamError } from '../../src/errors.js'
import { signChunked } from '../../src/index.js'
import { freshChunks } from '../support/streaming/fresh-chunks.mjs'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  /** `[name, value, ...]` as received. */
  raw: string[]
  length: number
}

let base = ''
let server: ReturnType<typeof createServer>
const received: Received[] = []
/** Per-path behaviour; the default reads the body and answers 200 with a summary. */
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/created': (_req, res) => {
    res.writeHead(201, 'Created Here', [
      ['x-amz-request-id', 'REQ1'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['content-type', 'text/plain'],
    ])
    res.end('hello')
  },
  '/empty': (_req, res) => {
    res.writeHead(204)
    res.end()
  },
  '/missing': (_req, res) => {
    res.writeHead(404, { 'content-type': 'application/xml' })
    res.end('<Error><Code>NoSuchKey</Code></Error>')
  },
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-length': String(8 * 2 ** 20) })
    ;(async () => {
      for await (const piece of freshChunks(8 * 2 ** 20)) {
        if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve))
      }
      res.end()
    })()
  },
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let length = 0
    req.on('data', (chunk: Buffer) => {
      length += chunk.length
    })
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw: req.rawHeaders, length })
      const route = routes[req.url ?? '']
      if (route !== undefined) return route(req, res)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ length }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const last = () => received[received.length - 1] as Received

async function upload(path: string, size: number, contentLength = size, signal?: AbortSignal) {
  return signChunked({
    method: 'PUT',
    url: `${base}${path}`,
    service: 's3',
    region: 'us-east-1',
    credentials,
    body: freshChunks(size),
    contentLength,
    signal,
  })
}

describe('send: streamed uploads', () => {
  it('auto on Node sends a stream with node:http: content-length as signed, no chunked encoding', async () => {
    const signed = await upload('/put-auto', 1_000_000)
    const response = await send(signed)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ length: signed.contentLength })
    const got = last()
    expect(got.method).toBe('PUT')
    expect(got.headers['content-length']).toBe(String(signed.contentLength))
    expect(got.headers['transfer-encoding']).toBeUndefined()
    expect(got.headers['x-amz-decoded-content-length']).toBe('1000000')
    expect(got.headers.authorization).toBe(signed.headers.authorization)
    // undici's fetch sends `user-agent: node`; node:http sends none.
    expect(got.headers['user-agent']).toBeUndefined()
  })

  it("transport: 'fetch' uses fetch (duplex: 'half'), content-length kept on Node", async () => {
    const signed = await upload('/put-fetch', 300_000)
    const response = await send(signed, { transport: 'fetch' })
    expect(await response.json()).toEqual({ length: signed.contentLength })
    expect(last().headers['user-agent']).toBe('node')
    expect(last().headers['content-length']).toBe(String(signed.contentLength))
  })

  it('a fetch option is the one called by the fetch transport', async () => {
    const calls: Array<[string, RequestInit & { duplex?: string }]> = []
    const response = await send(
      { url: `${base}/x`, method: 'post', headers: { 'x-a': '1', host: new URL(base).host }, body: 'hi' },
      {
        transport: 'fetch',
        fetch: async (url, init) => {
          calls.push([url, init])
          return new Response('ok')
        },
      },
    )
    expect(await response.text()).toBe('ok')
    expect(calls).toHaveLength(1)
    const [url, init] = calls[0] as [string, RequestInit]
    expect(url).toBe(`${base}/x`)
    expect(init.method).toBe('POST')
    // fetch sends the URL's host itself: the equal host header is dropped, not sent twice.
    expect(init.headers).toEqual([['x-a', '1']])
    expect(init.body).toBe('hi')
  })

  for (const transport of ['node-http', 'fetch'] as const) {
    it(`${transport}: a source shorter than contentLength rejects with its StreamError`, async () => {
      const signed = await upload('/short', 100_000, 200_000)
      const error = await send(signed, { transport }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StreamError)
      expect((error as StreamError).code).toBe('ERR_BODY_LENGTH')
    })

    it(`${transport}: an aborted signal rejects with its reason, mid-upload`, async () => {
      const controller = new AbortController()
      const signed = await upload('/aborted', 64 * 2 ** 20, 64 * 2 ** 20, controller.signal)
      const reason = new Error('stop')
      setTimeout(() => controller.abort(reason), 20)
      const error = await send({ ...signed, signal: controller.signal }, { transport }).catch((e: unknown) => e)
      expect(error).toBe(reason)
    })

    it(`${transport}: an early error from a server that stops reading ends the upload and releases the source`, async () => {
      // S3 answers 403 as soon as it has the head, then reads no more: the sender must not wait on it.
      const sockets = new Set<import('node:net').Socket>()
      const early = createNetServer((socket) => {
        sockets.add(socket)
        let head = ''
        socket.on('data', (piece: Buffer) => {
          if (head.includes('\r\n\r\n')) return
          head += piece.toString('latin1')
          if (!head.includes('\r\n\r\n')) return
          const xml = '<Error><Code>AccessDenied</Code></Error>'
          socket.write(
            `HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: ${xml.length}\r\n\r\n${xml}`,
          )
          socket.pause()
        })
      })
      await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve))
      let released = false
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new Uint8Array(1024 * 1024))
        },
        cancel() {
          released = true
        },
      })
      try {
        const port = (early.address() as AddressInfo).port
        const response = await send(
          {
            url: `http://127.0.0.1:${port}/k`,
            method: 'PUT',
            headers: { 'content-length': String(2 ** 30) },
            body: endless,
          },
          { transport },
        )
        expect(response.status).toBe(403)
        expect(await response.text()).toBe('<Error><Code>AccessDenied</Code></Error>')
        for (let i = 0; i < 100 && !released; i++) await new Promise((resolve) => setTimeout(resolve, 20))
        expect(released).toBe(true)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => early.close(resolve))
      }
    })

    it(`${transport}: no server is a NetworkError with the cause`, async () => {
      const closed = createServer()
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
      const port = (closed.address() as AddressInfo).port
      await new Promise((resolve) => closed.close(resolve))
      const error = await send(
        { url: `http://127.0.0.1:${port}/x?X-Amz-Signature=abc`, method: 'PUT', body: 'x' },
        { transport },
      ).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as NetworkError).code).toBe('ERR_NETWORK')
      expect((error as NetworkError).url).toBe(`http://127.0.0.1:${port}/x?X-Amz-Signature=[redacted]`)
      expect((error as Error).message).toContain('ECONNREFUSED')
    })
  }
})

describe('send: the Response (node-http)', () => {
  it('status, status text, repeated headers and body', async () => {
    const response = await send({ url: `${base}/created`, body: new Uint8Array([1, 2]) }, { transport: 'node-http' })
    // A Response in all but its class (test/client/response.node.test.ts compares it with fetch's).
    expect(response).not.toBeInstanceOf(Response)
    expect(response.status).toBe(201)
    expect(response.statusText).toBe('Created Here')
    expect(response.ok).toBe(true)
    expect(response.headers.get('x-amz-request-id')).toBe('REQ1')
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(await response.text()).toBe('hello')
    expect(last().length).toBe(2)
  })

  it('an error status is returned, not thrown', async () => {
    const response = await send({ url: `${base}/missing` }, { transport: 'node-http' })
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('<Error><Code>NoSuchKey</Code></Error>')
  })

  it('204 has a null body', async () => {
    const response = await send({ url: `${base}/empty`, method: 'DELETE' }, { transport: 'node-http' })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
  })

  it('a large body streams through whole', async () => {
    const response = await send({ url: `${base}/big` }, { transport: 'node-http' })
    const bytes = new Uint8Array(await response.arrayBuffer())
    const expected = new Uint8Array(8 * 2 ** 20)
    let offset = 0
    for await (const piece of freshChunks(8 * 2 ** 20)) {
      expected.set(piece, offset)
      offset += piece.length
    }
    expect(bytes.length).toBe(expected.length)
    expect(Buffer.compare(bytes, expected)).toBe(0)
  })

  it('the path, query and Host reach the server as the URL has them, over IPv4 and IPv6', async () => {
    const port = new URL(base).port
    const response = await send({ url: `${base}/a%20b/c?x=1&y=%2F#fragment` }, { transport: 'node-http' })
    expect(last().url).toBe('/a%20b/c?x=1&y=%2F')
    expect(response.url).toBe(`${base}/a%20b/c?x=1&y=%2F`) // as fetch's: no fragment
    expect(last().headers.host).toBe(`127.0.0.1:${port}`)

    const seen: string[] = []
    const v6 = createServer((req, res) => {
      seen.push(`${req.headers.host} ${req.url}`)
      res.end('six')
    })
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve))
    try {
      const url = `http://[::1]:${(v6.address() as AddressInfo).port}/six?q=1`
      const response = await send({ url }, { transport: 'node-http' })
      expect(await response.text()).toBe('six')
      expect(response.url).toBe(url)
      expect(seen).toEqual([`[::1]:${(v6.address() as AddressInfo).port} /six?q=1`])
    } finally {
      v6.closeAllConnections()
      await new Promise((resolve) => v6.close(resolve))
    }
  })

  it('sends a host header it is given (fetch cannot)', async () => {
    const host = `example.test:${new URL(base).port}`
    await send({ url: `${base}/h`, headers: { host } }, { transport: 'node-http' })
    expect(last().headers.host).toBe(host)
  })

  it("sends headers named like Object.prototype's members (constructor, __proto__) as they are", async () => {
    const named = (name: string) => last().raw.filter((_, i, raw) => i % 2 === 1 && raw[i - 1] === name)
    const headers = { constructor: 'c', ['__proto__']: 'p', 'x-a': 'a' }
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: false })
    for (const sendIt of [
      () =>
        send(
          {
            url: `${base}/proto`,
            headers: [
              ['constructor', 'c'],
              ['__proto__', 'p'],
            ],
          },
          { transport: 'node-http' },
        ),
      () => client.fetch(`${base}/proto`, { headers }),
    ]) {
      await sendIt()
      expect([named('constructor'), named('__proto__')]).toEqual([['c'], ['p']])
    }
  })
})

describe('send: bad input fails before any I/O', () => {
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['request', () => send(null as never), 'request'],
    ['url', () => send({ url: 'ftp://example.com/' }), 'url'],
    ['relative url', () => send({ url: '/relative' }), 'url'],
    ['body', () => send({ url: base, body: 42 as never }), 'body'],
    ['transport', () => send({ url: base }, { transport: 'carrier-pigeon' as never }), 'transport'],
    ['fetch', () => send({ url: base }, { fetch: 'nope' as never }), 'fetch'],
    ['signal', () => send({ url: base, signal: {} as never }), 'signal'],
    ['contentLength', () => send({ url: base, contentLength: -1 }), 'contentLength'],
    [
      'host with fetch',
      () => send({ url: base, headers: { host: 'other.test' } }, { transport: 'fetch' }),
      'headers["host"]',
    ],
  ]
  for (const [name, run, field] of cases) {
    it(name, async () => {
      const count = received.length
      const error = await run().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as InvalidInputError).field).toBe(field)
      expect(error).toBeInstanceOf(AwsigError)
      expect(received.length).toBe(count)
    })
  }
})

describe('createClient without a fetch option', () => {
  it('sends a stream body the way send does (node:http on Node), content-length kept', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: false })
    const size = 200_000
    const response = await client.fetch(`${base}/client-stream`, {
      method: 'PUT',
      headers: { 'content-length': String(size) },
      body: new ReadableStream({
        async pull(controller) {
          for await (const piece of freshChunks(size)) controller.enqueue(piece)
          controller.close()
        },
      }),
      payloadHash: 'UNSIGNED-PAYLOAD',
    })
    expect(await response.json()).toEqual({ length: size })
    expect(last().headers['content-length']).toBe(String(size))
    expect(last().headers['transfer-encoding']).toBeUndefined()
    expect(last().headers['user-agent']).toBeUndefined()
  })

  it('sends other bodies with node:http too, answering a fetch-like Response', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: false })
    const response = await client.fetch(`${base}/client-bytes`, { method: 'PUT', body: 'hello' })
    expect(response).not.toBeInstanceOf(Response)
    expect(response.url).toBe(`${base}/client-bytes`)
    expect(await response.json()).toEqual({ length: 5 })
    // Node's fetch sends `user-agent: node` and `sec-fetch-mode`; node:http sends neither.
    expect(last().headers['user-agent']).toBeUndefined()
    expect(last().headers['sec-fetch-mode']).toBeUndefined()
    expect(last().headers['content-length']).toBe('5')
  })

  it('uses the global fetch when it was replaced, or for fetch-only options and bodies', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: false })
    // fetch-only init option (`cache`) and a body only fetch takes (URLSearchParams): Node's fetch.
    await (await client.fetch(`${base}/client-bytes`, { method: 'PUT', body: 'hello', cache: 'no-store' })).text()
    expect(last().headers['user-agent']).toBe('node')
    await (await client.fetch(`${base}/client-bytes`, { method: 'PUT', body: new URLSearchParams('a=1') })).text()
    expect(last().headers['user-agent']).toBe('node')
    const real = globalThis.fetch
    const seen: string[] = []
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      seen.push(`${init.method} ${url}`)
      return new Response('{"stubbed":true}')
    }) as typeof fetch
    try {
      const response = await client.fetch(`${base}/stubbed`, { method: 'PUT', body: 'x' })
      expect(await response.json()).toEqual({ stubbed: true })
    } finally {
      globalThis.fetch = real
    }
    expect(seen).toEqual([`PUT ${base}/stubbed`])
  })
})

describe('send over https (node-http, with an agent)', () => {
  it('streams to a TLS server trusted through the agent; without the agent the certificate is refused', async () => {
    // A throwaway self-signed certificate for 127.0.0.1.
    const dir = mkdtempSync(join(tmpdir(), 'awsig-tls-'))
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      )
      const cert = readFileSync(join(dir, 'cert.pem'))
      const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
        let length = 0
        req.on('data', (chunk: Buffer) => {
          length += chunk.length
        })
        req.on('end', () => res.end(JSON.stringify({ length, te: req.headers['transfer-encoding'] ?? null })))
      })
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`
      try {
        const signed = await signChunked({
          method: 'PUT',
          url: `${url}/tls`,
          service: 's3',
          region: 'us-east-1',
          credentials,
          body: freshChunks(500_000),
          contentLength: 500_000,
        })
        const agent = new HttpsAgent({ ca: cert })
        const response = await send(signed, { transport: 'node-http', agent })
        expect(await response.json()).toEqual({ length: signed.contentLength, te: null })
        agent.destroy()
        const refused = await send({ url: `${url}/x` }, { transport: 'node-http' }).catch((e: unknown) => e)
        expect(refused).toBeInstanceOf(NetworkError)
        expect(((refused as NetworkError).cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
      } finally {
        tls.closeAllConnections()
        await new Promise((resolve) => tls.close(resolve))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
