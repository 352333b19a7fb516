// Clients nobody here wrote, pointed at examples/s3-server.mjs, whose only authentication is verifyRequest:
// the aws CLI, boto3 presigned URLs, @aws-sdk/client-s3 (+ s3-request-presigner), s3cmd, rclone, minio,
// aws4fetch and aws4. Awkward keys, sizes around chunk edges; every object read back byte-identical.
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes as cryptoRandom } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
// @ts-expect-error: aws4 ships no types
import aws4 from 'aws4'
import { AwsClient } from 'aws4fetch'
import * as Minio from 'minio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startS3Server as startExample } from '../../examples/s3-server.mjs'

const run = promisify(execFile)
const credentials = { accessKeyId: 'AKIDCLIENTS', secretAccessKey: 'clients/secret+key=' }
const region = 'us-east-1'
const KEYS = [
  'plain.bin',
  'with space/a b.bin',
  'plus+equals=and&.bin',
  "bang!'()*.bin",
  'unicode/日本語/é ü.bin',
  'deep/a/b/c/d/e.bin',
]
const SIZES = [0, 1, 65535, 65536, 65537, 20 * 1024 * 1024]
const payloads = new Map(SIZES.map((size) => [size, new Uint8Array(cryptoRandom(size))]))
/** Every key with one size, and every size with one key. */
const uploads = SIZES.map((size, i) => ({
  key: KEYS[i % KEYS.length] as string,
  size,
  bytes: payloads.get(size) as Uint8Array,
}))

interface Server {
  endpoint: string
  close(): Promise<void>
}
// The example is plain JavaScript importing the built package.
const startS3Server = startExample as unknown as (options: object) => Promise<Server>
let server: Server
const payloadHashes: string[] = []
const presignedCount = { value: 0 }
let work: string

beforeAll(async () => {
  server = await startS3Server({
    credentials: [credentials],
    region,
    onVerified: (verified: { payloadHash: string; presigned: boolean }) => {
      payloadHashes.push(verified.payloadHash)
      if (verified.presigned) presignedCount.value++
    },
  })
  work = mkdtempSync(join(tmpdir(), 'awsig-clients-'))
})
afterAll(async () => {
  await server?.close()
  rmSync(work, { recursive: true, force: true })
})

const url = (bucket: string, key = '') =>
  `${server.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0

/** Signs with awsig to check what a client stored (the server trusts only verified requests). */
async function stored(bucket: string, key: string): Promise<Uint8Array> {
  const aws = new AwsClient({ ...credentials, service: 's3', region })
  const response = await aws.fetch(url(bucket, key))
  expect(response.status, `GET ${bucket}/${key}`).toBe(200)
  return new Uint8Array(await response.arrayBuffer())
}

async function createBucket(bucket: string) {
  const aws = new AwsClient({ ...credentials, service: 's3', region })
  const response = await aws.fetch(url(bucket), { method: 'PUT' })
  expect(response.status).toBe(200)
}

/** Writes every upload under `dir` as files named by key. */
function writeTree(dir: string) {
  for (const { key, bytes } of uploads) {
    const file = join(dir, key)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, bytes)
  }
}

function tool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`])
    return true
  } catch {
    if (process.env.CI === 'true') throw new Error(`${name} is not installed (required under CI=true)`)
    console.warn(`\n!! SKIPPING the ${name} client test: ${name} is not installed\n`)
    return false
  }
}

describe('clients nobody here wrote, against an endpoint authenticated by verifyRequest', () => {
  it('refuses what is not correctly signed', async () => {
    const anonymous = await fetch(`${server.endpoint}/`)
    expect(anonymous.status).toBe(403)
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>')
    const wrong = new AwsClient({ ...credentials, secretAccessKey: 'wrong', service: 's3', region })
    const response = await wrong.fetch(`${server.endpoint}/`)
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
    const unknown = new AwsClient({ accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x', service: 's3', region })
    expect(await (await unknown.fetch(`${server.endpoint}/`)).text()).toContain('<Code>InvalidAccessKeyId</Code>')
  })

  it('@aws-sdk/client-s3 (default checksums: aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER) and its presigner', async () => {
    const client = new S3Client({ endpoint: server.endpoint, region, credentials, forcePathStyle: true })
    await client.send(new CreateBucketCommand({ Bucket: 'sdk' }))
    for (const { key, size, bytes } of uploads) {
      // Streams go aws-chunked with a trailing checksum; bytes are sent whole.
      const Body = size % 2 === 0 ? Readable.from([Buffer.from(bytes)]) : bytes
      await client.send(new PutObjectCommand({ Bucket: 'sdk', Key: key, Body, ContentLength: size }))
      const got = await client.send(new GetObjectCommand({ Bucket: 'sdk', Key: key }))
      expect(
        same(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(), bytes),
        `${key} ${size}`,
      ).toBe(true)
    }
    expect(payloadHashes).toContain('STREAMING-UNSIGNED-PAYLOAD-TRAILER')
    client.destroy()
    // Presigned PUT and GET.
    const presigner = new S3Client({ endpoint: server.endpoint, region, credentials, forcePathStyle: true })
    const before = presignedCount.value
    for (const { key, bytes } of uploads.slice(0, 5)) {
      const put = await getSignedUrl(presigner, new PutObjectCommand({ Bucket: 'sdk', Key: `presigned/${key}` }), {
        expiresIn: 300,
      })
      expect((await fetch(put, { method: 'PUT', body: Buffer.from(bytes) })).status).toBe(200)
      const get = await getSignedUrl(presigner, new GetObjectCommand({ Bucket: 'sdk', Key: `presigned/${key}` }), {
        expiresIn: 300,
      })
      expect(same(new Uint8Array(await (await fetch(get)).arrayBuffer()), bytes)).toBe(true)
    }
    expect(presignedCount.value - before).toBe(10)
  })

  it('aws4fetch and aws4', async () => {
    await createBucket('aws4')
    const aws = new AwsClient({ ...credentials, service: 's3', region })
    for (const { key, bytes } of uploads) {
      expect((await aws.fetch(url('aws4', `fetch/${key}`), { method: 'PUT', body: Buffer.from(bytes) })).status).toBe(
        200,
      )
      expect(same(await stored('aws4', `fetch/${key}`), bytes)).toBe(true)
    }
    const { hostname, port } = new URL(server.endpoint)
    for (const { key, bytes } of uploads) {
      const path = new URL(url('aws4', `node/${key}`)).pathname
      const options = aws4.sign(
        {
          host: `${hostname}:${port}`,
          path,
          method: 'PUT',
          service: 's3',
          region,
          body: Buffer.from(bytes),
          headers: {},
        },
        credentials,
      )
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ ...options, host: hostname, port }, (res) => {
          res.resume()
          resolve(res.statusCode as number)
        })
        req.on('error', reject)
        req.end(Buffer.from(bytes))
      })
      expect(status, key).toBe(200)
      expect(same(await stored('aws4', `node/${key}`), bytes)).toBe(true)
    }
  })

  it('minio (npm)', async () => {
    const { hostname, port } = new URL(server.endpoint)
    const client = new Minio.Client({
      endPoint: hostname,
      port: Number(port),
      useSSL: false,
      accessKey: credentials.accessKeyId,
      secretKey: credentials.secretAccessKey,
      region,
      pathStyle: true,
    })
    await client.makeBucket('minio', region)
    for (const { key, size, bytes } of uploads) {
      await client.putObject('minio', key, Buffer.from(bytes), size)
      const stream = await client.getObject('minio', key)
      const chunks: Buffer[] = []
      for await (const chunk of stream) chunks.push(chunk as Buffer)
      expect(same(Buffer.concat(chunks), bytes), key).toBe(true)
    }
  })

  it('boto3 presigned URLs', async () => {
    await createBucket('boto3')
    const script = `
import boto3, json, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='${region}', aws_access_key_id='${credentials.accessKeyId}', aws_secret_access_key='${credentials.secretAccessKey}', config=boto3.session.Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
keys = json.loads(sys.argv[2])
print(json.dumps([[s3.generate_presigned_url(op, Params={'Bucket': 'boto3', 'Key': k}, ExpiresIn=300) for op in ('put_object', 'get_object')] for k in keys]))
`
    const { stdout } = await run('python3', ['-c', script, server.endpoint, JSON.stringify(uploads.map((u) => u.key))])
    const urls = JSON.parse(stdout) as Array<[string, string]>
    for (const [i, { bytes }] of uploads.entries()) {
      const [put, get] = urls[i] as [string, string]
      expect((await fetch(put, { method: 'PUT', body: Buffer.from(bytes) })).status).toBe(200)
      expect(same(new Uint8Array(await (await fetch(get)).arrayBuffer()), bytes)).toBe(true)
    }
  })

  const env = () => {
    const out: Record<string, string | undefined> = {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: region,
      AWS_REGION: region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    }
    // Loopback HTTP: no profile, no token, no CA bundle (rclone refuses one for plain HTTP).
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CA_BUNDLE', 'AWS_ENDPOINT_URL']) delete out[name]
    return out
  }

  async function checkTree(bucket: string, dir: string) {
    for (const { key, bytes } of uploads) {
      expect(same(await stored(bucket, key), bytes), `${bucket}/${key}`).toBe(true)
      expect(same(readFileSync(join(dir, key)), bytes), `downloaded ${key}`).toBe(true)
    }
  }

  it('aws CLI (botocore): s3 cp up (multipart at 20 MiB) and down (ranged GETs)', async () => {
    if (!tool('aws')) return
    const up = join(work, 'aws-up')
    const down = join(work, 'aws-down')
    writeTree(up)
    const aws = (...args: string[]) =>
      run('aws', ['--endpoint-url', server.endpoint, ...args], { env: env(), maxBuffer: 1 << 24 })
    await aws('s3', 'mb', 's3://awscli')
    await aws('s3', 'cp', '--recursive', '--only-show-errors', up, 's3://awscli/')
    await aws('s3', 'cp', '--recursive', '--only-show-errors', 's3://awscli/', down)
    await checkTree('awscli', down)
    const { stdout } = await aws(
      's3api',
      'list-objects-v2',
      '--bucket',
      'awscli',
      '--query',
      'Contents[].Key',
      '--output',
      'json',
    )
    expect((JSON.parse(stdout) as string[]).sort()).toEqual(uploads.map((u) => u.key).sort())
  }, 120_000)

  it('s3cmd', async () => {
    if (!tool('s3cmd')) return
    const up = join(work, 's3cmd-up')
    const down = join(work, 's3cmd-down')
    writeTree(up)
    const { host } = new URL(server.endpoint)
    const config = join(work, 's3cfg')
    writeFileSync(
      config,
      `[default]\naccess_key = ${credentials.accessKeyId}\nsecret_key = ${credentials.secretAccessKey}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\nsignature_v2 = False\nbucket_location = ${region}\ncheck_ssl_certificate = False\n`,
    )
    const s3cmd = (...args: string[]) =>
      run('s3cmd', ['-c', config, '--no-progress', ...args], { env: env(), maxBuffer: 1 << 24 })
    await s3cmd('mb', 's3://s3cmd')
    await s3cmd('put', '--recursive', `${up}/`, 's3://s3cmd/')
    mkdirSync(down)
    await s3cmd('get', '--recursive', 's3://s3cmd/', `${down}/`)
    await checkTree('s3cmd', down)
  }, 120_000)

  it('rclone', async () => {
    if (!tool('rclone')) return
    const up = join(work, 'rclone-up')
    const down = join(work, 'rclone-down')
    writeTree(up)
    const rcloneEnv = {
      ...env(),
      RCLONE_CONFIG_LOCAL_TYPE: 's3',
      RCLONE_CONFIG_LOCAL_PROVIDER: 'Other',
      RCLONE_CONFIG_LOCAL_ENDPOINT: server.endpoint,
      RCLONE_CONFIG_LOCAL_ACCESS_KEY_ID: credentials.accessKeyId,
      RCLONE_CONFIG_LOCAL_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      RCLONE_CONFIG_LOCAL_REGION: region,
      RCLONE_CONFIG_LOCAL_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG: '/dev/null',
    }
    const rclone = (...args: string[]) => run('rclone', args, { env: rcloneEnv, maxBuffer: 1 << 24 })
    await rclone('mkdir', 'local:rclone')
    await rclone('copy', up, 'local:rclone')
    await rclone('copy', 'local:rclone', down)
    await checkTree('rclone', down)
  }, 120_000)
})
