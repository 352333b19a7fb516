// Checksums and hashes: published check values, then differential tests on random data and random
// splits against independent implementations (node:zlib, node:crypto, bit-by-bit reference CRCs).
import { createHash } from 'node:crypto'
import * as zlib from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { crc32, crc32c, crc64nvme } from '../../src/chunked/crc.js'
import {
  type ChecksumAlgorithm,
  checksumHeaders,
  createChecksum,
  createPayloadHasher,
  InvalidInputError,
  sign,
} from '../../src/index.js'
import * as nodeBackend from '../../src/lib/crypto/crypto.node.js'
import type { CryptoBackend } from '../../src/lib/crypto/types.js'
import * as webBackend from '../../src/lib/crypto/web.js'
import { randomBytes, textBytes } from '../support/chunked.js'

const CHECK = textBytes('123456789')
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64')

// Bit-by-bit references, written from the definitions (reflected input and output, init and
// xorout all ones), independent of the table-driven code under test.
function referenceCrc32(poly: number, data: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of data) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}
function referenceCrc64nvme(data: Uint8Array): bigint {
  const poly = 0x9a6c9329ac4bc9b5n
  let c = 0xffffffffffffffffn
  for (const byte of data) {
    c ^= BigInt(byte)
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n
  }
  return c ^ 0xffffffffffffffffn
}
const hex32 = (n: number) => n.toString(16).padStart(8, '0')
const hex64 = ([hi, lo]: readonly [number, number]) => hex32(hi) + hex32(lo)

/** Random bytes at a random offset of their buffer (so the word loops meet every alignment) and split points. */
const bytesAndSplits = fc
  .tuple(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.nat(7), fc.array(fc.nat(600), { maxLength: 6 }))
  .map(([data, offset, splits]) => {
    const padded = new Uint8Array(data.length + offset)
    padded.set(data, offset)
    const view = padded.subarray(offset)
    const points = [...new Set(splits.map((s) => s % (view.length + 1)))].sort((a, b) => a - b)
    const pieces: Uint8Array[] = []
    let last = 0
    for (const p of [...points, view.length]) {
      pieces.push(view.subarray(last, p))
      last = p
    }
    return { data: view, pieces }
  })

describe('CRCs: check values', () => {
  it('CRC-32, CRC-32C and CRC-64/NVME of "123456789"', () => {
    expect(hex32(crc32(CHECK))).toBe('cbf43926')
    expect(hex32(crc32c(CHECK))).toBe('e3069283')
    expect(hex64(crc64nvme(CHECK))).toBe('ae8b14860a799888')
  })

  it('CRC-32C test vectors of RFC 3720 (iSCSI), appendix B.4', () => {
    const ascending = Uint8Array.from({ length: 32 }, (_, i) => i)
    expect(hex32(crc32c(new Uint8Array(32)))).toBe('8a9136aa')
    expect(hex32(crc32c(new Uint8Array(32).fill(0xff)))).toBe('62a8ab43')
    expect(hex32(crc32c(ascending))).toBe('46dd794e')
    expect(hex32(crc32c(ascending.slice().reverse()))).toBe('113fdb5c')
  })

  it('empty input', () => {
    expect(crc32(new Uint8Array(0))).toBe(0)
    expect(crc32c(new Uint8Array(0))).toBe(0)
    expect(crc64nvme(new Uint8Array(0))).toEqual([0, 0])
  })

  it('S3 documentation: CRC-32C of 66,560 "a" is sOO8/Q==', async () => {
    expect(await checksumHeaders('crc32c', 'a'.repeat(66560))).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' })
  })
})

describe('CRCs: differential on random data and splits', () => {
  it('CRC-32 equals node:zlib, whole and continued piece by piece', () => {
    fc.assert(
      fc.property(bytesAndSplits, ({ data, pieces }) => {
        const expected = zlib.crc32(data)
        expect(crc32(data)).toBe(expected)
        expect(pieces.reduce((c, p) => crc32(p, c), 0)).toBe(expected)
        expect(referenceCrc32(0xedb88320, data)).toBe(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('CRC-32C equals the bit-by-bit reference', () => {
    fc.assert(
      fc.property(bytesAndSplits, ({ data, pieces }) => {
        const expected = referenceCrc32(0x82f63b78, data)
        expect(crc32c(data)).toBe(expected)
        expect(pieces.reduce((c, p) => crc32c(p, c), 0)).toBe(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('CRC-64/NVME equals the bit-by-bit BigInt reference', () => {
    fc.assert(
      fc.property(bytesAndSplits, ({ data, pieces }) => {
        const expected = referenceCrc64nvme(data).toString(16).padStart(16, '0')
        expect(hex64(crc64nvme(data))).toBe(expected)
        let c: [number, number] = [0, 0]
        for (const p of pieces) c = crc64nvme(p, c)
        expect(hex64(c)).toBe(expected)
      }),
      { numRuns: 200 },
    )
  })

  it('large buffers at every alignment', () => {
    const data = randomBytes(200_003, 7)
    for (let offset = 0; offset < 8; offset++) {
      const view = data.subarray(offset)
      expect(crc32(view)).toBe(zlib.crc32(view))
      expect(crc32c(view)).toBe(referenceCrc32(0x82f63b78, view))
    }
    expect(hex64(crc64nvme(data.subarray(3)))).toBe(referenceCrc64nvme(data.subarray(3)).toString(16).padStart(16, '0'))
  })
})

const nodeDigest = (algorithm: 'sha1' | 'sha256', data: Uint8Array) => createHash(algorithm).update(data).digest('hex')

describe('crypto backends: incremental hashes', () => {
  it('both backends have the same shape', () => {
    expectTypeOf(nodeBackend).toMatchTypeOf<CryptoBackend>()
    expectTypeOf(webBackend).toMatchTypeOf<CryptoBackend>()
    expect(Object.keys(nodeBackend).sort()).toEqual(Object.keys(webBackend).sort())
    expect(typeof nodeBackend.nativeCrc32()).toBe('function') // zlib.crc32, Node >= 20.15
    expect(webBackend.nativeCrc32()).toBeUndefined()
  })

  it('pure-JS SHA-256 and SHA-1 (WebCrypto backend) equal node:crypto at every padding boundary', () => {
    for (const algorithm of ['sha256', 'sha1'] as const) {
      for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
        const data = randomBytes(length, length + 1)
        const web = webBackend.createHash(algorithm)
        web.update(data)
        expect(Buffer.from(web.digest()).toString('hex')).toBe(nodeDigest(algorithm, data))
        const node = nodeBackend.createHash(algorithm)
        node.update(data)
        expect(Buffer.from(node.digest()).toString('hex')).toBe(nodeDigest(algorithm, data))
      }
    }
    const abc = webBackend.createHash('sha256')
    abc.update(textBytes('abc'))
    // FIPS 180-2 appendix B.1
    expect(Buffer.from(abc.digest()).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('pure-JS SHA-256 and SHA-1 equal node:crypto on random data fed in random pieces', () => {
    fc.assert(
      fc.property(
        bytesAndSplits,
        fc.constantFrom('sha256' as const, 'sha1' as const),
        ({ data, pieces }, algorithm) => {
          const web = webBackend.createHash(algorithm)
          for (const p of pieces) web.update(p)
          expect(Buffer.from(web.digest()).toString('hex')).toBe(nodeDigest(algorithm, data))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('a digested hash refuses more input', () => {
    const hash = webBackend.createHash('sha256')
    hash.digest()
    expect(() => hash.update(new Uint8Array(1))).toThrow()
  })
})

const ALGORITHMS: ChecksumAlgorithm[] = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']

/** Expected base64 header value, from independent implementations. */
function expectedChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  switch (algorithm) {
    case 'crc32':
      return b64(hex32(zlib.crc32(data)))
    case 'crc32c':
      return b64(hex32(referenceCrc32(0x82f63b78, data)))
    case 'crc64nvme':
      return b64(referenceCrc64nvme(data).toString(16).padStart(16, '0'))
    default:
      return createHash(algorithm).update(data).digest('base64')
  }
}

describe('checksumHeaders and createChecksum', () => {
  it.each(ALGORITHMS)('%s: check value, header name and base64 form', async (algorithm) => {
    const known: Record<ChecksumAlgorithm, string> = {
      crc32: b64('cbf43926'),
      crc32c: b64('e3069283'),
      crc64nvme: b64('ae8b14860a799888'),
      sha1: b64('f7c3bc1d808e04732adf679965ccc34ca7ae3441'),
      sha256: b64('15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'),
    }
    expect(await checksumHeaders(algorithm, '123456789')).toEqual({ [`x-amz-checksum-${algorithm}`]: known[algorithm] })
    const checksum = createChecksum(algorithm)
    expect(checksum.headerName).toBe(`x-amz-checksum-${algorithm}`)
    expect(await checksum.update('1234').update(textBytes('5678')).update(textBytes('9').buffer).digest()).toBe(
      known[algorithm],
    )
  })

  it('every algorithm equals its independent implementation on random data and splits', async () => {
    await fc.assert(
      fc.asyncProperty(bytesAndSplits, fc.constantFrom(...ALGORITHMS), async ({ data, pieces }, algorithm) => {
        const expected = expectedChecksum(algorithm, data)
        expect((await checksumHeaders(algorithm, data))[`x-amz-checksum-${algorithm}`]).toBe(expected)
        const checksum = createChecksum(algorithm)
        for (const p of pieces) checksum.update(p)
        expect(await checksum.digest()).toBe(expected)
      }),
      { numRuns: 200 },
    )
  })

  it('takes strings, ArrayBuffers, views and empty bodies', async () => {
    const data = randomBytes(100, 3)
    const view = new DataView(data.buffer, 10, 50)
    const expected = expectedChecksum('crc32c', data.subarray(10, 60))
    expect((await checksumHeaders('crc32c', view))['x-amz-checksum-crc32c']).toBe(expected)
    expect((await checksumHeaders('crc32c', data.slice(10, 60).buffer))['x-amz-checksum-crc32c']).toBe(expected)
    expect(await checksumHeaders('sha256', null)).toEqual({
      'x-amz-checksum-sha256': '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    })
  })

  it('rejects unknown algorithms and non-byte input by field', async () => {
    await expect(checksumHeaders('md5' as ChecksumAlgorithm, 'x')).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      field: 'algorithm',
    })
    expect(() => createChecksum('CRC32' as ChecksumAlgorithm)).toThrow(InvalidInputError)
    await expect(checksumHeaders('crc32', 42 as unknown as string)).rejects.toMatchObject({ field: 'body' })
    const checksum = createChecksum('crc32')
    expect(() => checksum.update({} as Uint8Array)).toThrow(InvalidInputError)
    await checksum.digest()
    await expect(checksum.digest()).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
  })

  it('a whole-body checksum header can be signed with an ordinary upload', async () => {
    const body = randomBytes(1000, 9)
    const headers = await checksumHeaders('crc64nvme', body)
    const signed = await sign({
      method: 'PUT',
      url: 'https://bucket.s3.amazonaws.com/key',
      headers,
      body,
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    })
    expect(signed.signedHeaders).toContain('x-amz-checksum-crc64nvme')
    expect(signed.headers['x-amz-checksum-crc64nvme']).toBe(expectedChecksum('crc64nvme', body))
  })
})

describe('createPayloadHasher', () => {
  it('equals node:crypto over strings, bytes, ArrayBuffers and views, and signs like the whole body', async () => {
    const text = 'héllo wörld '.repeat(1000)
    const bytes = textBytes(text)
    const hasher = createPayloadHasher()
    hasher.update(text.slice(0, 10)).update(bytes.subarray(textBytes(text.slice(0, 10)).length, 500))
    hasher.update(bytes.slice(500, 900).buffer).update(new DataView(bytes.buffer, 900, bytes.length - 900))
    expect(hasher.length).toBe(bytes.length)
    const hash = await hasher.digest()
    expect(hash).toBe(createHash('sha256').update(bytes).digest('hex'))
    const request = {
      method: 'PUT',
      url: 'https://examplebucket.s3.amazonaws.com/a',
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      date: new Date(0),
    }
    expect((await sign({ ...request, payloadHash: hash })).signature).toBe(
      (await sign({ ...request, body: bytes })).signature,
    )
  })

  it('empty payload is EMPTY_SHA256; misuse fails by code', async () => {
    const hasher = createPayloadHasher()
    expect(await hasher.digest()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(() => hasher.update('x')).toThrow(InvalidInputError)
    await expect(hasher.digest()).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
    expect(() => createPayloadHasher().update(5 as unknown as string)).toThrow(InvalidInputError)
  })
})
