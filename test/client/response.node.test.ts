// The node-http transport's response against fetch's: the same loopback answers fetched both ways, every
// member of `Response` compared (status, headers, url, each body method, the body stream, bodyUsed, clone,
// and the TypeErrors of a body read twice or locked), for small bodies read whole and streamed ones.
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, send } from '../../src/client/index.js'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
// Multi-byte text larger than the size read whole (64 KiB), so that it streams and characters straddle pieces.
const LONG = 'žluťoučký kůň 🐎 '.repeat(6000)

const routes: Record<string, { status?: number; headers?: Array<[string, string]>; body?: string | Buffer }> = {
  '/json': {
    headers: [
      ['content-type', 'application/json; charset=utf-8'],
      ['x-amz-request-id', 'R1'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-multi', 'one'],
      ['X-Multi', 'two'],
    ],
    body: '\uFEFF{"Item":{"name":{"S":"Ada"}},"text":"čau"}',
  },
  '/bytes': { headers: [['content-type', 'application/octet-stream']], body: Buffer.from([0, 1, 2, 254, 255]) },
  '/form': { headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'a=1&b=two+words&a=3' },
  '/long': { headers: [['content-type', 'text/plain; charset=utf-8']], body: LONG },
  '/chunked': { headers: [['content-type', 'text/xml']], body: '<ListBucketResult><Name>b</Name></ListBucketResult>' },
  '/chunked-once': { headers: [['content-type', 'application/octet-stream']], body: Buffer.from([7, 8, 9]) },
  '/bad-json': { status: 400, headers: [['content-type', 'application/json']], body: '{"__type":' },
  '/empty': { status: 204 },
  '/not-modified': { status: 304, headers: [['etag', '"abc"']] },
  '/created': { status: 201, body: '' },
}

let base = ''
let server: ReturnType<typeof createServer>

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const route = routes[(req.url ?? '').split('?')[0] ?? ''] ?? { status: 404, body: 'no route' }
      const body = route.body === undefined ? undefined : Buffer.from(route.body)
      const headers = [...(route.headers ?? [])]
      res.sendDate = false // the two fetches of a comparison may fall in different seconds
      // /chunked announces no length (transfer-encoding: chunked), so it is streamed whatever its size.
      if (body !== undefined && !req.url?.startsWith('/chunked')) headers.push(['content-length', String(body.length)])
      res.writeHead(route.status ?? 200, headers.flat())
      if (body !== undefined && req.method !== 'HEAD' && req.url !== '/chunked-once') {
        // In two writes, so that the body reaches the client in more than one piece.
        const half = Math.floor(body.length / 2)
        res.write(body.subarray(0, half))
        setTimeout(() => res.end(body.subarray(half)), 2)
      } else res.end(req.method === 'HEAD' ? undefined : body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** The same request answered by the node-http transport and by the global fetch. */
async function both(path: string, method = 'GET'): Promise<[Response, Response]> {
  const url = `${base}${path}`
  return Promise.all([send({ url, method }, { transport: 'node-http' }), fetch(url, { method })])
}

async function settle<T>(promise: () => Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await promise() }
  } catch (error) {
    return { error: (error as Error).name }
  }
}

const PATHS = ['/json', '/bytes', '/form', '/long', '/chunked', '/bad-json', '/empty', '/not-modified', '/created']

describe("the node-http response against fetch's", () => {
  for (const path of PATHS) {
    it(`${path}: status, headers, url and every body method`, async () => {
      const reads = ['text', 'json', 'arrayBuffer', 'bytes', 'blob', 'formData'] as const
      // Each read with the body stream untouched (bytes read whole are used as they are), then touched first.
      for (const [read, touch] of reads.flatMap((r) => [[r, false] as const, [r, true] as const])) {
        const [light, real] = await both(path)
        if (touch) expect(light.body === null).toBe(real.body === null)
        expect(light).not.toBeInstanceOf(Response)
        expect(light.status).toBe(real.status)
        expect(light.ok).toBe(real.ok)
        expect(light.statusText).toBe(real.statusText)
        expect(light.url).toBe(real.url)
        expect(light.type).toBe(real.type)
        expect(light.redirected).toBe(real.redirected)
        // fetch adds nothing on Node; node:http's connection headers (date, keep-alive) are the server's.
        expect([...light.headers]).toEqual([...real.headers])
        expect(light.headers.get('x-multi')).toBe(real.headers.get('x-multi'))
        expect(light.headers.getSetCookie()).toEqual(real.headers.getSetCookie())
        // Immutable, as fetch's response headers are.
        expect(() => real.headers.set('x-amz-request-id', 'changed')).toThrow(TypeError)
        expect(() => light.headers.set('x-amz-request-id', 'changed')).toThrow(TypeError)
        expect(light.bodyUsed).toBe(false)

        const [mine, theirs] = await Promise.all([settle(() => light[read]()), settle(() => real[read]())])
        if (read === 'blob') {
          expect(mine.value?.constructor).toBe(Blob)
          const [a, b] = [mine.value as Blob, theirs.value as Blob]
          expect(a.type).toBe(b.type)
          expect(new Uint8Array(await a.arrayBuffer())).toEqual(new Uint8Array(await b.arrayBuffer()))
        } else if (read === 'formData') {
          expect(mine.error).toBe(theirs.error)
          if (theirs.value !== undefined) expect([...(mine.value as FormData)]).toEqual([...(theirs.value as FormData)])
        } else {
          expect(mine).toEqual(theirs)
          if (read === 'arrayBuffer') expect(mine.value?.constructor).toBe(ArrayBuffer)
          if (read === 'bytes') expect(mine.value?.constructor).toBe(Uint8Array)
        }
        // Read once: bodyUsed as fetch says, and a second read fails as fetch's does.
        expect(light.bodyUsed).toBe(real.bodyUsed)
        expect(light.body === null).toBe(real.body === null)
        // The used body stream is as fetch leaves it (locked, so that it cannot be read or reused).
        if (real.body !== null) expect(light.body?.locked).toBe(real.body.locked)
        expect(await settle(() => light.text())).toEqual(await settle(() => real.text()))
        const clones = [await settle(async () => light.clone()), await settle(async () => real.clone())]
        expect(clones[0]?.error).toBe(clones[1]?.error)
      }
    })
  }

  it('HEAD: a null body, whatever content-length says', async () => {
    const [light, real] = await both('/json', 'HEAD')
    expect(real.body).toBeNull()
    expect(light.body).toBeNull()
    expect(light.headers.get('content-length')).toBe(real.headers.get('content-length'))
    expect(await light.text()).toBe('')
    expect(new Uint8Array(await light.arrayBuffer())).toEqual(new Uint8Array(0))
    expect(light.bodyUsed).toBe(false)
  })

  for (const path of ['/json', '/long', '/chunked']) {
    it(`${path}: the body stream, read by hand, is the body; then the body is used`, async () => {
      const [light, real] = await both(path)
      const read = async (response: Response) => {
        const stream = response.body as ReadableStream<Uint8Array>
        expect(stream).toBeInstanceOf(ReadableStream)
        expect(response.body).toBe(stream) // the same stream every time
        const pieces: number[] = []
        for await (const piece of stream) {
          expect(piece).toBeInstanceOf(Uint8Array)
          pieces.push(...piece)
        }
        return pieces
      }
      const [mine, theirs] = await Promise.all([read(light), read(real)])
      expect(mine).toEqual(theirs)
      expect(light.bodyUsed).toBe(true)
      expect(real.bodyUsed).toBe(true)
      expect(await settle(() => light.json())).toEqual({ error: 'TypeError' })
    })

    it(`${path}: a locked body cannot be read, and a clone reads the same as its original`, async () => {
      const [locked] = await both(path)
      locked.body?.getReader()
      expect(locked.bodyUsed).toBe(false) // locked is not used, as with fetch
      expect(await settle(() => locked.text())).toEqual({ error: 'TypeError' })
      expect(() => locked.clone()).toThrow(TypeError)

      const [light, real] = await both(path)
      const copy = light.clone()
      expect(copy).not.toBe(light)
      expect(copy.status).toBe(light.status)
      expect([...copy.headers]).toEqual([...light.headers])
      const [a, b, c] = await Promise.all([light.text(), copy.text(), real.text()])
      expect(a).toBe(c)
      expect(b).toBe(c)
    })
  }

  it('bytes handed out are a copy: changing them changes neither a clone nor a second call', async () => {
    const [light] = await both('/bytes')
    const copy = light.clone()
    const bytes = await light.bytes()
    bytes.fill(9)
    expect([...(await copy.bytes())]).toEqual([0, 1, 2, 254, 255])
    // The ArrayBuffer holds the body and nothing else.
    const [again] = await both('/bytes')
    expect((await again.arrayBuffer()).byteLength).toBe(5)
    // Streamed in one piece: a clone's branch of the stream shares the piece, so it is copied as well.
    const [streamed] = await both('/chunked-once')
    const streamedCopy = streamed.clone()
    ;(await streamed.bytes()).fill(0)
    expect([...(await streamedCopy.bytes())]).toEqual([7, 8, 9])
  })

  it('createClient() answers with it on Node, and `new Response(r.body, r)` makes a real Response', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 'dynamodb', retry: false })
    const response = await client.fetch(`${base}/json`, { method: 'POST', body: '{}' })
    expect(response).not.toBeInstanceOf(Response)
    expect(response.url).toBe(`${base}/json`)
    const real = new Response(response.body, response)
    expect(real).toBeInstanceOf(Response)
    expect(real.status).toBe(200)
    expect(real.headers.get('x-amz-request-id')).toBe('R1')
    expect(await real.json()).toEqual({ Item: { name: { S: 'Ada' } }, text: 'čau' })
  })

  /** In a fresh node: the client bundled from source, a loopback server answering `answer`, one call `made`. */
  async function runFresh(answer: string, made: string): Promise<Record<string, unknown>> {
    const bundle = await build({
      stdin: {
        contents: `
          import { createServer } from 'node:http'
          import { createClient } from './src/client/index.ts'
          const server = createServer((req, res) => {
            req.resume()
            req.on('end', () => ${answer})
          })
          await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
          const client = createClient({ credentials: ${JSON.stringify(credentials)}, region: 'us-east-1', service: 'dynamodb' })
          const url = 'http://127.0.0.1:' + server.address().port + '/'
          const seen = await (async () => { ${made} })()
          server.close()
          const loaded = process.moduleLoadList.filter((m) => /undici|webstreams.readablestream/.test(m))
          process.stdout.write(JSON.stringify({ ...seen, loaded }))
        `,
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
    })
    const script = bundle.outputFiles[0]?.text as string
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))
  }

  it("a call read whole never loads undici or Node's web streams (9 MB of memory between them)", async () => {
    // A length announced, as AWS's JSON answers have: the body is read whole.
    const out = await runFresh(
      `res.writeHead(200, { 'x-amz-request-id': 'R1', 'content-length': 11 }).end('{"Item":{}}')`,
      `const response = await client.fetch(url, { method: 'POST', body: '{}' })
       return { json: await response.json(), id: response.headers.get('x-amz-request-id'), entries: [...response.headers].length }`,
    )
    expect(out).toEqual({ json: { Item: {} }, id: 'R1', entries: 5, loaded: [] })
  })

  it('nor does an error answer of announced length, which is read whole too', async () => {
    const body = '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"gone"}'
    const out = await runFresh(
      `res.writeHead(400, { 'x-amzn-requestid': 'R2', 'content-length': ${body.length} }).end(${JSON.stringify(body)})`,
      `const error = await client.fetch(url, { method: 'POST', body: '{}' }).catch((e) => e)
       return { awsCode: error.awsCode, requestId: error.requestId }`,
    )
    expect(out).toEqual({ awsCode: 'ResourceNotFoundException', requestId: 'R2', loaded: [] })
  })
})
