// Multipart checksums as S3 defines them: one per part, then for the object either the full-object CRC
// (the parts' CRCs combined) or the composite (the checksum of the parts' checksums, "-N").
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
import { createHash, nativeCrc32 } from '#crypto'
import { type ChecksumAlgorithm, toBase64 } from '../chunked/checksum.js'
import { crc32, crc32c, crc64nvme } from '../chunked/crc.js'
import { CRC32_SPEC, CRC32C_SPEC, CRC64NVME_SPEC, type CrcSpec, combineCrc } from '../lib/crc-combine.js'

/** How S3 checksums a multipart object: its parts' CRCs combined, or a checksum of their checksums. */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE'

/** S3's spelling: `CRC64NVME` in `x-amz-checksum-algorithm` and `<ChecksumCRC64NVME>`. */
export const s3Name = (algorithm: ChecksumAlgorithm) => algorithm.toUpperCase()

/** The raw (big-endian) digest of one part, and its base64 for the headers. */
export interface PartDigest {
  raw: Uint8Array
  base64: string
}

export interface PartHasher {
  update(data: Uint8Array): void
  digest(): PartDigest
}

const CRC_SPECS: Partial<Record<ChecksumAlgorithm, CrcSpec>> = {
  crc32: CRC32_SPEC,
  crc32c: CRC32C_SPEC,
  crc64nvme: CRC64NVME_SPEC,
}

export const isCrc = (algorithm: ChecksumAlgorithm) => CRC_SPECS[algorithm] !== undefined

function bigEndian(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn)
    value >>= 8n
  }
  return out
}

const toBigInt = (raw: Uint8Array) => raw.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n)

/** A new hasher for one part (or a whole single-request body). */
export function partHasher(algorithm: ChecksumAlgorithm): PartHasher {
  const digest = (raw: Uint8Array): PartDigest => ({ raw, base64: toBase64(raw) })
  switch (algorithm) {
    case 'crc32':
    case 'crc32c': {
      const update = algorithm === 'crc32' ? (nativeCrc32() ?? crc32) : crc32c
      let crc = 0
      return {
        update: (data) => {
          crc = update(data, crc)
        },
        digest: () => digest(bigEndian(BigInt(crc >>> 0), 4)),
      }
    }
    case 'crc64nvme': {
      let crc: [number, number] = [0, 0]
      return {
        update: (data) => {
          crc = crc64nvme(data, crc)
        },
        digest: () => digest(bigEndian((BigInt(crc[0]) << 32n) | BigInt(crc[1]), 8)),
      }
    }
    default: {
      const hash = createHash(algorithm)
      return { update: (data) => hash.update(data), digest: () => digest(hash.digest()) }
    }
  }
}

/**
 * The object's checksum from its parts' digests and lengths, in part order, as S3 reports it:
 * full-object (base64 of the combined CRC) or composite (base64 of the checksum of the concatenated
 * raw part checksums, then `-N`).
 */
export function objectChecksum(
  algorithm: ChecksumAlgorithm,
  type: ChecksumType,
  parts: ReadonlyArray<{ digest: PartDigest; size: number }>,
): string {
  if (type === 'COMPOSITE') {
    const hasher = partHasher(algorithm)
    for (const part of parts) hasher.update(part.digest.raw)
    return `${hasher.digest().base64}-${parts.length}`
  }
  const spec = CRC_SPECS[algorithm] as CrcSpec
  let crc: bigint | undefined
  for (const part of parts) {
    const value = toBigInt(part.digest.raw)
    crc = crc === undefined ? value : combineCrc(spec, crc, value, part.size)
  }
  return toBase64(bigEndian(crc ?? 0n, spec.width / 8))
}
