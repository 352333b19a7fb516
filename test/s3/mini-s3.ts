// A loopback stand-in for S3's multipart API, for fault tests: Create/UploadPart/Complete/Abort,
// ListMultipartUploads and PutObject, with scripted part failures. It checks each body against its
// signed x-amz-content-sha256 and its content-length, and keeps only sizes and hashes, not bodies.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface MiniS3 {
  url: string
  /** Active multipart uploads: id -> parts (number -> size and md5). */
  uploads: Map<string, Map<number, { size: number; md5: string }>>
  /** Every request: method and path with query. */
  log: string[]
  /** Per part number: how many more times it fails with 500 InternalError (Infinity: always). */
  failPart: Map<number, number>
  /** Completed objects: key -> size. */
  objects: Map<string, number>
  /** Completed multipart objects: key -> their parts in order. */
  completed: Map<string, Array<{ size: number; md5: string }>>
  /** How many more CompleteMultipartUpload calls get 200 with an InternalError in the body, as S3 sometimes answers. */
  completeErrors: number
  /** How many more CompleteMultipartUpload calls get 200 with an empty body (a connection S3 dropped mid-answer). */
  completeEmpty: number
  /** Headers of every request, in order. */
  headers: Array<Record<string, string | string[] | undefined>>
  /** Called when a part starts arriving (before its body is read). */
  onPart?: ((part: number) => void) | undefined
  close(): Promise<void>
}

const xmlError = (res: ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' })
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>mini</RequestId></Error>`,
  )
}

interface Body {
  size: number
  sha256: string
  md5: string
  text: string
}

/** The body's size and hashes, or `undefined` when the client went away mid-body. */
function readBody(req: IncomingMessage): Promise<Body | undefined> {
  const sha = createHash('sha256')
  const md5 = createHash('md5')
  let size = 0
  const small: Buffer[] = []
  return new Promise<Body | undefined>((resolve) => {
    req.on('data', (chunk: Buffer) => {
      sha.update(chunk)
      md5.update(chunk)
      size += chunk.length
      if (size < 1 << 20) small.push(chunk)
    })
    req.on('end', () =>
      resolve({ size, sha256: sha.digest('hex'), md5: md5.digest('hex'), text: Buffer.concat(small).toString('utf8') }),
    )
    req.on('error', () => resolve(undefined))
  })
}

export async function startMiniS3(): Promise<MiniS3> {
  let nextId = 1
  const sockets = new Set<Socket>()
  const state: MiniS3 = {
    url: '',
    uploads: new Map(),
    log: [],
    failPart: new Map(),
    objects: new Map(),
    completed: new Map(),
    completeErrors: 0,
    completeEmpty: 0,
    headers: [],
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url as string, 'http://x')
    const q = url.searchParams
    state.log.push(`${req.method} ${req.url}`)
    state.headers.push(req.headers)
    const partNumber = Number(q.get('partNumber'))
    if (req.method === 'PUT' && q.has('uploadId')) state.onPart?.(partNumber)
    const body = await readBody(req)
    if (body === undefined) return res.destroy() // the client went away mid-body (an aborted upload)
    const declared = req.headers['x-amz-content-sha256']
    if (declared !== 'UNSIGNED-PAYLOAD' && declared !== body.sha256)
      return xmlError(res, 400, 'XAmzContentSHA256Mismatch')
    if (req.headers['content-length'] !== undefined && Number(req.headers['content-length']) !== body.size) {
      return xmlError(res, 400, 'IncompleteBody')
    }
    const key = url.pathname
    if (req.method === 'POST' && q.has('uploads')) {
      const id = `up${nextId++}`
      state.uploads.set(id, new Map())
      res.writeHead(200, { 'content-type': 'application/xml' })
      return res.end(`<InitiateMultipartUploadResult><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`)
    }
    if (req.method === 'GET' && q.has('uploads')) {
      res.writeHead(200, { 'content-type': 'application/xml' })
      const list = [...state.uploads.keys()].map((id) => `<Upload><UploadId>${id}</UploadId></Upload>`).join('')
      return res.end(`<ListMultipartUploadsResult>${list}</ListMultipartUploadsResult>`)
    }
    const id = q.get('uploadId')
    const upload = id === null ? undefined : state.uploads.get(id)
    if (id !== null && upload === undefined) return xmlError(res, 404, 'NoSuchUpload')
    if (req.method === 'PUT' && upload !== undefined) {
      const left = state.failPart.get(partNumber) ?? 0
      if (left > 0) {
        state.failPart.set(partNumber, left - 1)
        return xmlError(res, 500, 'InternalError')
      }
      upload.set(partNumber, { size: body.size, md5: body.md5 })
      res.writeHead(200, { etag: `"${body.md5}"` })
      return res.end()
    }
    if (req.method === 'POST' && upload !== undefined && state.completeEmpty > 0) {
      state.completeEmpty--
      res.writeHead(200, { 'content-type': 'application/xml' })
      return res.end()
    }
    if (req.method === 'POST' && upload !== undefined && state.completeErrors > 0) {
      state.completeErrors--
      res.writeHead(200, { 'content-type': 'application/xml' })
      return res.end('<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>')
    }
    if (req.method === 'POST' && upload !== undefined) {
      state.uploads.delete(id as string)
      const size = [...upload.values()].reduce((a, p) => a + p.size, 0)
      state.objects.set(key, size)
      state.completed.set(
        key,
        [...upload.entries()].sort(([a], [b]) => a - b).map(([, part]) => part),
      )
      res.writeHead(200, { 'content-type': 'application/xml' })
      return res.end(
        `<CompleteMultipartUploadResult><ETag>"done-${upload.size}"</ETag></CompleteMultipartUploadResult>`,
      )
    }
    if (req.method === 'DELETE' && upload !== undefined) {
      state.uploads.delete(id as string)
      res.writeHead(204)
      return res.end()
    }
    if (req.method === 'PUT') {
      state.objects.set(key, body.size)
      res.writeHead(200, { etag: `"${body.md5}"` })
      return res.end()
    }
    return xmlError(res, 400, 'NotImplemented')
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}
