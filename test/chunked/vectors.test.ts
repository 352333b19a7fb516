// The S3 documentation's aws-chunked examples and aws-c-auth's trailer vector, byte for byte:
// seed canonical request, string to sign and signature, every chunk signature, the trailer, the
// exact encoded body and its length; then the decoder on the same bytes.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeChunked, signChunked, VerificationError } from '../../src/index.js'
import { asText, cut, drain, SOURCE_KINDS, sourceOf, textBytes } from '../support/chunked.js'

interface ChunkVector {
  chunk_data: { repeat: string; length: number }
  signature: string
  encoded_chunk_header: string
}
interface Example {
  name: string
  inputs: {
    access_key_id: string
    secret_access_key: string
    region: string
    service: string
    x_amz_date: string
    method: string
    path: string
    headers: Record<string, string>
    object_data: { repeat: string; length: number }
    previous_signature?: string
    trailing_headers?: Array<[string, string]>
  }
  expected: {
    seed_canonical_request: string
    seed_string_to_sign: string
    seed_signature: string
    seed_authorization_sdk_format: string
    chunks: ChunkVector[]
    trailer?: { trailing_headers: Array<[string, string]>; signature: string; encoded_trailer: string }
    canonical_trailer_bytes?: string
    signature?: string
  }
}

const file = JSON.parse(readFileSync(new URL('../vectors/s3-examples.json', import.meta.url), 'utf8')) as {
  examples: Example[]
}
const example = (name: string) => {
  const found = file.examples.find((e) => e.name === name)
  if (found === undefined) throw new Error(`no example ${name}`)
  return found
}
const chunked = example('chunked-upload')
const trailer = example('chunked-upload-with-signed-trailer')
const acaTrailer = example('aws-c-auth-chunked-plus-trailing-headers')

const payload = textBytes('a'.repeat(66560))
const date = new Date('2013-05-24T00:00:00Z')
const credentials = {
  accessKeyId: chunked.inputs.access_key_id,
  secretAccessKey: chunked.inputs.secret_access_key,
}
const base = {
  method: 'PUT',
  url: 'https://s3.amazonaws.com/examplebucket/chunkObject.txt',
  headers: { 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
  service: 's3',
  region: 'us-east-1',
  credentials,
  date,
  contentLength: payload.length,
  chunkSize: 65536,
  keyCache: null,
} as const

/** The documented encoded body: each chunk header, its data and CRLF. */
function expectedBody(vectors: ChunkVector[], tail: string): string {
  let out = ''
  for (const chunk of vectors) {
    out += chunk.encoded_chunk_header
    if (chunk.chunk_data.length > 0) out += `${chunk.chunk_data.repeat.repeat(chunk.chunk_data.length)}\r\n`
  }
  return out + tail
}

describe('S3 example: chunked upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  const wire = expectedBody(chunked.expected.chunks, '\r\n')

  it('documents a 66,824-byte body', () => {
    expect(wire.length).toBe(66824)
    expect(chunked.inputs.headers['Content-Length']).toBe('66824')
  })

  it.each(SOURCE_KINDS)('seed, chunk signatures and exact bytes from a %s source', async (kind) => {
    for (const sizes of [[66560], [65536, 1024], [1], [1000, 7, 65536], [4096]]) {
      const body = await sourceOf(kind, cut(payload, sizes))
      const signed = await signChunked({ ...base, body, mode: 'signed' })
      expect(signed.canonicalRequest).toBe(chunked.expected.seed_canonical_request)
      expect(signed.stringToSign).toBe(chunked.expected.seed_string_to_sign)
      expect(signed.signature).toBe(chunked.expected.seed_signature)
      expect(signed.headers.authorization).toBe(chunked.expected.seed_authorization_sdk_format)
      expect(signed.headers['content-length']).toBe('66824')
      expect(signed.headers['x-amz-decoded-content-length']).toBe('66560')
      expect(signed.headers['content-encoding']).toBe('aws-chunked')
      expect(signed.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')
      expect(signed.headers['x-amz-trailer']).toBeUndefined()
      expect(signed.contentLength).toBe(66824)
      const bytes = await drain(signed.body)
      expect(bytes.length).toBe(66824)
      expect(asText(bytes) === wire).toBe(true)
      expect(await signed.trailers).toEqual({})
    }
  })

  it('every chunk signature of the documentation appears in order', async () => {
    const signed = await signChunked({ ...base, body: [payload], mode: 'signed' })
    const text = asText(await drain(signed.body))
    const found = [...text.matchAll(/chunk-signature=([0-9a-f]{64})/g)].map((m) => m[1])
    expect(found).toEqual(chunked.expected.chunks.map((c) => c.signature))
  })

  it('decodes and verifies the documented bytes', async () => {
    const decoded = decodeChunked([textBytes(wire)], {
      mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      seedSignature: chunked.expected.seed_signature,
      credentials,
      region: 'us-east-1',
      service: 's3',
      date: '20130524T000000Z',
      decodedContentLength: 66560,
    })
    expect(asText(await drain(decoded))).toBe('a'.repeat(66560))
    expect(decoded.chunks).toBe(3)
    expect(decoded.trailers).toEqual({})
  })

  it('rejects the documented bytes under another seed signature', async () => {
    const decoded = decodeChunked([textBytes(wire)], {
      mode: 'signed',
      seedSignature: trailer.expected.seed_signature,
      credentials,
      region: 'us-east-1',
      service: 's3',
      date,
    })
    const error = await drain(decoded).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(VerificationError)
    expect(error).toMatchObject({ code: 'ERR_SIGNATURE_MISMATCH', chunk: 0 })
  })
})

describe('S3 example: chunked upload with a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', () => {
  const wire = expectedBody(trailer.expected.chunks, trailer.expected.trailer?.encoded_trailer as string)

  it('seed, chunk signatures, CRC32C trailer and its signature, byte for byte', async () => {
    for (const sizes of [[66560], [8192], [3, 65533, 1024]]) {
      const signed = await signChunked({
        ...base,
        body: await sourceOf('readable-stream', cut(payload, sizes)),
        mode: 'signed-trailer',
        checksum: 'crc32c',
        // The documented seed signs x-amz-trailer but not content-length.
        unsignedHeaders: ['content-length'],
      })
      expect(signed.canonicalRequest).toBe(trailer.expected.seed_canonical_request)
      expect(signed.stringToSign).toBe(trailer.expected.seed_string_to_sign)
      expect(signed.signature).toBe(trailer.expected.seed_signature)
      expect(signed.headers.authorization).toBe(trailer.expected.seed_authorization_sdk_format)
      expect(signed.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32c')
      const bytes = await drain(signed.body)
      expect(asText(bytes) === wire).toBe(true)
      expect(signed.contentLength).toBe(wire.length)
      expect(signed.headers['content-length']).toBe(String(wire.length))
      expect(await signed.trailers).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' })
    }
  })

  it('the trailer vector: value, string to sign and signature', () => {
    const t = trailer.expected.trailer as NonNullable<Example['expected']['trailer']>
    expect(t.trailing_headers).toEqual([['x-amz-checksum-crc32c', 'sOO8/Q==']])
    expect(wire.endsWith(`0;chunk-signature=${trailer.expected.chunks[2]?.signature}\r\n${t.encoded_trailer}`)).toBe(
      true,
    )
    expect(t.encoded_trailer).toContain(`x-amz-trailer-signature:${t.signature}\r\n\r\n`)
  })

  it('decodes and verifies the documented bytes, trailer checksum included', async () => {
    for (const sizes of [[wire.length], [1], [17, 4096]]) {
      const decoded = decodeChunked(cut(textBytes(wire), sizes), {
        mode: 'signed-trailer',
        seedSignature: trailer.expected.seed_signature,
        credentials,
        region: 'us-east-1',
        service: 's3',
        date,
        trailer: 'x-amz-checksum-crc32c',
        decodedContentLength: 66560,
      })
      expect(asText(await drain(decoded))).toBe('a'.repeat(66560))
      expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' })
      expect(decoded.chunks).toBe(3)
    }
  })
})

describe('aws-c-auth: trailing headers signed after the documented chunk chain', () => {
  it('verifies first:1st, second:2nd, third:3rd with the published trailer signature', async () => {
    const previous = acaTrailer.inputs.previous_signature as string
    expect(previous).toBe(chunked.expected.chunks[2]?.signature)
    const headers = acaTrailer.inputs.trailing_headers as Array<[string, string]>
    // The chunked-upload body up to its final chunk header, then the trailer instead of the empty line.
    const body =
      expectedBody(chunked.expected.chunks, '') +
      headers.map(([k, v]) => `${k}:${v}\r\n`).join('') +
      `x-amz-trailer-signature:${acaTrailer.expected.signature}\r\n\r\n`
    const options = {
      mode: 'signed-trailer',
      seedSignature: chunked.expected.seed_signature,
      credentials,
      region: 'us-east-1',
      service: 's3',
      date,
      trailer: ['first', 'second', 'third'],
    }
    const decoded = decodeChunked([textBytes(body)], options)
    expect((await drain(decoded)).length).toBe(66560)
    expect(decoded.trailers).toEqual({ first: '1st', second: '2nd', third: '3rd' })

    const forged = body.replace('third:3rd', 'third:3rD')
    const error = await drain(decodeChunked([textBytes(forged)], options)).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'VerificationError', code: 'ERR_SIGNATURE_MISMATCH' })
  })
})
