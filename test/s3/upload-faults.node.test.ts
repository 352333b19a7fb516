// uploadObject when things go wrong, on a loopback S3 stand-in: a part that fails and then succeeds, a
// part that always fails (the upload is aborted, nothing left), an abort through the signal, bad input.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AwsError, createClient } from '../../src/client/index.js'
import { InvalidInputError } from '../../src/errors.js'
import { MIN_PART_SIZE, UploadError, uploadObject } from '../../src/s3/index.js'
import { type MiniS3, startMiniS3 } from './mini-s3.js'

let s3: MiniS3
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const client = () =>
  createClient({ credentials, region: 'us-east-1', service: 's3', retry: { maxAttempts: 3, baseDelay: 1 } })

beforeAll(async () => {
  s3 = await startMiniS3()
})
afterAll(async () => {
  await s3.close()
})
beforeEach(() => {
  s3.failPart.clear()
  s3.log.length = 0
  s3.onPart = undefined
  s3.completeErrors = 0
  s3.completeEmpty = 0
  s3.headers.length = 0
})

const body = (size: number) => new Uint8Array(size).map((_, i) => i % 251)
const listUploads = async () => {
  const response = await client().fetch(`${s3.url}/bucket?uploads`)
  return [...(await response.text()).matchAll(/<UploadId>/g)].length
}

describe('uploadObject faults', () => {
  it('retries a part that fails twice, on its own, and completes', async () => {
    s3.failPart.set(2, 2)
    const result = await uploadObject({
      client: client(),
      url: `${s3.url}/bucket/retry`,
      body: body(3 * MIN_PART_SIZE),
      partSize: MIN_PART_SIZE,
    })
    expect(result.parts).toBe(3)
    expect(s3.objects.get('/bucket/retry')).toBe(3 * MIN_PART_SIZE)
    const attempts = (n: number) => s3.log.filter((l) => l.startsWith('PUT') && l.includes(`partNumber=${n}&`)).length
    expect([attempts(1), attempts(2), attempts(3)]).toEqual([1, 3, 1])
    expect(await listUploads()).toBe(0)
  })

  it('aborts the upload when a part always fails, and says which part', async () => {
    s3.failPart.set(3, Number.POSITIVE_INFINITY)
    const error = await uploadObject({
      client: client(),
      url: `${s3.url}/bucket/fail`,
      body: body(4 * MIN_PART_SIZE),
      partSize: MIN_PART_SIZE,
      concurrency: 2,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UploadError)
    const e = error as UploadError
    expect([e.code, e.operation, e.part, e.aborted]).toEqual(['ERR_UPLOAD', 'UploadPart', 3, true])
    expect(e.cause).toBeInstanceOf(AwsError)
    expect((e.cause as AwsError).awsCode).toBe('InternalError')
    expect(e.message).toMatch(/UploadPart of part 3 failed: .*aborted/)
    expect(s3.log.some((l) => l.startsWith('DELETE') && l.includes(`uploadId=${e.uploadId}`))).toBe(true)
    expect(await listUploads()).toBe(0)
    expect(s3.objects.has('/bucket/fail')).toBe(false)
  })

  it('aborts mid-upload through the signal: the signal reason is thrown and the upload aborted', async () => {
    const controller = new AbortController()
    s3.onPart = (part) => {
      if (part === 3) controller.abort(new Error('user cancelled'))
    }
    const error = await uploadObject({
      client: client(),
      url: `${s3.url}/bucket/abort`,
      body: body(6 * MIN_PART_SIZE),
      partSize: MIN_PART_SIZE,
      concurrency: 2,
      signal: controller.signal,
    }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('user cancelled')
    expect(s3.log.filter((l) => l.startsWith('DELETE')).length).toBe(1)
    expect(s3.log.some((l) => l.includes('partNumber=6'))).toBe(false)
    expect(await listUploads()).toBe(0)
  })

  it('a part that fails while the body is stalled fails the upload at once, and releases the body', async () => {
    s3.failPart.set(1, Number.POSITIVE_INFINITY)
    let released = false
    // A live source: one part and a byte, then nothing more for as long as anyone waits.
    const live = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body(MIN_PART_SIZE))
        controller.enqueue(body(1))
      },
      cancel() {
        released = true
      },
    })
    const outcome = await Promise.race([
      uploadObject({ client: client(), url: `${s3.url}/bucket/stalled`, body: live, partSize: MIN_PART_SIZE }).catch(
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting for the body'), 5000)),
    ])
    expect(outcome).toBeInstanceOf(UploadError)
    expect([
      (outcome as UploadError).operation,
      (outcome as UploadError).part,
      (outcome as UploadError).aborted,
    ]).toEqual(['UploadPart', 1, true])
    expect(released).toBe(true)
    expect(await listUploads()).toBe(0)
  })

  it('a signal aborted before the call: nothing is read or sent, the reason is thrown', async () => {
    const reason = new Error('cancelled before it began')
    for (const size of [10, 2 * MIN_PART_SIZE]) {
      let pulled = 0
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          controller.enqueue(body(size))
          controller.close()
        },
      })
      const error = await uploadObject({
        client: client(),
        url: `${s3.url}/bucket/early`,
        body: source,
        partSize: MIN_PART_SIZE,
        signal: AbortSignal.abort(reason),
      }).catch((e: unknown) => e)
      expect(error).toBe(reason)
      expect(pulled).toBeLessThanOrEqual(1) // the stream's own first pull, at most
    }
    expect(s3.log).toEqual([])
  })

  it('a 200 CompleteMultipartUpload with an error inside is retried, then a failure that aborts', async () => {
    const upload = (key: string) =>
      uploadObject({
        client: client(),
        url: `${s3.url}/bucket/${key}`,
        body: body(2 * MIN_PART_SIZE),
        partSize: MIN_PART_SIZE,
      })
    s3.completeErrors = 2
    expect((await upload('complete-late')).parts).toBe(2)
    expect(s3.log.filter((l) => l.startsWith('POST') && l.includes('uploadId=')).length).toBe(3)
    s3.completeErrors = 3
    const error = (await upload('complete-never').catch((e: unknown) => e)) as UploadError
    expect([error.operation, error.part, error.aborted]).toEqual(['CompleteMultipartUpload', undefined, true])
    expect((error.cause as AwsError).awsCode).toBe('InternalError')
    expect((error.cause as AwsError).attempts).toBe(3)
    expect(await listUploads()).toBe(0)
  })

  it('a 200 CompleteMultipartUpload with an empty body is not a success: retried, then a failure that aborts', async () => {
    // The SDKs treat it as S3's "aborted request" (InternalError): the object may not exist.
    const upload = (key: string) =>
      uploadObject({
        client: client(),
        url: `${s3.url}/bucket/${key}`,
        body: body(MIN_PART_SIZE + 1),
        partSize: MIN_PART_SIZE,
      })
    s3.completeEmpty = 1
    const result = await upload('empty-once')
    expect([result.parts, result.etag]).toEqual([2, '"done-2"'])
    expect(s3.log.filter((l) => l.startsWith('POST') && l.includes('uploadId=')).length).toBe(2)
    s3.completeEmpty = 3
    const error = (await upload('empty-always').catch((e: unknown) => e)) as UploadError
    expect(error).toBeInstanceOf(UploadError)
    expect([error.operation, error.aborted]).toEqual(['CompleteMultipartUpload', true])
    expect([(error.cause as AwsError).awsCode, (error.cause as AwsError).attempts]).toEqual(['InternalError', 3])
    expect(s3.objects.has('/bucket/empty-always')).toBe(false)
    expect(await listUploads()).toBe(0)
  })

  it('sends SSE-C headers with every request, object headers only on creation; a Blob body', async () => {
    const sse = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': 'a2V5',
      'x-amz-server-side-encryption-customer-key-md5': 'bWQ1',
    }
    const result = await uploadObject({
      client: client(),
      url: `${s3.url}/bucket/blob`,
      body: new Blob([body(MIN_PART_SIZE), body(3)]),
      partSize: MIN_PART_SIZE,
      headers: { 'content-type': 'application/x-tar', 'x-amz-meta-owner': 'me', ...sse },
    })
    expect([result.parts, result.size]).toEqual([2, MIN_PART_SIZE + 3])
    expect(s3.headers.length).toBe(4) // create, 2 parts, complete
    for (const headers of s3.headers) {
      expect(headers['x-amz-server-side-encryption-customer-algorithm']).toBe('AES256')
    }
    expect(s3.headers.map((h) => h['x-amz-meta-owner'])).toEqual(['me', undefined, undefined, undefined])
  })

  it('a client made with throwOnError: false still fails the upload on an error response', async () => {
    // Every call of the upload must see S3's errors, whatever the client's default for other calls.
    const calls: string[] = []
    const denied = createClient({
      credentials,
      region: 'us-east-1',
      service: 's3',
      throwOnError: false,
      retry: false,
      fetch: async (url, init) => {
        calls.push(`${init.method} ${String(url).replace(/^[^?]*/, '')}`)
        const creating = init.method === 'POST' && String(url).includes('?uploads')
        if (creating) return new Response('<UploadId>u1</UploadId>', { status: 200 })
        if (init.method === 'PUT' && String(url).includes('partNumber=1&')) {
          return new Response('', { status: 200, headers: { etag: '"e1"' } })
        }
        const xml = '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
        return new Response(xml, { status: 403, headers: { 'content-type': 'application/xml' } })
      },
    })
    const single = (await uploadObject({
      client: denied,
      url: 'https://bucket.s3.us-east-1.amazonaws.com/denied',
      body: body(10),
    }).catch((e: unknown) => e)) as UploadError
    expect(single).toBeInstanceOf(UploadError)
    expect([single.operation, (single.cause as AwsError).status, (single.cause as AwsError).awsCode]).toEqual([
      'PutObject',
      403,
      'AccessDenied',
    ])
    calls.length = 0
    const multi = (await uploadObject({
      client: denied,
      url: 'https://bucket.s3.us-east-1.amazonaws.com/denied',
      body: body(MIN_PART_SIZE + 1),
      partSize: MIN_PART_SIZE,
    }).catch((e: unknown) => e)) as UploadError
    expect([multi.operation, multi.part, (multi.cause as AwsError).awsCode]).toEqual(['UploadPart', 2, 'AccessDenied'])
    // The AbortMultipartUpload that was refused too is reported as failed, not as done.
    expect(calls.at(-1)).toBe('DELETE ?uploadId=u1')
    expect([multi.aborted, (multi.abortError as AwsError).status]).toEqual([false, 403])
  })

  it('refuses bad input before any request', async () => {
    const base = { client: client(), url: `${s3.url}/bucket/x`, body: body(10) }
    const field = async (options: object) =>
      uploadObject({ ...base, ...options } as never).then(
        () => 'resolved',
        (e: unknown) => (e instanceof InvalidInputError ? e.field : String(e)),
      )
    expect(await field({ partSize: MIN_PART_SIZE - 1 })).toBe('partSize')
    expect(await field({ concurrency: 0 })).toBe('concurrency')
    expect(await field({ checksum: 'md5' })).toBe('checksum')
    expect(await field({ checksum: 'crc64nvme', checksumType: 'COMPOSITE' })).toBe('checksumType')
    expect(await field({ checksum: 'sha256', checksumType: 'FULL_OBJECT' })).toBe('checksumType')
    // 10,000 parts: a 50 GiB body needs parts over 5 MiB.
    expect(await field({ contentLength: 50 * 2 ** 30, body: (async function* () {})(), partSize: MIN_PART_SIZE })).toBe(
      'partSize',
    )
    expect(s3.log).toEqual([])
  })

  it('an unknown-length stream longer than 10,000 parts fails as a read error, and is aborted', async () => {
    // A fake client: parts are not sent anywhere, so 10,001 parts of 5 MiB cost only CPU for copying.
    const calls: string[] = []
    const fake = {
      fetch: async (url: string | URL, init: { method?: string } = {}) => {
        calls.push(`${init.method} ${String(url).replace(/^.*\?/, '')}`)
        const text = String(url).endsWith('?uploads') ? '<UploadId>u1</UploadId>' : ''
        return new Response(text, { status: 200, headers: { etag: '"e"' } })
      },
    }
    const piece = new Uint8Array(MIN_PART_SIZE)
    async function* endless() {
      for (;;) yield piece
    }
    const error = (await uploadObject({
      client: fake as never,
      url: 'https://bucket.s3.amazonaws.com/endless',
      body: endless(),
      partSize: MIN_PART_SIZE,
      unsignedPayload: true,
      concurrency: 8,
    }).catch((e: unknown) => e)) as UploadError
    expect([error.operation, error.part, error.aborted]).toEqual(['read', 10_001, true])
    expect(error.message).toMatch(/10000 parts/)
    expect(calls.at(-1)).toBe('DELETE uploadId=u1')
    expect(calls.filter((c) => c.startsWith('PUT')).length).toBe(10_000)
  }, 120_000)

  it('fails with ERR_BODY_LENGTH when the body is shorter than contentLength, and aborts', async () => {
    const error = (await uploadObject({
      client: client(),
      url: `${s3.url}/bucket/short`,
      body: [body(MIN_PART_SIZE + 5)],
      contentLength: 2 * MIN_PART_SIZE,
      partSize: MIN_PART_SIZE,
    }).catch((e: unknown) => e)) as UploadError
    expect(error.operation).toBe('read')
    expect((error.cause as { code: string }).code).toBe('ERR_BODY_LENGTH')
    expect(await listUploads()).toBe(0)
    // The same for a body that would have gone as one request: a read error, and nothing sent.
    s3.log.length = 0
    const single = (await uploadObject({
      client: client(),
      url: `${s3.url}/bucket/short-single`,
      body: [body(50)],
      contentLength: 100,
      partSize: MIN_PART_SIZE,
    }).catch((e: unknown) => e)) as UploadError
    expect([single.operation, single.part, (single.cause as { code: string }).code]).toEqual([
      'read',
      1,
      'ERR_BODY_LENGTH',
    ])
    expect(s3.log).toEqual([])
  })
})
