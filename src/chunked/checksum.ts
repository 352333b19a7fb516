// The additional checksums S3 accepts (`x-amz-checksum-*`), whole-body or as an aws-chunked trailer.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
import { createHash, nativeCrc32, sha256Hex } from '#crypto'
import { InvalidInputError } from '../errors.js'
import { fromHex } from '../lib/hex.js'
import { typeOf } from '../sign/request.js'
import { crc32, crc32c, crc64nvme } from './crc.js'

/** The checksum algorithms S3 accepts, as their lower-case header suffix. */
export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256'

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']

/** Length of the base64 value of each checksum, which the encoded body length depends on. */
export const CHECKSUM_BASE64_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = {
  crc32: 8,
  crc32c: 8,
  crc64nvme: 12,
  sha1: 28,
  sha256: 44,
}

/** Synchronous core shared by {@link createChecksum} and the aws-chunked encoder and decoder. */
export interface ChecksumState {
  update(data: Uint8Array): void
  /** Base64 of the big-endian digest. Call once. */
  digest(): string
}

const encoder = new TextEncoder()

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number)
  return btoa(binary)
}

const uint32 = (...values: number[]) => {
  const out = new Uint8Array(values.length * 4)
  const view = new DataView(out.buffer)
  values.forEach((v, i) => {
    view.setUint32(i * 4, v)
  })
  return out
}

/** Throws {@link InvalidInputError} unless `algorithm` is one S3 accepts. */
export function checkAlgorithm(field: string, algorithm: unknown): ChecksumAlgorithm {
  if (typeof algorithm === 'string' && (CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    return algorithm as ChecksumAlgorithm
  }
  throw new InvalidInputError(
    field,
    `must be one of ${CHECKSUM_ALGORITHMS.join(', ')}, got ${typeof algorithm === 'string' ? JSON.stringify(algorithm) : typeOf(algorithm)}`,
  )
}

export function checksumState(algorithm: ChecksumAlgorithm): ChecksumState {
  switch (algorithm) {
    case 'crc32': {
      let crc = 0
      const update = nativeCrc32() ?? crc32
      return {
        update: (data) => {
          crc = update(data, crc)
        },
        digest: () => toBase64(uint32(crc)),
      }
    }
    case 'crc32c': {
      let crc = 0
      return {
        update: (data) => {
          crc = crc32c(data, crc)
        },
        digest: () => toBase64(uint32(crc)),
      }
    }
    case 'crc64nvme': {
      let crc: [number, number] = [0, 0]
      return {
        update: (data) => {
          crc = crc64nvme(data, crc)
        },
        digest: () => toBase64(uint32(crc[0], crc[1])),
      }
    }
    default: {
      const hash = createHash(algorithm)
      return { update: (data) => hash.update(data), digest: () => toBase64(hash.digest()) }
    }
  }
}

/** Bytes of a string (UTF-8), `ArrayBuffer` or view; `undefined` for anything else. */
export function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data
  if (typeof data === 'string') return encoder.encode(data)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return undefined
}

/** An incremental `x-amz-checksum-*` value, from {@link createChecksum}. */
export interface Checksum {
  readonly algorithm: ChecksumAlgorithm
  /** `x-amz-checksum-crc32`, ... */
  readonly headerName: `x-amz-checksum-${ChecksumAlgorithm}`
  /** Adds bytes (strings are UTF-8). Returns the checksum, for chaining. */
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): this
  /** The base64 checksum of everything added, as S3 expects it in the header. Call once. */
  digest(): Promise<string>
}

/**
 * Starts an incremental S3 checksum: CRC-32, CRC-32C, CRC-64/NVME, SHA-1 or SHA-256.
 *
 * @example
 * const checksum = createChecksum('crc32c')
 * for await (const chunk of file) checksum.update(chunk)
 * headers[checksum.headerName] = await checksum.digest()
 */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  const name = checkAlgorithm('algorithm', algorithm)
  const state = checksumState(name)
  let done = false
  return {
    algorithm: name,
    headerName: `x-amz-checksum-${name}`,
    update(data) {
      if (done) throw new InvalidInputError('checksum', 'cannot be updated after digest()')
      const bytes = asBytes(data)
      if (bytes === undefined) {
        throw new InvalidInputError('data', `must be a string, Uint8Array, ArrayBuffer or view, got ${typeOf(data)}`)
      }
      state.update(bytes)
      return this
    },
    async digest() {
      if (done) throw new InvalidInputError('checksum', 'digest() was already called')
      done = true
      return state.digest()
    },
  }
}

/**
 * The `x-amz-checksum-<algorithm>` header for a body held in memory, for an ordinary (not
 * aws-chunked) upload. Send it with the request; sign it too, if you like (it is an `x-amz-` header).
 *
 * @example
 * const headers = await checksumHeaders('crc32c', bytes) // { 'x-amz-checksum-crc32c': 'sOO8/Q==' }
 * const signed = await sign({ method: 'PUT', url, headers, body: bytes, service: 's3', region, credentials })
 */
export async function checksumHeaders(
  algorithm: ChecksumAlgorithm,
  body: string | Uint8Array | ArrayBuffer | ArrayBufferView | null | undefined,
): Promise<Record<string, string>> {
  const name = checkAlgorithm('algorithm', algorithm)
  const bytes = body === null || body === undefined ? new Uint8Array(0) : asBytes(body)
  if (bytes === undefined) {
    throw new InvalidInputError(
      'body',
      `must be a string, Uint8Array, ArrayBuffer or view, got ${typeOf(body)} (for a stream, use createChecksum or signChunked)`,
    )
  }
  let value: string
  if (name === 'sha256') {
    // One-shot, so WebCrypto's native digest serves it too.
    value = toBase64(fromHex(await sha256Hex(bytes)))
  } else {
    const state = checksumState(name)
    state.update(bytes)
    value = state.digest()
  }
  return { [`x-amz-checksum-${name}`]: value }
}
