// NIST P-256 encodings both ECDSA backends share: a private scalar as PKCS#8, ECDSA signatures as DER
// (what AWS sends) and as raw r||s (what WebCrypto speaks), and a last-resort public key computation.
// https://www.rfc-editor.org/rfc/rfc5915 (ECPrivateKey), https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3

/** Curve order n, big-endian. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

// PrivateKeyInfo { version 0, AlgorithmIdentifier { id-ecPublicKey, prime256v1 },
//   OCTET STRING { ECPrivateKey { version 1, OCTET STRING d } } }, without the optional public key:
// OpenSSL, BoringSSL and Deno compute it on import.
const PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x41,
  0x02,
  0x01,
  0x00,
  0x30,
  0x13,
  0x06,
  0x07,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x02,
  0x01,
  0x06,
  0x08,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x03,
  0x01,
  0x07,
  0x04,
  0x27,
  0x30,
  0x25,
  0x02,
  0x01,
  0x01,
  0x04,
  0x20,
)

/** The 32-byte private scalar `d` as an unencrypted PKCS#8 DER key. */
export function pkcs8FromScalar(d: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(PKCS8_PREFIX.length + 32)
  out.set(PKCS8_PREFIX)
  out.set(d, PKCS8_PREFIX.length)
  return out
}

/** One DER INTEGER from 32 unsigned big-endian bytes: leading zeros dropped, a 0x00 kept before a high bit. */
function derInteger(bytes: Uint8Array): number[] {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const body = Array.from(bytes.subarray(start))
  if ((body[0] as number) & 0x80) body.unshift(0)
  return [0x02, body.length, ...body]
}

/** A raw `r || s` signature (64 bytes, WebCrypto's form) as DER `SEQUENCE { INTEGER r, INTEGER s }`. */
export function derFromRaw(raw: Uint8Array): Uint8Array {
  const r = derInteger(raw.subarray(0, 32))
  const s = derInteger(raw.subarray(32, 64))
  return Uint8Array.from([0x30, r.length + s.length, ...r, ...s])
}

/**
 * A DER signature as raw `r || s`, or `undefined` when it is not strict DER of two positive integers
 * below 2^256 (what OpenSSL accepts: no extra leading zeros, no trailing bytes, short lengths only).
 */
export function rawFromDer(der: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined
  const out = new Uint8Array(64)
  let offset = 2
  for (let part = 0; part < 2; part++) {
    if (der[offset] !== 0x02) return undefined
    const length = der[offset + 1] as number
    const start = offset + 2
    const end = start + length
    if (length === 0 || length > 33 || end > der.length) return undefined
    const first = der[start] as number
    if (first & 0x80) return undefined // negative
    if (first === 0 && (length === 1 || !((der[start + 1] as number) & 0x80))) return undefined // not minimal
    const value = der.subarray(first === 0 ? start + 1 : start, end)
    if (value.length > 32) return undefined
    out.set(value, part * 32 + 32 - value.length)
    offset = end
  }
  return offset === der.length ? out : undefined
}

// --- Public key from the private scalar, in plain JavaScript. Only for WebCrypto implementations that
// refuse a PKCS#8 key without its public key; one multiplication per credentials, then cached.

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n

const mod = (a: bigint) => {
  const r = a % P
  return r < 0n ? r + P : r
}

function invert(a: bigint): bigint {
  // Extended Euclid: a is never 0 here.
  let [r0, r1, s0, s1] = [mod(a), P, 1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return mod(s0)
}

type Jacobian = readonly [bigint, bigint, bigint] // (X, Y, Z); Z = 0 is the point at infinity

function double([x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return [0n, 1n, 0n]
  // a = -3: M = 3 (X - Z^2)(X + Z^2)
  const zz = mod(z * z)
  const m = mod(3n * (x - zz) * (x + zz))
  const yy = mod(y * y)
  const s = mod(4n * x * yy)
  const x3 = mod(m * m - 2n * s)
  return [x3, mod(m * (s - x3) - 8n * yy * yy), mod(2n * y * z)]
}

function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p[2] === 0n) return q
  if (q[2] === 0n) return p
  const z1z1 = mod(p[2] * p[2])
  const z2z2 = mod(q[2] * q[2])
  const u1 = mod(p[0] * z2z2)
  const u2 = mod(q[0] * z1z1)
  const s1 = mod(p[1] * q[2] * z2z2)
  const s2 = mod(q[1] * p[2] * z1z1)
  if (u1 === u2) return s1 === s2 ? double(p) : [0n, 1n, 0n]
  const h = mod(u2 - u1)
  const r = mod(s2 - s1)
  const hh = mod(h * h)
  const hhh = mod(h * hh)
  const v = mod(u1 * hh)
  const x3 = mod(r * r - hhh - 2n * v)
  return [x3, mod(r * (v - x3) - s1 * hhh), mod(p[2] * q[2] * h)]
}

const toBigInt = (bytes: Uint8Array) => {
  let n = 0n
  for (const byte of bytes) n = (n << 8n) | BigInt(byte)
  return n
}

const toBytes32 = (n: bigint) => {
  const out = new Uint8Array(32)
  for (let i = 31; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn)
  return out
}

/** `d * G` on P-256 as affine `{ x, y }`, 32 bytes each. `d` must be in [1, n-1]. */
export function publicPointFromScalar(d: Uint8Array): { x: Uint8Array; y: Uint8Array } {
  const k = toBigInt(d)
  let result: Jacobian = [0n, 1n, 0n]
  let addend: Jacobian = [GX, GY, 1n]
  for (let bits = k; bits > 0n; bits >>= 1n) {
    if (bits & 1n) result = add(result, addend)
    addend = double(addend)
  }
  const zInv = invert(result[2])
  const zInv2 = mod(zInv * zInv)
  const x = mod(result[0] * zInv2)
  const y = mod(result[1] * zInv2 * zInv)
  if (mod(y * y - (x * x * x - 3n * x + B)) !== 0n) throw new Error('P-256 point computation failed')
  return { x: toBytes32(x), y: toBytes32(y) }
}
