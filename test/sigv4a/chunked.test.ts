// aws-chunked uploads with SigV4a (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER]), against
// aws-c-auth's chunked vectors (tests/test_chunked_signing.c): the seed request's canonical request
// byte-equal; every chunk and trailer signature padded with '*' to 144 characters on the wire, and its
// unpadded value verifying under the vectors' public key over the string to sign built from upstream's
// template with the previous *unpadded* signature; decodeChunked reads it back and refuses tampering.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { decodeChunked, sign, signChunked } from '../../src/index.js'
import { chainStringToSign } from '../../src/sign/chain.js'
import { publicKeyFor, sigv4a, verifyWithPublicKey } from '../../src/sigv4a/index.js'

const vectors = JSON.parse(await readFile(new URL('../vectors/sigv4a-vectors.json', import.meta.url), 'utf8'))
const chunked = vectors.signatures.find((s: { name: string }) => s.name === 'aws-c-auth-sigv4a-chunked-and-trailer')
const { inputs, expected } = chunked
const credentials = { accessKeyId: inputs.access_key_id, secretAccessKey: inputs.secret_access_key }
const publicKey = expected.verification_public_key
const date = new Date('2013-05-24T00:00:00Z')
const URL_ = 'https://s3.amazonaws.com/examplebucket/chunkObject.txt'
const payload = new TextEncoder().encode('a'.repeat(66560))
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex')
const text = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text()

/** The string to sign of one link, from upstream's template. */
const fromTemplate = (template: string, previous: string, hash?: string) =>
  template.replace(/<previous signature[^>]*>/, previous).replace('<sha256(chunk)>', hash ?? '')

describe('SigV4a aws-chunked (aws-c-auth vectors)', () => {
  it('derives the vectors’ public key', async () => {
    expect(await publicKeyFor(credentials)).toMatchObject({ x: publicKey.x, y: publicKey.y })
  })

  it('signs the seed requests’ canonical requests byte for byte', async () => {
    const headers = {
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    }
    const common = {
      method: 'PUT',
      url: URL_,
      service: 's3',
      regionSet: ['us-east-1'],
      algorithm: sigv4a,
      credentials,
      date,
    }
    const plain = await sign({ ...common, headers, payloadHash: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' })
    expect(plain.canonicalRequest).toBe(expected.canonical_request)
    const withTrailer = await sign({
      ...common,
      headers: { ...headers, 'x-amz-trailer': 'first,second,third' },
      payloadHash: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
    })
    expect(withTrailer.canonicalRequest).toBe(expected.trailer_variant_canonical_request)
    expect(await verifyWithPublicKey(publicKey, withTrailer.stringToSign, withTrailer.signature)).toBe(true)
  })

  it('the trailer string to sign hashes the canonical trailer lines', () => {
    const trailerHash = sha256('first:1st\nsecond:2nd\nthird:3rd\n')
    expect(expected.trailer_string_to_sign_template.endsWith(trailerHash)).toBe(true)
    expect(
      chainStringToSign(sigv4a.id, 'trailer', '20130524T000000Z', '20130524/s3/aws4_request', 'PREV', trailerHash),
    ).toBe(fromTemplate(expected.trailer_string_to_sign_template, 'PREV'))
  })

  for (const mode of ['signed', 'signed-trailer'] as const) {
    it(`${mode}: 144-character padded chunk signatures that chain unpadded and verify under the public key`, async () => {
      const signed = await signChunked({
        method: 'PUT',
        url: URL_,
        headers: { 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        service: 's3',
        regionSet: ['us-east-1'],
        algorithm: sigv4a,
        credentials,
        date,
        body: [payload],
        contentLength: payload.length,
        chunkSize: 65536,
        mode,
        ...(mode === 'signed-trailer' ? { checksum: 'crc32c' as const } : {}),
      })
      const payloadHash = `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD${mode === 'signed-trailer' ? '-TRAILER' : ''}`
      expect(signed.headers['x-amz-content-sha256']).toBe(payloadHash)
      expect(signed.headers['x-amz-region-set']).toBe('us-east-1')
      expect(signed.headers.authorization).toMatch(
        /^AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20130524\/s3\/aws4_request, /,
      )
      // The seed (request) signature is never padded.
      expect(signed.signature).toMatch(/^30[0-9a-f]+$/)
      expect(await verifyWithPublicKey(publicKey, signed.stringToSign, signed.signature)).toBe(true)

      const body = await text(signed.body)
      expect(body.length).toBe(signed.contentLength)
      expect(signed.headers['content-length']).toBe(String(body.length))
      const signatures = [...body.matchAll(/;chunk-signature=([^\r]*)\r\n/g)].map((m) => m[1] as string)
      expect(signatures).toHaveLength(3)
      let previous = signed.signature
      for (const [i, wire] of signatures.entries()) {
        expect(wire).toHaveLength(144)
        const unpadded = wire.replace(/\*+$/, '')
        expect(wire).toBe(unpadded.padEnd(144, '*'))
        expect(unpadded).toMatch(/^30(?:[0-9a-f]{2})+$/)
        const toSign = fromTemplate(expected.chunk_string_to_sign_template, previous, expected.chunk_sha256[i])
        expect(await verifyWithPublicKey(publicKey, toSign, unpadded)).toBe(true)
        previous = unpadded
      }
      if (mode === 'signed') {
        // 3 chunks of 144-character signatures: 80 more per chunk than SigV4's 64.
        expect(body.length).toBe(66824 + 3 * 80)
        return
      }
      const trailer = /\r\n(x-amz-checksum-crc32c:[^\r]*)\r\nx-amz-trailer-signature:([^\r]*)\r\n\r\n$/.exec(body)
      expect(trailer).not.toBeNull()
      const [, line, wire] = trailer as unknown as [string, string, string]
      expect(wire).toHaveLength(144)
      const unpadded = wire.replace(/\*+$/, '')
      const toSign = chainStringToSign(
        sigv4a.id,
        'trailer',
        '20130524T000000Z',
        '20130524/s3/aws4_request',
        previous,
        sha256(`${line}\n`),
      )
      expect(toSign).toBe(
        fromTemplate(expected.trailer_string_to_sign_template, previous).replace(/[0-9a-f]{64}$/, sha256(`${line}\n`)),
      )
      expect(await verifyWithPublicKey(publicKey, toSign, unpadded)).toBe(true)
    })
  }

  it('unsigned-trailer: a SigV4a-signed request with plain chunks and a checksum trailer', async () => {
    const signed = await signChunked({
      method: 'PUT',
      url: URL_,
      service: 's3',
      regionSet: ['us-east-1'],
      algorithm: sigv4a,
      credentials,
      date,
      body: [payload],
      contentLength: payload.length,
      mode: 'unsigned-trailer',
      checksum: 'crc32',
    })
    expect(signed.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER')
    expect(await verifyWithPublicKey(publicKey, signed.stringToSign, signed.signature)).toBe(true)
    const body = await text(signed.body)
    expect(body).not.toContain('chunk-signature')
    let length = 0
    const decoded = decodeChunked([new TextEncoder().encode(body)], {
      mode: 'unsigned-trailer',
      trailer: signed.headers['x-amz-trailer'],
    })
    for await (const piece of decoded) length += piece.length
    expect(length).toBe(payload.length)
    expect(Object.keys(decoded.trailers)).toEqual(['x-amz-checksum-crc32'])
  })

  const decodeOptions = (seedSignature: string, mode: string) => ({
    mode,
    seedSignature,
    credentials,
    algorithm: sigv4a,
    service: 's3',
    date,
    decodedContentLength: payload.length,
  })

  it('decodeChunked reads a SigV4a body back, and refuses a changed chunk or signature', async () => {
    for (const mode of ['signed', 'signed-trailer'] as const) {
      const make = () =>
        signChunked({
          method: 'PUT',
          url: URL_,
          service: 's3',
          regionSet: ['*'],
          algorithm: sigv4a,
          credentials,
          date,
          body: [payload],
          contentLength: payload.length,
          chunkSize: 8192,
          mode,
          ...(mode === 'signed-trailer' ? { checksum: 'sha256' as const } : {}),
        })
      const signed = await make()
      const body = await text(signed.body)
      const options = {
        ...decodeOptions(signed.signature, signed.headers['x-amz-content-sha256'] as string),
        trailer: signed.headers['x-amz-trailer'],
      }
      let out = ''
      const decoded = decodeChunked([new TextEncoder().encode(body)], options)
      for await (const piece of decoded) out += new TextDecoder().decode(piece)
      expect(out).toBe('a'.repeat(66560))
      if (mode === 'signed-trailer') expect(Object.keys(decoded.trailers)).toEqual(['x-amz-checksum-sha256'])

      const drain = async (text: string) => {
        for await (const _ of decodeChunked([new TextEncoder().encode(text)], options)) {
          // consume
        }
      }
      // A data byte changed.
      await expect(drain(body.replace('aaaa\r\n', 'aaab\r\n'))).rejects.toMatchObject({
        code: 'ERR_SIGNATURE_MISMATCH',
      })
      // Another valid-looking signature in place of the first chunk's.
      const first = /;chunk-signature=([^\r]*)/.exec(body)?.[1] as string
      const other = (await sigv4a.sign(await sigv4a.key(credentials, '', '', '', null), 'x')).padEnd(144, '*')
      await expect(drain(body.replace(first, other))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_MISMATCH' })
      // Padding past 144 characters, or not hex.
      await expect(drain(body.replace(first, `${first}*`))).rejects.toMatchObject({ code: 'ERR_MALFORMED_CHUNK' })
      await expect(drain(body.replace(first, first.replace(/^30/, '3g')))).rejects.toMatchObject({
        code: 'ERR_MALFORMED_CHUNK',
      })
      // The seed signature must be SigV4a's form.
      expect(() => decodeChunked([], { ...options, seedSignature: 'a'.repeat(64).toUpperCase() })).toThrow(
        expect.objectContaining({ field: 'seedSignature' }),
      )
    }
  })
})
