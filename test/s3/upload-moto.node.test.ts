// uploadObject against moto_server with signature checks on: sizes around the part boundary, a large
// generated stream in bounded memory (read back by hash), and ListParts and checksums as moto sees them;
// boto3 reads objects back (the multipart ETag, checksums) and finds nothing left of an aborted upload.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { checksums as crt } from 'aws-crt'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { type Client, createClient } from '../../src/client/index.js'
import { MIN_PART_SIZE, uploadObject } from '../../src/s3/index.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

let moto: Moto | null = null
let client: Client
const BUCKET = 'uploads'

beforeAll(async () => {
  moto = await startMoto()
  if (moto === null) return
  client = createClient({ credentials: moto.credentials, region: moto.region, service: 's3' })
  await client.fetch(`${moto.endpoint}/${BUCKET}`, { method: 'PUT' })
})

afterAll(async () => {
  await stopAllMoto()
})

function server(ctx: TestContext): Moto {
  if (moto === null) ctx.skip('moto_server is not installed')
  return moto as Moto
}

/** Deterministic bytes: byte i of the stream is a function of i. */
function pattern(size: number, offset = 0, out: Uint8Array = new Uint8Array(size)): Uint8Array {
  for (let i = 0; i < size; i++) out[i] = ((offset + i) * 2654435761) >>> 24
  return out
}

/**
 * A stream of the `size` bytes of `pattern(size)` in `piece`-byte pieces (length unknown to the
 * uploader). Pieces come from a ring of 8 buffers refilled in turn, so that the generator itself makes
 * no garbage to inflate RSS (a consumer holds at most one piece past the next read).
 */
async function* generated(size: number, piece = 256 * 1024): AsyncGenerator<Uint8Array> {
  const ring = Array.from({ length: 8 }, () => new Uint8Array(piece))
  let n = 0
  for (let sent = 0; sent < size; sent += piece) {
    const length = Math.min(piece, size - sent)
    yield pattern(length, sent, (ring[n++ % ring.length] as Uint8Array).subarray(0, length))
  }
}

async function readBack(m: Moto, key: string, headers: Record<string, string> = {}) {
  const response = await client.fetch(`${m.endpoint}/${BUCKET}/${key}`, { headers })
  const bytes = new Uint8Array(await response.arrayBuffer())
  return { bytes, headers: response.headers, sha: createHash('sha256').update(bytes).digest('hex') }
}

// References from aws-crt (the AWS Common Runtime), not from awsig's own CRC code.
const crc64 = (data: Uint8Array) =>
  Buffer.from(
    (crt.crc64nvme(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as DataView).buffer as ArrayBuffer,
  )
const crc32c = (data: Uint8Array) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(crt.crc32c(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) >>> 0)
  return out
}
const crc32 = (data: Uint8Array) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(crt.crc32(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) >>> 0)
  return out
}

describe('uploadObject to moto', () => {
  // First, while this process's RSS is still near its floor: RSS never shrinks back.
  it('a large generated stream of unknown length, in memory bounded by concurrency x partSize', async (ctx) => {
    const m = server(ctx)
    const size = Number(process.env.AWSIG_S3_LARGE_MIB ?? 96) * 2 ** 20 + 777
    const partSize = MIN_PART_SIZE
    const concurrency = 2
    const expectedSha = createHash('sha256')
    async function* tapped() {
      for await (const piece of generated(size)) {
        expectedSha.update(piece)
        yield piece
      }
    }
    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 20)
    const started = performance.now()
    const result = await uploadObject({
      client,
      url: `${m.endpoint}/${BUCKET}/large`,
      body: tapped(),
      partSize,
      concurrency,
      checksum: 'crc64nvme',
      onProgress: () => {
        peak = Math.max(peak, process.memoryUsage().rss)
      },
    })
    clearInterval(timer)
    const seconds = (performance.now() - started) / 1000
    console.log(
      `uploadObject to moto: ${(size / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s, RSS growth ${((peak - before) / 2 ** 20).toFixed(1)} MiB`,
    )
    expect(result.size).toBe(size)
    expect(result.parts).toBe(Math.ceil(size / partSize))
    expect(peak - before).toBeLessThan(concurrency * partSize + 32 * 2 ** 20)
    const back = await readBack(m, 'large')
    expect(back.bytes.length).toBe(size)
    expect(back.sha).toBe(expectedSha.digest('hex'))
  })
  for (const [name, size] of [
    ['0 B', 0],
    ['1 B', 1],
    ['exactly one part', MIN_PART_SIZE],
    ['one part + 1 byte', MIN_PART_SIZE + 1],
  ] as const) {
    it(`${name}: stored byte for byte, checksum as moto computes it`, async (ctx) => {
      const m = server(ctx)
      const data = pattern(size)
      const key = `sizes/${size}`
      const events: number[] = []
      const result = await uploadObject({
        client,
        url: `${m.endpoint}/${BUCKET}/${key}`,
        body: generated(size, 100_000),
        partSize: MIN_PART_SIZE,
        checksum: 'crc32',
        onProgress: (p) => events.push(p.loaded),
      })
      expect(result.size).toBe(size)
      expect(result.parts).toBe(size > MIN_PART_SIZE ? 2 : 0)
      expect(events.at(-1)).toBe(size)
      const back = await readBack(m, key, { 'x-amz-checksum-mode': 'ENABLED' })
      expect(back.bytes.length).toBe(size)
      expect(Buffer.from(back.bytes).equals(Buffer.from(data))).toBe(true)
      expect(result.checksum?.value).toBe(crc32(data).toString('base64'))
      expect(back.headers.get('x-amz-checksum-crc32')).toBe(result.checksum?.value)
      // moto (without its optional CRC libraries) computes CRC-64/NVME as CRC-32: aws-crt is the reference.
      const again = await uploadObject({
        client,
        url: `${m.endpoint}/${BUCKET}/${key}.crc64`,
        body: data,
        partSize: MIN_PART_SIZE,
        checksum: 'crc64nvme',
      })
      expect(again.checksum?.value).toBe(crc64(data).toString('base64'))
      expect((await readBack(m, `${key}.crc64`)).bytes.length).toBe(size)
    })
  }

  it('ListParts before completion agrees with the parts sent; composite and full-object checksums match moto', async (ctx) => {
    const m = server(ctx)
    const size = 3 * MIN_PART_SIZE + 12345
    const data = pattern(size)
    // moto recomputes crc32, sha1 and sha256 itself; without its optional CRC libraries it gets crc32c
    // and crc64nvme wrong (it falls back to CRC-32), so those are checked against aws-crt instead.
    const partsOf = (d: Uint8Array) => [0, 1, 2, 3].map((i) => d.subarray(i * MIN_PART_SIZE, (i + 1) * MIN_PART_SIZE))
    const reference: Record<string, string> = {
      'crc32c/COMPOSITE': `${crc32c(Buffer.concat(partsOf(data).map(crc32c))).toString('base64')}-4`,
      'crc64nvme/FULL_OBJECT': crc64(data).toString('base64'),
    }
    for (const [checksum, checksumType] of [
      ['crc32', 'COMPOSITE'],
      ['crc32', 'FULL_OBJECT'],
      ['sha256', 'COMPOSITE'],
      ['sha1', 'COMPOSITE'],
      ['crc32c', 'COMPOSITE'],
      ['crc64nvme', 'FULL_OBJECT'],
    ] as const) {
      const key = `checksums/${checksum}-${checksumType}`
      let listed: string | undefined
      // A client whose fetch asks moto for ListParts just before CompleteMultipartUpload goes out.
      const spy = createClient({
        credentials: m.credentials,
        region: m.region,
        service: 's3',
        fetch: async (url, init) => {
          if (init.method === 'POST' && url.includes('uploadId=')) {
            const uploadId = new URL(url).searchParams.get('uploadId') as string
            const list = await client.fetch(`${m.endpoint}/${BUCKET}/${key}?uploadId=${uploadId}`)
            listed = await list.text()
          }
          return fetch(url, init)
        },
      })
      const result = await uploadObject({
        client: spy,
        url: `${m.endpoint}/${BUCKET}/${key}`,
        body: data,
        partSize: MIN_PART_SIZE,
        concurrency: 3,
        checksum,
        checksumType,
      })
      expect(result.parts).toBe(4)
      const sizes = [...(listed ?? '').matchAll(/<Size>(\d+)<\/Size>/g)].map((x) => Number(x[1]))
      expect(sizes).toEqual([MIN_PART_SIZE, MIN_PART_SIZE, MIN_PART_SIZE, 12345])
      const partNumbers = [...(listed ?? '').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((x) => Number(x[1]))
      expect(partNumbers).toEqual([1, 2, 3, 4])
      // Each listed part's ETag is the MD5 of the bytes sent for it.
      const etags = [...(listed ?? '').matchAll(/<ETag>([^<]+)<\/ETag>/g)].map((x) =>
        x[1]?.replaceAll('&#34;', '"').replaceAll('"', ''),
      )
      expect(etags).toEqual(
        [0, 1, 2, 3].map((i) =>
          createHash('md5')
            .update(data.subarray(i * MIN_PART_SIZE, Math.min(size, (i + 1) * MIN_PART_SIZE)))
            .digest('hex'),
        ),
      )
      const back = await readBack(m, key, { 'x-amz-checksum-mode': 'ENABLED' })
      expect(back.sha).toBe(createHash('sha256').update(data).digest('hex'))
      const ref = reference[`${checksum}/${checksumType}`]
      if (ref === undefined) {
        expect(back.headers.get(`x-amz-checksum-${checksum}`)).toBe(result.checksum?.value)
        expect(back.headers.get('x-amz-checksum-type')).toBe(checksumType)
      } else expect(result.checksum?.value).toBe(ref)
    }
  })
})

const PYTHON = process.env.PYTHON ?? 'python3'
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

describe.runIf(boto3Installed())('uploadObject, read back by boto3', () => {
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
