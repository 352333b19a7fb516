// uploadObject read back by a client nobody here wrote: boto3 against moto_server (signature checks on)
// sees the object, the ETag S3 defines for a multipart upload and the checksum uploadObject reported;
// an upload aborted through the signal leaves no multipart upload on the server.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { type Client, createClient } from '../../src/client/index.js'
import { MIN_PART_SIZE, uploadObject } from '../../src/s3/index.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

const PYTHON = process.env.PYTHON ?? 'python3'
const BUCKET = 'boto3-reads'
let moto: Moto | null = null
let client: Client

function boto3Installed(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' })
    return true
  } catch {
    if (process.env.CI === 'true') throw new Error('boto3 is required in CI (pip install boto3)')
    console.warn('\n!!! SKIPPING the boto3 read-back of uploadObject: python3 cannot import boto3\n')
    return false
  }
}
const installed = boto3Installed()

beforeAll(async () => {
  if (!installed) return
  moto = await startMoto()
  if (moto === null) return
  client = createClient({ credentials: moto.credentials, region: moto.region, service: 's3' })
  await client.fetch(`${moto.endpoint}/${BUCKET}`, { method: 'PUT' })
})

afterAll(async () => {
  await stopAllMoto()
})

function server(ctx: TestContext): Moto {
  if (moto === null) ctx.skip('moto_server or boto3 is not installed')
  return moto as Moto
}

/** Runs `code` with `s3` a boto3 client on moto and `args` the JSON argument; returns what it prints, as JSON. */
function boto3(m: Moto, code: string, args: unknown): unknown {
  const script = `
import boto3, json, sys
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id=sys.argv[3],
  aws_secret_access_key=sys.argv[4], config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
args = json.loads(sys.argv[5])
${code}
`
  const { accessKeyId, secretAccessKey } = m.credentials
  const out = execFileSync(
    PYTHON,
    ['-c', script, m.endpoint, m.region, accessKeyId, secretAccessKey, JSON.stringify(args)],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 2 ** 20,
    },
  )
  return JSON.parse(out)
}

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest()

describe('uploadObject, read back by boto3', () => {
  it('a multipart object: the same bytes, the MD5-of-MD5s ETag, and the checksum uploadObject reported', async (ctx) => {
    const m = server(ctx)
    const size = 2 * MIN_PART_SIZE + 4321
    const data = new Uint8Array(size).map((_, i) => (i * 7919) >>> 3)
    const parts = [0, 1, 2].map((i) => data.subarray(i * MIN_PART_SIZE, (i + 1) * MIN_PART_SIZE))
    // S3's multipart ETag: the MD5 of the parts' MD5s, then "-" and the number of parts.
    const etag = `"${createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex')}-3"`
    for (const checksum of ['crc32', 'sha256'] as const) {
      const key = `read-back/${checksum}`
      const result = await uploadObject({
        client,
        url: `${m.endpoint}/${BUCKET}/${key}`,
        body: data,
        partSize: MIN_PART_SIZE,
        concurrency: 2,
        checksum,
      })
      expect([result.parts, result.etag]).toEqual([3, etag])
      const seen = boto3(
        m,
        `
got = s3.get_object(Bucket=args['bucket'], Key=args['key'], ChecksumMode='ENABLED')
body = got['Body'].read()
import hashlib
print(json.dumps({'etag': got['ETag'], 'length': got['ContentLength'], 'sha256': hashlib.sha256(body).hexdigest(),
  'checksum': got.get('Checksum' + args['name'])}))
`,
        { bucket: BUCKET, key, name: checksum.toUpperCase() },
      )
      expect(seen).toEqual({
        etag,
        length: size,
        sha256: createHash('sha256').update(data).digest('hex'),
        checksum: result.checksum?.value,
      })
    }
  })

  it('an upload aborted through the signal leaves no multipart upload and no object on the server', async (ctx) => {
    const m = server(ctx)
    const controller = new AbortController()
    const key = 'read-back/aborted'
    // Abort once the second part has been sent: the upload is then certainly open on the server.
    const error = await uploadObject({
      client,
      url: `${m.endpoint}/${BUCKET}/${key}`,
      body: new Uint8Array(5 * MIN_PART_SIZE),
      partSize: MIN_PART_SIZE,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.partsDone === 2) controller.abort(new Error('user cancelled'))
      },
    }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('user cancelled')
    const seen = boto3(
      m,
      `
uploads = s3.list_multipart_uploads(Bucket=args['bucket']).get('Uploads', [])
try:
    s3.head_object(Bucket=args['bucket'], Key=args['key'])
    status = 200
except s3.exceptions.ClientError as error:
    status = error.response['ResponseMetadata']['HTTPStatusCode']
print(json.dumps({'uploads': [u['Key'] for u in uploads], 'object': status}))
`,
      { bucket: BUCKET, key },
    )
    expect(seen).toEqual({ uploads: [], object: 404 })
  })
})
