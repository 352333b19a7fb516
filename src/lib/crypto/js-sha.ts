// Incremental SHA-256 and SHA-1 in plain JavaScript, for runtimes whose only crypto is WebCrypto
// (which has one-shot digests only). FIPS 180-4: https://doi.org/10.6028/NIST.FIPS.180-4
import type { IncrementalHash } from './types.js'

// Pure: a bundle that never hashes with it (WebCrypto's one-shot digests) drops the table.
// biome-ignore format: a table
const K256 = /* @__PURE__ */ Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
)

/** Shared by both hashes: 64-byte blocks, big-endian length padding. */
abstract class BlockHash implements IncrementalHash {
  protected abstract readonly state: Int32Array
  protected abstract readonly w: Int32Array
  readonly #block = new Uint8Array(64)
  #used = 0
  #length = 0
  #done = false

  protected abstract compress(data: Uint8Array, offset: number): void

  update(data: Uint8Array): void {
    if (this.#done) throw new Error('hash already digested')
    this.#length += data.length
    let offset = 0
    if (this.#used > 0) {
      const take = Math.min(64 - this.#used, data.length)
      this.#block.set(data.subarray(0, take), this.#used)
      this.#used += take
      offset = take
      if (this.#used < 64) return
      this.compress(this.#block, 0)
      this.#used = 0
    }
    for (; offset + 64 <= data.length; offset += 64) this.compress(data, offset)
    if (offset < data.length) {
      this.#block.set(data.subarray(offset), 0)
      this.#used = data.length - offset
    }
  }

  digest(): Uint8Array {
    if (this.#done) throw new Error('hash already digested')
    this.#done = true
    const block = this.#block
    block[this.#used] = 0x80
    block.fill(0, this.#used + 1)
    if (this.#used >= 56) {
      this.compress(block, 0)
      block.fill(0)
    }
    const bits = this.#length * 8
    const view = new DataView(block.buffer)
    view.setUint32(56, Math.floor(bits / 0x100000000))
    view.setUint32(60, bits >>> 0)
    this.compress(block, 0)
    const out = new Uint8Array(this.state.length * 4)
    const outView = new DataView(out.buffer)
    for (let i = 0; i < this.state.length; i++) outView.setInt32(i * 4, this.state[i] as number)
    return out
  }
}

export class Sha256 extends BlockHash {
  protected readonly state = Int32Array.of(
    0x6a09e667,
    0xbb67ae85,
    0x3c6ef372,
    0xa54ff53a,
    0x510e527f,
    0x9b05688c,
    0x1f83d9ab,
    0x5be0cd19,
  )
  protected readonly w = new Int32Array(64)

  protected compress(d: Uint8Array, o: number): void {
    const w = this.w
    const s = this.state
    for (let i = 0; i < 16; i++, o += 4) {
      w[i] =
        ((d[o] as number) << 24) | ((d[o + 1] as number) << 16) | ((d[o + 2] as number) << 8) | (d[o + 3] as number)
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] as number
      const b = w[i - 2] as number
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0
    }
    let a = s[0] as number
    let b = s[1] as number
    let c = s[2] as number
    let dd = s[3] as number
    let e = s[4] as number
    let f = s[5] as number
    let g = s[6] as number
    let h = s[7] as number
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K256[i] as number) + (w[i] as number)) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
      h = g
      g = f
      f = e
      e = (dd + t1) | 0
      dd = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    s[0] = ((s[0] as number) + a) | 0
    s[1] = ((s[1] as number) + b) | 0
    s[2] = ((s[2] as number) + c) | 0
    s[3] = ((s[3] as number) + dd) | 0
    s[4] = ((s[4] as number) + e) | 0
    s[5] = ((s[5] as number) + f) | 0
    s[6] = ((s[6] as number) + g) | 0
    s[7] = ((s[7] as number) + h) | 0
  }
}

export class Sha1 extends BlockHash {
  protected readonly state = Int32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0)
  protected readonly w = new Int32Array(80)

  protected compress(d: Uint8Array, o: number): void {
    const w = this.w
    const s = this.state
    for (let i = 0; i < 16; i++, o += 4) {
      w[i] =
        ((d[o] as number) << 24) | ((d[o + 1] as number) << 16) | ((d[o + 2] as number) << 8) | (d[o + 3] as number)
    }
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number)
      w[i] = (x << 1) | (x >>> 31)
    }
    let a = s[0] as number
    let b = s[1] as number
    let c = s[2] as number
    let dd = s[3] as number
    let e = s[4] as number
    for (let i = 0; i < 80; i++) {
      let f: number
      let k: number
      if (i < 20) {
        f = (b & c) | (~b & dd)
        k = 0x5a827999
      } else if (i < 40) {
        f = b ^ c ^ dd
        k = 0x6ed9eba1
      } else if (i < 60) {
        f = (b & c) | (b & dd) | (c & dd)
        k = 0x8f1bbcdc
      } else {
        f = b ^ c ^ dd
        k = 0xca62c1d6
      }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + (w[i] as number)) | 0
      e = dd
      dd = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = t
    }
    s[0] = ((s[0] as number) + a) | 0
    s[1] = ((s[1] as number) + b) | 0
    s[2] = ((s[2] as number) + c) | 0
    s[3] = ((s[3] as number) + dd) | 0
    s[4] = ((s[4] as number) + e) | 0
  }
}
