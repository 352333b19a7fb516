// A large file to S3 in a multipart upload: parts read from disk and uploaded in parallel, each with
// its own signature and retries, in bounded memory (at most CONCURRENCY parts in memory at once, in
// buffers reused from part to part), aborted cleanly if anything fails.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
//
//   node examples/s3-multipart.mjs [file]     (without a file, a 40 MiB one is made in the temp folder)
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createHash } from 'node:crypto'
import { open, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { greedy, queryString, uriPath, xml, xmlText } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`
const s3 = createClient({ credentials: fromEnv(), region, service: 's3' })

const PART_SIZE = 8 * 1024 * 1024 // 8 MiB; S3's minimum is 5 MiB (the last part may be smaller)
const CONCURRENCY = 4

let file = process.argv[2]
let madeFile = false
if (file === undefined) {
  file = join(tmpdir(), `awsig-multipart-${process.pid}.bin`)
  const chunk = createHash('sha512').update('awsig').digest()
  const size = 40 * 1024 * 1024 + 12345 // not a multiple of the part size: a short last part
  await writeFile(file, Buffer.alloc(size, chunk))
  madeFile = true
}
const { size } = await stat(file)
const partCount = Math.max(1, Math.ceil(size / PART_SIZE))

const bucket = `awsig-multipart-${Date.now().toString(36)}`
const key = `uploads/${basename(file)}`
const objectUrl = (query = {}) => `${endpoint}${uriPath`/${bucket}/${greedy(key)}`}${queryString(query)}`
const location =
  region === 'us-east-1'
    ? undefined
    : String(
        xml`<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
      )
await s3.fetch(`${endpoint}/${bucket}`, { method: 'PUT', body: location })

// CreateMultipartUpload: POST ?uploads
const created = await (await s3.fetch(objectUrl({ uploads: '' }), { method: 'POST' })).text()
const uploadId = xmlText(created, 'UploadId')
console.log(`uploading ${(size / 1024 / 1024).toFixed(1)} MiB in ${partCount} parts, ${CONCURRENCY} at a time`)

let peakRss = process.memoryUsage().rss
const baseRss = peakRss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 20)
const started = performance.now()
const handle = await open(file)
const etags = new Array(partCount)
try {
  // UploadPart: each worker reads its next part into its own buffer, uploads it, and reuses the buffer.
  let next = 0
  const worker = async () => {
    const buffer = Buffer.allocUnsafe(PART_SIZE)
    while (next < partCount) {
      const index = next++
      const { bytesRead } = await handle.read(buffer, 0, PART_SIZE, index * PART_SIZE)
      const response = await s3.fetch(objectUrl({ partNumber: index + 1, uploadId }), {
        method: 'PUT',
        body: buffer.subarray(0, bytesRead),
      })
      etags[index] = response.headers.get('etag')
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, partCount) }, worker))

  // CompleteMultipartUpload: the parts in order, with their ETags.
  const parts = etags.map((etag, i) => xml`<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
  const completed = await s3.fetch(objectUrl({ uploadId }), {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: String(xml`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`),
  })
  // S3 can answer 200 with an error in the body when completing: check for it.
  const result = await completed.text()
  if (xmlText(result, 'Code') !== undefined) throw new Error(`CompleteMultipartUpload failed: ${result}`)
} catch (error) {
  await s3.fetch(objectUrl({ uploadId }), { method: 'DELETE' }) // AbortMultipartUpload
  throw error
} finally {
  clearInterval(sampler)
  await handle.close()
}
const seconds = (performance.now() - started) / 1000
console.log(`uploaded in ${seconds.toFixed(2)} s (${(size / 1024 / 1024 / seconds).toFixed(1)} MiB/s)`)
console.log(
  `memory: part buffers ${(CONCURRENCY * PART_SIZE) / 1024 / 1024} MiB; peak RSS ${((peakRss - baseRss) / 1024 / 1024).toFixed(0)} MiB above the start for a ${(size / 1024 / 1024).toFixed(0)} MiB file`,
)

const head = await s3.fetch(objectUrl(), { method: 'HEAD' })
const length = Number(head.headers.get('content-length'))
if (length !== size) throw new Error(`stored object has ${length} bytes, expected ${size}`)
console.log(`stored: ${length} bytes, ETag ${head.headers.get('etag')} (${partCount} parts)`)

await s3.fetch(objectUrl(), { method: 'DELETE' })
await s3.fetch(`${endpoint}/${bucket}`, { method: 'DELETE' })
if (madeFile) await rm(file)
console.log(`deleted ${bucket}`)
