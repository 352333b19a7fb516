// A loopback S3-like sink that verifies aws-chunked uploads the way S3 does: the seed signature over
// the headers (recomputed from the request as received), then every chunk signature, the trailer
// signature and checksum, through decodeChunked. It keeps what it decoded, per path.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type AwsigError, type Credentials, decodeChunked, sign } from '../../src/index.js'

export interface Upload {
  path: string
  /** `ok` once the whole body verified; otherwise the error code that stopped it. */
  outcome: 'ok' | string
  sha256: string
  length: number
  chunks: number
  trailers: Record<string, string>
  /** The decoded bytes, when the server was asked to keep them. */
  bytes: Buffer | undefined
}

export interface ChunkedServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  region: string
  credentials: Credentials
  /** Every upload, in the order they ended (verified or not). */
  uploads: Upload[]
  /** Resolves once `count` uploads have ended. */
  settled(count: number): Promise<void>
  close(): Promise<void>
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

export async function startChunkedServer(options: { keepBytes?: boolean } = {}): Promise<ChunkedServer> {
  const region = 'us-west-2'
  const credentials = { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback/secret+key' }
  const uploads: Upload[] = []
  const waiters: Array<() => void> = []
  const record = (upload: Upload) => {
    uploads.push(upload)
    for (const wake of waiters.splice(0)) wake()
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/'
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const header = (name: string) => {
      const value = req.headers[name]
      return Array.isArray(value) ? value.join(',') : value
    }
    const auth = AUTHORIZATION.exec(header('authorization') ?? '')
    if (auth === null || auth[1] !== credentials.accessKeyId || auth[3] !== region) {
      req.resume()
      record({ path, outcome: 'BadAuthorization', sha256: '', length: 0, chunks: 0, trailers: {}, bytes: undefined })
      return reply(403, { code: 'BadAuthorization' })
    }
    const [, , , , service, signedHeaders, seed] = auth as unknown as string[]
    const amzDate = header('x-amz-date') ?? ''
    // The seed: sign the received request's signed headers again and compare.
    const headers: Array<[string, string]> = []
    for (const name of (signedHeaders as string).split(';')) headers.push([name, header(name) ?? ''])
    const date = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    )
    const expected = await sign({
      method: req.method ?? 'PUT',
      url: `http://${header('host')}${path}`,
      headers,
      payloadHash: header('x-amz-content-sha256') ?? '',
      service: service as string,
      region,
      credentials,
      date,
      keyCache: null,
    })
    if (expected.signature !== seed || expected.signedHeaders !== signedHeaders) {
      req.resume()
      record({
        path,
        outcome: 'SignatureDoesNotMatch',
        sha256: '',
        length: 0,
        chunks: 0,
        trailers: {},
        bytes: undefined,
      })
      return reply(403, { code: 'SignatureDoesNotMatch' })
    }
    if (header('content-encoding')?.split(',')[0] !== 'aws-chunked') {
      req.resume()
      return reply(400, { code: 'NotAwsChunked' })
    }
    const decoded = decodeChunked(req, {
      mode: header('x-amz-content-sha256') ?? '',
      seedSignature: seed,
      credentials,
      region,
      service: service as string,
      date: amzDate,
      decodedContentLength: Number(header('x-amz-decoded-content-length')),
      trailer: header('x-amz-trailer'),
    })
    const hash = createHash('sha256')
    const kept: Buffer[] = []
    try {
      for await (const bytes of decoded) {
        hash.update(bytes)
        if (options.keepBytes) kept.push(Buffer.from(bytes))
      }
    } catch (error) {
      const code = (error as AwsigError).code ?? String(error)
      record({
        path,
        outcome: code,
        sha256: '',
        length: decoded.length,
        chunks: decoded.chunks,
        trailers: {},
        bytes: undefined,
      })
      if (!res.destroyed) reply(400, { code })
      return
    }
    const upload: Upload = {
      path,
      outcome: 'ok',
      sha256: hash.digest('hex'),
      length: decoded.length,
      chunks: decoded.chunks,
      trailers: { ...decoded.trailers },
      bytes: options.keepBytes ? Buffer.concat(kept) : undefined,
    }
    record(upload)
    reply(200, { ...upload, bytes: undefined })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    credentials,
    uploads,
    settled(count) {
      return new Promise<void>((resolve) => {
        const check = () => (uploads.length >= count ? resolve() : waiters.push(check))
        check()
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
