// Streaming an S3 object to disk: the response body goes to the file as it arrives, hashed on the
// way, never held in memory whole. Then a byte range of the same object.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
//
//   node examples/s3-download.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createHash, randomFillSync } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { greedy, uriPath, xml } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`
// The timeout covers the wait for the response headers, not the download itself.
const s3 = createClient({ credentials: fromEnv(), region, service: 's3', timeout: 30_000 })

const bucket = `awsig-download-${Date.now().toString(36)}`
const key = 'datasets/measurements 2024.bin'
const objectUrl = `${endpoint}${uriPath`/${bucket}/${greedy(key)}`}`
const location =
  region === 'us-east-1'
    ? undefined
    : String(
        xml`<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
      )
await s3.fetch(`${endpoint}/${bucket}`, { method: 'PUT', body: location })

// Something to download: 16 MiB of pseudo-random bytes.
const data = randomFillSync(Buffer.alloc(16 * 1024 * 1024))
const expected = createHash('sha256').update(data).digest('hex')
await s3.fetch(objectUrl, { method: 'PUT', body: data })
console.log(`uploaded ${data.length} bytes (sha256 ${expected.slice(0, 16)}…)`)

const file = join(tmpdir(), `awsig-download-${process.pid}.bin`)
try {
  // GetObject, streamed: response.body is a web ReadableStream; pipeline writes it with backpressure.
  const response = await s3.fetch(objectUrl)
  const hash = createHash('sha256')
  let chunks = 0
  const hashing = new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk)
      chunks++
      callback(null, chunk)
    },
  })
  await pipeline(Readable.fromWeb(response.body), hashing, createWriteStream(file))
  const actual = hash.digest('hex')
  const { size } = await stat(file)
  if (actual !== expected || size !== data.length) throw new Error('the downloaded file differs from the object')
  console.log(`streamed ${size} bytes to ${file} in ${chunks} chunks: sha256 matches`)

  // A byte range: the last KiB.
  const range = await s3.fetch(objectUrl, { headers: { range: `bytes=${data.length - 1024}-` } })
  const tail = Buffer.from(await range.arrayBuffer())
  if (range.status !== 206 || !tail.equals(data.subarray(data.length - 1024))) throw new Error('bad range response')
  console.log(`range request: HTTP ${range.status}, ${range.headers.get('content-range')}`)
} finally {
  await rm(file, { force: true })
  await s3.fetch(objectUrl, { method: 'DELETE' })
  await s3.fetch(`${endpoint}/${bucket}`, { method: 'DELETE' })
  console.log(`deleted ${bucket}`)
}
