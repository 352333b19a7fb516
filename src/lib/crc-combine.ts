// Combining CRCs: the CRC of A followed by B from crc(A), crc(B) and B's length, without the data
// (zlib's crc32_combine by powers of x, generalised to any reflected CRC; BigInt: it runs once per part).
// S3 computes full-object multipart checksums this way from the parts' CRCs:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#Full-object-checksums

/** A reflected CRC that starts from and ends XORed with all ones (CRC-32, CRC-32C, CRC-64/NVME). */
export interface CrcSpec {
  /** Width in bits. */
  width: number
  /** Reflected polynomial. */
  poly: bigint
}

export const CRC32_SPEC: CrcSpec = { width: 32, poly: 0xedb88320n }
export const CRC32C_SPEC: CrcSpec = { width: 32, poly: 0x82f63b78n }
export const CRC64NVME_SPEC: CrcSpec = { width: 64, poly: 0x9a6c9329ac4bc9b5n }

/** a(x) * b(x) modulo the polynomial, both reflected. */
function multModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(spec.width - 1)
  let p = 0n
  for (;;) {
    if ((a & m) !== 0n) {
      p ^= b
      if ((a & (m - 1n)) === 0n) break
    }
    m >>= 1n
    b = (b & 1n) !== 0n ? (b >> 1n) ^ spec.poly : b >> 1n
  }
  return p
}

const powers = new WeakMap<CrcSpec, bigint[]>()

/** x^(2^k) modulo the polynomial for k = 0..63 (enough for any length below 2^60 bytes). */
function powerTable(spec: CrcSpec): bigint[] {
  let table = powers.get(spec)
  if (table === undefined) {
    table = [1n << BigInt(spec.width - 2)] // x^1
    for (let k = 1; k < 64; k++) table.push(multModP(spec, table[k - 1] as bigint, table[k - 1] as bigint))
    powers.set(spec, table)
  }
  return table
}

/** The CRC of A followed by B, from `crcA`, `crcB` (finished CRC values) and B's length in bytes. */
export function combineCrc(spec: CrcSpec, crcA: bigint, crcB: bigint, lengthB: number): bigint {
  const table = powerTable(spec)
  let p = 1n << BigInt(spec.width - 1) // x^0
  let n = BigInt(lengthB)
  let k = 3 // lengthB bytes = 2^3 * lengthB bits
  while (n > 0n) {
    if ((n & 1n) !== 0n) p = multModP(spec, table[k] as bigint, p)
    n >>= 1n
    k++
  }
  return multModP(spec, p, crcA) ^ crcB
}
