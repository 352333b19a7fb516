// An S3-compatible endpoint in one file, whose only authentication is awsig's verifyRequest: buckets,
// objects (ranged reads), listings, multipart uploads, in memory. The aws CLI, the AWS SDKs, s3cmd,
// rclone and minio talk to it unchanged. Run it: `node examples/s3-server.mjs` (prints its endpoint and keys).
import { createHash, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { s3ErrorXml, VerificationError, verifyRequest } from 'awsig/verify'

const XML = { 'content-type': 'application/xml' }
const escapeXml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c])
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex')
// S3 answers these with the same XML as a VerificationError, so one kind of error serves both.
class S3Error extends Error {
  constructor(status, awsCode, message) {
    super(message)
    this.status = status
    this.awsCode = awsCode
  }
}

/**
 * Starts the endpoint. `credentials`: the access keys it accepts. `onVerified(verified)` sees every
 * verified request (the tests count the aws-chunked modes clients used). `cors: true` answers browsers'
 * preflights and lets any origin read the responses (what a bucket's CORS rule allowing `*` does).
 */
export async function startS3Server({
  credentials = [{ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret-key' }],
  region = 'us-east-1',
  host = '127.0.0.1',
  port = 0,
  onVerified,
  cors = false,
} = {}) {
  const buckets = new Map() // name -> Map(key -> { bytes, etag, type, modified })
  const uploads = new Map() // uploadId -> { bucket, key, parts: Map(number -> { bytes, etag }) }

  const server = createServer(async (req, res) => {
    const requestId = randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()
    res.setHeader('x-amz-request-id', requestId)
    if (cors && answerCors(req, res)) return
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?')
    try {
      const verified = await verifyRequest(req, { credentials, service: 's3', region })
      onVerified?.(verified)
      // Read the verified body to its end before acting on it: it errors rather than ends if it fails.
      const body =
        verified.body === null ? new Uint8Array(0) : new Uint8Array(await new Response(verified.body).arrayBuffer())
      const query = new URLSearchParams(rawQuery)
      const [, bucketName = '', ...rest] = rawPath.split('/')
      const bucket = decodeURIComponent(bucketName)
      const key = decodeURIComponent(rest.join('/'))
      await route(req, res, { bucket, key, query, body })
    } catch (error) {
      const known = error instanceof VerificationError || error instanceof S3Error
      if (!known) console.error(error)
      const status = known ? error.status : 500
      const xml =
        error instanceof S3Error
          ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.awsCode}</Code><Message>${escapeXml(error.message)}</Message><Resource>${escapeXml(rawPath)}</Resource><RequestId>${requestId}</RequestId></Error>`
          : s3ErrorXml(error, { resource: rawPath, requestId })
      if (!res.headersSent) res.writeHead(status, { ...XML, connection: 'close' })
      res.end(req.method === 'HEAD' ? undefined : xml)
    }
  })

  function objects(bucket) {
    const found = buckets.get(bucket)
    if (found === undefined) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist')
    return found
  }

  function send(res, status, headers, xml) {
    res.writeHead(status, xml === undefined ? headers : { ...XML, ...headers })
    res.end(xml === undefined ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`)
  }

  async function route(req, res, { bucket, key, query, body }) {
    const method = req.method
    if (bucket === '') {
      const list = [...buckets.keys()].map(
        (name) =>
          `<Bucket><Name>${escapeXml(name)}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`,
      )
      return send(
        res,
        200,
        {},
        `<ListAllMyBucketsResult><Owner><ID>local</ID></Owner><Buckets>${list.join('')}</Buckets></ListAllMyBucketsResult>`,
      )
    }
    if (key === '') {
      if (method === 'PUT') {
        if (!buckets.has(bucket)) buckets.set(bucket, new Map())
        return send(res, 200, { location: `/${bucket}` })
      }
      if (method === 'HEAD') return send(res, buckets.has(bucket) ? 200 : 404, {})
      if (method === 'DELETE') {
        buckets.delete(bucket)
        return send(res, 204, {})
      }
      if (method === 'GET' && query.has('location')) {
        objects(bucket)
        return send(res, 200, {}, `<LocationConstraint>${region === 'us-east-1' ? '' : region}</LocationConstraint>`)
      }
      if (method === 'GET' && query.has('uploads')) {
        return send(
          res,
          200,
          {},
          `<ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket></ListMultipartUploadsResult>`,
        )
      }
      if (method === 'GET') return send(res, 200, {}, listing(bucket, query))
      if (method === 'POST' && query.has('delete')) {
        const keys = [...new TextDecoder().decode(body).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]))
        for (const name of keys) objects(bucket).delete(name)
        return send(
          res,
          200,
          {},
          `<DeleteResult>${keys.map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join('')}</DeleteResult>`,
        )
      }
      throw new S3Error(501, 'NotImplemented', `${method} on a bucket is not implemented here`)
    }
    const store = objects(bucket)
    const uploadId = query.get('uploadId')
    if (method === 'POST' && query.has('uploads')) {
      const id = randomUUID()
      uploads.set(id, { bucket, key, parts: new Map(), type: req.headers['content-type'] })
      return send(
        res,
        200,
        {},
        `<InitiateMultipartUploadResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      )
    }
    if (uploadId !== null) {
      const upload = uploads.get(uploadId)
      if (upload === undefined) throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist')
      if (method === 'PUT') {
        const etag = `"${md5(body)}"`
        upload.parts.set(Number(query.get('partNumber')), { bytes: body, etag })
        return send(res, 200, { etag })
      }
      if (method === 'DELETE') {
        uploads.delete(uploadId)
        return send(res, 204, {})
      }
      if (method === 'POST') {
        const numbers = [...upload.parts.keys()].sort((a, b) => a - b)
        const parts = numbers.map((n) => upload.parts.get(n))
        const bytes = Buffer.concat(parts.map((p) => p.bytes))
        const etag = `"${md5(Buffer.concat(parts.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex'))))}-${parts.length}"`
        store.set(key, { bytes, etag, type: upload.type ?? 'binary/octet-stream', modified: new Date() })
        uploads.delete(uploadId)
        return send(
          res,
          200,
          {},
          `<CompleteMultipartUploadResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`,
        )
      }
    }
    if (method === 'PUT' && req.headers['x-amz-copy-source'] !== undefined) {
      const [, fromBucket, ...fromKey] = decodeURIComponent(req.headers['x-amz-copy-source'].split('?')[0]).split('/')
      const source = objects(fromBucket).get(fromKey.join('/'))
      if (source === undefined) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.')
      store.set(key, { ...source, modified: new Date() })
      return send(
        res,
        200,
        {},
        `<CopyObjectResult><LastModified>${new Date().toISOString()}</LastModified><ETag>${escapeXml(source.etag)}</ETag></CopyObjectResult>`,
      )
    }
    if (method === 'PUT') {
      const etag = `"${md5(body)}"`
      const meta = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-amz-meta-')))
      store.set(key, {
        bytes: body,
        etag,
        type: req.headers['content-type'] ?? 'binary/octet-stream',
        meta,
        modified: new Date(),
      })
      return send(res, 200, { etag })
    }
    if (method === 'DELETE') {
      store.delete(key)
      return send(res, 204, {})
    }
    if (method === 'GET' || method === 'HEAD') {
      const object = store.get(key)
      if (object === undefined) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.')
      const headers = {
        etag: object.etag,
        'content-type': object.type,
        'last-modified': object.modified.toUTCString(),
        'accept-ranges': 'bytes',
        ...object.meta,
      }
      let bytes = object.bytes
      let status = 200
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
      if (range !== null && bytes.length > 0) {
        const start = range[1] === '' ? Math.max(0, bytes.length - Number(range[2])) : Number(range[1])
        const end = range[1] === '' || range[2] === '' ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1)
        headers['content-range'] = `bytes ${start}-${end}/${bytes.length}`
        bytes = bytes.subarray(start, end + 1)
        status = 206
      }
      headers['content-length'] = String(bytes.length)
      res.writeHead(status, headers)
      return res.end(method === 'HEAD' ? undefined : bytes)
    }
    throw new S3Error(501, 'NotImplemented', `${method} on an object is not implemented here`)
  }

  function listing(bucket, query) {
    const prefix = query.get('prefix') ?? ''
    const delimiter = query.get('delimiter') ?? ''
    const max = Math.min(1000, Number(query.get('max-keys') ?? 1000))
    const after = query.get('continuation-token') ?? query.get('start-after') ?? query.get('marker') ?? ''
    const encode = query.get('encoding-type') === 'url' ? (k) => encodeURIComponent(k).replaceAll('%2F', '/') : (k) => k
    const entries = [] // [name, xml]
    const prefixes = new Set()
    for (const [key, object] of objects(bucket)) {
      if (!key.startsWith(prefix)) continue
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length)
      if (cut !== -1) {
        const common = key.slice(0, cut + delimiter.length)
        if (!prefixes.has(common))
          entries.push([common, `<CommonPrefixes><Prefix>${escapeXml(encode(common))}</Prefix></CommonPrefixes>`])
        prefixes.add(common)
      } else {
        entries.push([
          key,
          `<Contents><Key>${escapeXml(encode(key))}</Key><LastModified>${object.modified.toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag><Size>${object.bytes.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        ])
      }
    }
    const sorted = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).filter(([name]) => name > after)
    const page = sorted.slice(0, max)
    const truncated = sorted.length > max
    const last = page.at(-1)?.[0] ?? ''
    const v2 = query.get('list-type') === '2'
    const next = !truncated
      ? ''
      : v2
        ? `<NextContinuationToken>${escapeXml(last)}</NextContinuationToken>`
        : `<NextMarker>${escapeXml(last)}</NextMarker>`
    return `<ListBucketResult><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(encode(prefix))}</Prefix>${delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : ''}${query.has('encoding-type') ? '<EncodingType>url</EncodingType>' : ''}${v2 ? `<KeyCount>${page.length}</KeyCount>` : '<Marker></Marker>'}<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${page.map(([, xml]) => xml).join('')}</ListBucketResult>`
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const endpoint = `http://${host}:${server.address().port}`
  return {
    endpoint,
    region,
    credentials: credentials[0],
    close() {
      const closed = new Promise((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      return closed
    },
  }
}

/**
 * CORS for any origin: sets the headers a cross-origin page needs to read the response, and answers a
 * preflight (OPTIONS with Access-Control-Request-Method) itself. Returns true when it answered.
 */
export function answerCors(req, res) {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
  res.setHeader('access-control-expose-headers', 'etag, x-amz-request-id, content-length, x-amzn-requestid')
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
    'access-control-max-age': '600',
    vary: 'origin',
  })
  res.end()
  return true
}

const unescapeXml = (text) =>
  text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e],
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  const s3 = await startS3Server({ port: Number(process.env.PORT ?? 0) })
  console.log(`S3-compatible endpoint on ${s3.endpoint} (region ${s3.region}), every request verified by awsig/verify`)
  console.log(`AWS_ACCESS_KEY_ID=${s3.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${s3.credentials.secretAccessKey}`)
  console.log(`try: aws --endpoint-url ${s3.endpoint} s3 mb s3://demo && aws --endpoint-url ${s3.endpoint} s3 ls`)
}
