// Malformed and hostile requests: always a typed VerificationError (never a crash, never a hang), and
// no verified body ever yields a byte of a chunk whose signature fails.
import { describe, expect, it } from 'vitest'
import { sign, signChunked } from '../../src/index.js'
import { VerificationError, verifyRequest } from '../../src/verify/index.js'

const credentials = { accessKeyId: 'AKIDHOSTILE', secretAccessKey: 'hostile-secret' }
const date = new Date('2026-05-06T07:08:09Z')
const options = { credentials, service: 's3', region: 'us-east-1', now: () => date.getTime() }

function prng(seed: number) {
  let x = seed
  return (n: number) => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) % n
  }
}
const ALPHABET = [
  '=',
  ',',
  ';',
  '/',
  ' ',
  '\t',
  'A',
  'z',
  '0',
  'f',
  '%',
  '&',
  '?',
  '#',
  'é',
  '\u0100',
  '\r',
  '\n',
  '\0',
  'Signature=',
  'Credential=',
  'SignedHeaders=',
  'X-Amz-',
]

function garble(text: string, random: (n: number) => number): string {
  let out = text
  for (let n = 1 + random(4); n > 0; n--) {
    const at = random(out.length + 1)
    const op = random(3)
    if (op === 0) out = out.slice(0, at) + ALPHABET[random(ALPHABET.length)] + out.slice(at)
    else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + random(8))
    else out = out.slice(0, at) + out.slice(at, at + random(20)).repeat(1 + random(3)) + out.slice(at)
  }
  return out
}

describe('hostile input', () => {
  it('garbled Authorization headers, URLs and headers give typed errors only', async () => {
    const signed = await sign({
      method: 'PUT',
      url: 'https://b.s3.amazonaws.com/k?acl=&x=1',
      body: 'x',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
      headers: { 'x-amz-meta-a': 'b' },
    })
    const random = prng(7)
    let refused = 0
    for (let i = 0; i < 3000; i++) {
      const which = random(3)
      const headers = { ...signed.headers }
      let url = signed.url
      if (which === 0) headers.authorization = garble(headers.authorization as string, random)
      else if (which === 1)
        url = `https://b.s3.amazonaws.com${garble(url.slice('https://b.s3.amazonaws.com'.length), random)}`
      else {
        const names = Object.keys(headers)
        const name = names[random(names.length)] as string
        headers[name] = garble(headers[name] as string, random)
      }
      const outcome = await verifyRequest({ method: 'PUT', url, headers, body: 'x' }, options)
        .then((v) => (v.body === null ? null : new Response(v.body).arrayBuffer()))
        .then(
          () => 'accepted',
          (error: unknown) => error,
        )
      if (outcome === 'accepted') continue
      refused++
      expect(outcome, `case ${i}`).toBeInstanceOf(VerificationError)
      expect((outcome as VerificationError).status).toBeGreaterThanOrEqual(400)
    }
    expect(refused).toBeGreaterThan(2500)
  })

  it('never releases a byte of a chunk whose signature fails', async () => {
    const payload = new Uint8Array(3 * 8192).fill(1)
    const signed = await signChunked({
      method: 'PUT',
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
      body: payload,
      contentLength: payload.length,
      chunkSize: 8192,
      mode: 'signed',
    })
    const encoded = new Uint8Array(await new Response(signed.body).arrayBuffer())
    const secondChunk = encoded.indexOf(13, encoded.indexOf(10) + 8193 + 2) // inside chunk 2's header line
    const tampered = encoded.slice()
    tampered[secondChunk + 100] = 2 // a data byte of chunk 2
    const verified = await verifyRequest(
      { method: 'PUT', url: signed.url, headers: signed.headers, body: tampered },
      options,
    )
    const reader = (verified.body as ReadableStream<Uint8Array>).getReader()
    let received = 0
    let failure: unknown
    for (;;) {
      const next = await reader.read().catch((error: unknown) => {
        failure = error
        return { done: true, value: undefined }
      })
      if (next.done) break
      const bytes = next.value as Uint8Array
      expect(bytes.every((b) => b === 1)).toBe(true)
      received += bytes.length
    }
    expect(received).toBe(8192)
    expect((failure as VerificationError).awsCode).toBe('SignatureDoesNotMatch')
    expect((failure as VerificationError).chunk).toBe(1)
  })

  it('refuses oversized chunk sizes and truncated bodies without waiting', async () => {
    const signed = await sign({
      method: 'PUT',
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: { 'x-amz-decoded-content-length': '5', 'x-amz-trailer': 'x-amz-checksum-crc32' },
    })
    const send = async (body: string) => {
      const verified = await verifyRequest({ method: 'PUT', url: signed.url, headers: signed.headers, body }, options)
      return new Response(verified.body).arrayBuffer().then(
        () => 'accepted',
        (error: VerificationError) => error.awsCode,
      )
    }
    expect(await send('fffffffffffff\r\n')).toBe('InvalidRequest')
    expect(await send('5\r\nhel')).toBe('IncompleteBody')
    expect(await send('6\r\nhello!\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n')).toBe('IncompleteBody')
    expect(await send('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n')).toBe('BadDigest')
    expect(await send('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n')).toBe('accepted')
  })
})
