// Presigned S3 URLs: hand someone a URL that lets them upload or download one object, for a while,
// with no credentials of their own. The uploads and downloads below are plain fetch, unsigned.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
//
//   AWS_REGION=eu-west-1 node examples/s3-presigned.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { greedy, uriPath, xml } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`
const s3 = createClient({ credentials: fromEnv(), region, service: 's3' })

const bucket = `awsig-presigned-${Date.now().toString(36)}`
const key = 'uploads/photo 1.jpg'
const objectUrl = `${endpoint}${uriPath`/${bucket}/${greedy(key)}`}`

const location =
  region === 'us-east-1'
    ? undefined
    : String(
        xml`<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
      )
await s3.fetch(`${endpoint}/${bucket}`, { method: 'PUT', body: location })

try {
  // A PUT URL valid for 10 minutes. Signed headers must be sent as signed: here the content type.
  const putUrl = await s3.presign(objectUrl, {
    method: 'PUT',
    headers: { 'content-type': 'image/jpeg' },
    expiresIn: 600,
  })
  console.log(`presigned PUT (10 min): ${putUrl.slice(0, 80)}…`)
  const photo = new Uint8Array(64 * 1024).map((_, i) => i % 251)
  const put = await fetch(putUrl, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: photo })
  if (!put.ok) throw new Error(`upload through the presigned URL failed: HTTP ${put.status} ${await put.text()}`)
  console.log(`uploaded ${photo.length} bytes with plain fetch, no credentials`)

  // A GET URL valid for an hour; it can go in an <img src>, a browser's address bar, curl...
  const getUrl = await s3.presign(objectUrl, { expiresIn: 3600 })
  const got = await fetch(getUrl)
  if (!got.ok) throw new Error(`download through the presigned URL failed: HTTP ${got.status}`)
  const bytes = new Uint8Array(await got.arrayBuffer())
  const same = bytes.length === photo.length && bytes.every((b, i) => b === photo[i])
  if (!same) throw new Error('downloaded bytes differ from the uploaded ones')
  console.log(`downloaded ${bytes.length} bytes through the presigned GET URL: same bytes`)
  console.log(`content-type as uploaded: ${got.headers.get('content-type')}`)
} finally {
  await s3.fetch(objectUrl, { method: 'DELETE' })
  await s3.fetch(`${endpoint}/${bucket}`, { method: 'DELETE' })
  console.log(`deleted ${bucket}`)
}
