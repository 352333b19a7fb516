// Amazon S3 with fetch and awsig: a bucket, objects with keys that need encoding, metadata, listing
// page by page, a copy, typed errors, and clean-up. REST-XML protocol, path-style URLs.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
//
//   AWS_REGION=eu-west-1 node examples/s3.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { AwsError, createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { greedy, queryString, uriPath, xml, xmlText, xmlTexts } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`
const s3 = createClient({ credentials: fromEnv(), region, service: 's3' })

const bucket = `awsig-example-${Date.now().toString(36)}`
const keys = ['notes/hello world.txt', 'a b/c~d/e?f#g.txt', 'reports/2024/q1.csv', 'reports/2024/q2.csv']
const url = (key = '', query = {}) => `${endpoint}${uriPath`/${bucket}/${greedy(key)}`}${queryString(query)}`

// CreateBucket: outside us-east-1 the region goes in the body.
const location =
  region === 'us-east-1'
    ? undefined
    : String(
        xml`<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
      )
await s3.fetch(`${endpoint}/${bucket}`, { method: 'PUT', body: location })
console.log(`created bucket ${bucket}`)

try {
  // PutObject, with a content type and user metadata (x-amz-meta-*, signed like any header).
  for (const key of keys) {
    await s3.fetch(url(key), {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-amz-meta-source': 'awsig example' },
      body: `contents of ${key}\n`,
    })
  }
  console.log(`put ${keys.length} objects`)

  // HeadObject and GetObject.
  const head = await s3.fetch(url(keys[1]), { method: 'HEAD' })
  console.log(
    `HEAD ${keys[1]}: ${head.headers.get('content-length')} bytes, source=${head.headers.get('x-amz-meta-source')}`,
  )
  const text = await (await s3.fetch(url(keys[1]))).text()
  if (text !== `contents of ${keys[1]}\n`) throw new Error(`unexpected contents: ${JSON.stringify(text)}`)
  console.log(`GET ${keys[1]}: ${JSON.stringify(text)}`)

  // ListObjectsV2, two keys per page, following continuation tokens.
  const listed = []
  let token
  do {
    const query = { 'list-type': 2, 'max-keys': 2, 'continuation-token': token }
    const page = await (await s3.fetch(`${endpoint}/${bucket}${queryString(query)}`)).text()
    listed.push(...xmlTexts(page, 'Key'))
    token = xmlText(page, 'IsTruncated') === 'true' ? xmlText(page, 'NextContinuationToken') : undefined
  } while (token !== undefined)
  console.log(`listed ${listed.length} keys in pages of 2: ${listed.join(', ')}`)

  // CopyObject: the source is a header, URL-encoded.
  await s3.fetch(url('copies/q1.csv'), {
    method: 'PUT',
    headers: { 'x-amz-copy-source': uriPath`/${bucket}/${greedy(keys[2])}` },
  })
  console.log('copied reports/2024/q1.csv to copies/q1.csv')

  // Errors are typed: NoSuchKey from GET, NotFound from HEAD (no body to read a code from).
  for (const method of ['GET', 'HEAD']) {
    try {
      await s3.fetch(url('missing.txt'), { method })
    } catch (error) {
      if (!(error instanceof AwsError)) throw error
      console.log(`${method} missing.txt: ${error.awsCode} (HTTP ${error.status}, request id ${error.requestId})`)
    }
  }
} finally {
  // DeleteObjects would take a batch (with a Content-MD5 header); one by one is simpler.
  const page = await (await s3.fetch(`${endpoint}/${bucket}?list-type=2`)).text()
  for (const key of xmlTexts(page, 'Key')) await s3.fetch(url(key), { method: 'DELETE' })
  await s3.fetch(`${endpoint}/${bucket}`, { method: 'DELETE' })
  console.log(`deleted ${bucket} and its objects`)
}
