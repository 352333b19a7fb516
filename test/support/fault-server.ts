// A loopback HTTP server that answers from a script: statuses, headers, bodies, delays, connection
// resets and requests that never get an answer. It records every request, and checks SigV4 signatures
// by recomputing them with `sign` from the request as it arrived.
import { createHash } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { type Credentials, sign } from '../../src/index.js'
import { parseAmzDate as parseEngineDate } from '../../src/sign/date.js'

export interface RecordedRequest {
  method: string
  /** Path and query as sent. */
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
  /** `Date.now()` when the request arrived. */
  at: number
}

/** What the server does with a request. */
export type Action =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer }
  | { reset: true }
  | { hang: true }
  | { delay: number; action: Action }

export interface FaultServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  requests: RecordedRequest[]
  /** Queues actions for the next requests; once the queue is empty, `fallback` answers. */
  script(...actions: Action[]): void
  /** Answers requests when the script is empty. @default 200 `{}` */
  fallback: Action | ((request: RecordedRequest) => Action)
  reset(): void
  close(): Promise<void>
}

export async function startFaultServer(): Promise<FaultServer> {
  const queue: Action[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const state: FaultServer = {
    url: '',
    requests: [],
    script: (...actions) => {
      queue.push(...actions)
    },
    fallback: { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
    reset() {
      queue.length = 0
      state.requests.length = 0
      state.fallback = { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }

  const perform = (action: Action, res: ServerResponse) => {
    if ('reset' in action) {
      res.socket?.resetAndDestroy?.()
      res.socket?.destroy()
      return
    }
    if ('hang' in action) return
    if ('delay' in action) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        perform(action.action, res)
      }, action.delay)
      timers.add(timer)
      return
    }
    res.writeHead(action.status, action.headers ?? {})
    res.end(action.body ?? '')
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('error', () => {})
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      }
      state.requests.push(recorded)
      const next = queue.shift() ?? (typeof state.fallback === 'function' ? state.fallback(recorded) : state.fallback)
      perform(next, res)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}

/** `20150830T123600Z` → Date (through the engine's own parser). */
export function parseAmzDate(amzDate: string): Date {
  const ms = parseEngineDate(amzDate)
  if (ms === undefined) throw new Error(`not an x-amz-date: ${amzDate}`)
  return new Date(ms)
}

/**
 * Recomputes the signature of a recorded request from what arrived (signed headers, path, query, body
 * hash) and says whether it matches the one sent.
 */
export async function signatureIsValid(
  request: RecordedRequest,
  origin: string,
  credentials: Credentials,
): Promise<boolean> {
  const authorization = String(request.headers.authorization ?? '')
  const m =
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    )
  if (m === null) return false
  const [, region, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string]
  const headers: Array<[string, string]> = []
  for (const name of signedHeaders.split(';')) {
    const value = request.headers[name]
    if (value === undefined) return false
    headers.push([name, Array.isArray(value) ? value.join(',') : value])
  }
  const contentHash = request.headers['x-amz-content-sha256']
  const resigned = await sign({
    url: origin + request.url,
    method: request.method,
    headers,
    payloadHash:
      typeof contentHash === 'string' ? contentHash : createHash('sha256').update(request.body).digest('hex'),
    service,
    region,
    credentials,
    date: parseAmzDate(String(request.headers['x-amz-date'])),
    contentHashHeader: typeof contentHash === 'string',
    keyCache: null,
  })
  return resigned.signature === signature
}
