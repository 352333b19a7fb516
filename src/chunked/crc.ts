// Table-driven CRCs for the checksums S3 accepts, in plain JavaScript (node:zlib has CRC-32 only).
// All three are reflected, start from all ones and end XORed with all ones.
// Parameters and check values ("123456789"): https://reveng.sourceforge.io/crc-catalogue/
//   CRC-32        reflected poly 0xedb88320, check 0xcbf43926
//   CRC-32C       reflected poly 0x82f63b78, check 0xe3069283
//   CRC-64/NVME   reflected poly 0x9a6c9329ac4bc9b5, check 0xae8b14860a799888
//
// Speed: "slicing" (one table per byte position, 16 bytes a round) and 32-bit word loads through an
// Int32Array view of the same memory, which is why the word path needs a little-endian platform.

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1
const SLICES32 = 16
const SLICES64 = 8

/** Table k (k = 0..slices-1) maps a byte followed by k zero bytes. */
function tables32(reflectedPoly: number): Int32Array {
  const t = new Int32Array(SLICES32 * 256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1
    t[i] = c
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i] as number
    for (let k = 1; k < SLICES32; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8)
      t[k * 256 + i] = c
    }
  }
  return t
}

/** A CRC-32 family update function over its own tables (a constant: V8 optimises it better). */
function crc32Family(reflectedPoly: number) {
  const t = tables32(reflectedPoly)
  return (data: Uint8Array, crc: number): number => {
    let c = ~crc
    let i = 0
    const n = data.length
    if (LITTLE_ENDIAN) {
      // Byte-wise up to a 4-byte boundary, then 16 bytes per round as four 32-bit words.
      while (i < n && ((data.byteOffset + i) & 3) !== 0) {
        c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8)
        i++
      }
      const blocks = i < n ? (n - i) >>> 4 : 0
      const u = new Int32Array(data.buffer, blocks > 0 ? data.byteOffset + i : 0, blocks * 4)
      // (The bound must be u.length: V8 then drops the bounds checks.)
      for (let w = 0; w < u.length; w += 4) {
        const a = c ^ (u[w] as number)
        const b = u[w + 1] as number
        const d = u[w + 2] as number
        const e = u[w + 3] as number
        c =
          (t[3840 + (a & 0xff)] as number) ^
          (t[3584 + ((a >>> 8) & 0xff)] as number) ^
          (t[3328 + ((a >>> 16) & 0xff)] as number) ^
          (t[3072 + (a >>> 24)] as number) ^
          (t[2816 + (b & 0xff)] as number) ^
          (t[2560 + ((b >>> 8) & 0xff)] as number) ^
          (t[2304 + ((b >>> 16) & 0xff)] as number) ^
          (t[2048 + (b >>> 24)] as number) ^
          (t[1792 + (d & 0xff)] as number) ^
          (t[1536 + ((d >>> 8) & 0xff)] as number) ^
          (t[1280 + ((d >>> 16) & 0xff)] as number) ^
          (t[1024 + (d >>> 24)] as number) ^
          (t[768 + (e & 0xff)] as number) ^
          (t[512 + ((e >>> 8) & 0xff)] as number) ^
          (t[256 + ((e >>> 16) & 0xff)] as number) ^
          (t[e >>> 24] as number)
      }
      i += blocks * 16
    }
    for (; i < n; i++) c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8)
    return ~c >>> 0
  }
}

let crc32Update: ReturnType<typeof crc32Family> | undefined
let crc32cUpdate: ReturnType<typeof crc32Family> | undefined

/** CRC-32 (zlib, PNG) of `data`, continuing from `crc`, the finished CRC of the bytes before (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  crc32Update ??= crc32Family(0xedb88320)
  return crc32Update(data, crc)
}

/** CRC-32C (Castagnoli), continuing from `crc` as for {@link crc32}. */
export function crc32c(data: Uint8Array, crc = 0): number {
  crc32cUpdate ??= crc32Family(0x82f63b78)
  return crc32cUpdate(data, crc)
}

// CRC-64 in two 32-bit halves (BigInt arithmetic is far slower): hi and lo tables.
let crc64Tables: { hi: Int32Array; lo: Int32Array } | undefined

function tables64() {
  if (crc64Tables !== undefined) return crc64Tables
  const hi = new Int32Array(SLICES64 * 256)
  const lo = new Int32Array(SLICES64 * 256)
  for (let i = 0; i < 256; i++) {
    let h = 0
    let l = i
    for (let k = 0; k < 8; k++) {
      const odd = l & 1
      l = (l >>> 1) | ((h & 1) << 31)
      h >>>= 1
      if (odd) {
        h ^= 0x9a6c9329
        l ^= 0xac4bc9b5
      }
    }
    hi[i] = h
    lo[i] = l
  }
  for (let i = 0; i < 256; i++) {
    let h = hi[i] as number
    let l = lo[i] as number
    for (let k = 1; k < SLICES64; k++) {
      const idx = l & 0xff
      l = ((l >>> 8) | (h << 24)) ^ (lo[idx] as number)
      h = (h >>> 8) ^ (hi[idx] as number)
      hi[k * 256 + i] = h
      lo[k * 256 + i] = l
    }
  }
  crc64Tables = { hi, lo }
  return crc64Tables
}

/**
 * CRC-64/NVME of `data`, continuing from `crc`: the finished CRC of the bytes before as
 * `[high 32 bits, low 32 bits]` (`[0, 0]` to start).
 */
export function crc64nvme(data: Uint8Array, crc: readonly [number, number] = [0, 0]): [number, number] {
  const { hi: TH, lo: TL } = tables64()
  let h = ~crc[0]
  let l = ~crc[1]
  let i = 0
  const n = data.length
  if (LITTLE_ENDIAN) {
    while (i < n && ((data.byteOffset + i) & 3) !== 0) {
      const idx = (l ^ (data[i] as number)) & 0xff
      l = ((l >>> 8) | (h << 24)) ^ (TL[idx] as number)
      h = (h >>> 8) ^ (TH[idx] as number)
      i++
    }
    const blocks = i < n ? (n - i) >>> 3 : 0
    const u = new Int32Array(data.buffer, blocks > 0 ? data.byteOffset + i : 0, blocks * 2)
    for (let w = 0; w < u.length; w += 2) {
      const a = l ^ (u[w] as number)
      const b = h ^ (u[w + 1] as number)
      const i0 = 1792 + (a & 0xff)
      const i1 = 1536 + ((a >>> 8) & 0xff)
      const i2 = 1280 + ((a >>> 16) & 0xff)
      const i3 = 1024 + (a >>> 24)
      const i4 = 768 + (b & 0xff)
      const i5 = 512 + ((b >>> 8) & 0xff)
      const i6 = 256 + ((b >>> 16) & 0xff)
      const i7 = b >>> 24
      h =
        (TH[i0] as number) ^
        (TH[i1] as number) ^
        (TH[i2] as number) ^
        (TH[i3] as number) ^
        (TH[i4] as number) ^
        (TH[i5] as number) ^
        (TH[i6] as number) ^
        (TH[i7] as number)
      l =
        (TL[i0] as number) ^
        (TL[i1] as number) ^
        (TL[i2] as number) ^
        (TL[i3] as number) ^
        (TL[i4] as number) ^
        (TL[i5] as number) ^
        (TL[i6] as number) ^
        (TL[i7] as number)
    }
    i += blocks * 8
  }
  for (; i < n; i++) {
    const idx = (l ^ (data[i] as number)) & 0xff
    l = ((l >>> 8) | (h << 24)) ^ (TL[idx] as number)
    h = (h >>> 8) ^ (TH[idx] as number)
  }
  return [~h >>> 0, ~l >>> 0]
}

// CRC-32 combination (zlib's crc32_combine): the CRC of A || B from the CRCs of A and B and B's length,
// in time logarithmic in the length, by multiplying by x^(8 * length) modulo the polynomial.
// https://github.com/madler/zlib/blob/develop/crc32.c (multmodp, x2nmodp)
const POLY32 = 0xedb88320

/** a * b modulo the CRC-32 polynomial (reflected). */
function multModP(a: number, b: number): number {
  let m = 0x80000000
  let p = 0
  for (;;) {
    if (a & m) {
      p ^= b
      if ((a & (m - 1)) === 0) break
    }
    m >>>= 1
    b = b & 1 ? (b >>> 1) ^ POLY32 : b >>> 1
  }
  return p >>> 0
}

let x2nTable: Uint32Array | undefined
/** x^(n * 2^k) modulo the polynomial. */
function x2nModP(n: number, k: number): number {
  if (x2nTable === undefined) {
    x2nTable = new Uint32Array(32)
    let p = 0x40000000 // x^1
    x2nTable[0] = p
    for (let i = 1; i < 32; i++) {
      p = multModP(p, p)
      x2nTable[i] = p
    }
  }
  let p = 0x80000000 // x^0
  while (n > 0) {
    if (n & 1) p = multModP(x2nTable[k & 31] as number, p)
    n = Math.floor(n / 2)
    k++
  }
  return p
}

/** CRC-32 of A || B from `crcA` = crc32(A), `crcB` = crc32(B) and B's length in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0
}
