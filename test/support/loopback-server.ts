// A tiny HTTP server on 127.0.0.1 with an ephemeral port, for the credentials endpoints' doubles.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** Every request received, in order. */
  requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500)
        res.end(String(error))
      })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers })
  res.end(body)
}

/** A deterministic fake secret of a given shape, from a seed. */
export function fakeKey(prefix: string, seed: string, length = 20): string {
  let h = 2166136261
  let out = ''
  for (let i = 0; out.length < length - prefix.length; i++) {
    for (const c of `${seed}/${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0
    out += h.toString(36).toUpperCase()
  }
  return prefix + out.slice(0, length - prefix.length)
}
