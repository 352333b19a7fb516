// SigV4a key derivation: the P-256 key pair of a set of AWS credentials, exactly as aws-c-auth derives it
// (source/key_derivation.c): NIST SP 800-108 counter-mode KDF with HMAC-SHA256 over "AWS4A" + secret.
import { hmacSha256, keyPairFromScalar } from '#crypto-ecdsa'
import type { EcdsaKeyPair } from '../lib/crypto/ecdsa-types.js'
import { P256_N } from '../lib/crypto/p256.js'
import { SIGV4A_ALGORITHM } from '../sign/constants.js'

const encoder = new TextEncoder()
/** The KDF gives up after this many candidates (aws-c-auth's MAX_KEY_DERIVATION_COUNTER_VALUE). */
const MAX_COUNTER = 254
const N_MINUS_2 = P256_N - 2n

/**
 * The KDF's fixed input for one attempt: uint32be(1) || "AWS4-ECDSA-P256-SHA256" || 0x00 || access key id
 * || counter (one byte) || uint32be(256), the output length in bits.
 */
export function fixedInput(accessKeyId: string, counter: number): Uint8Array {
  const label = encoder.encode(SIGV4A_ALGORITHM)
  const akid = encoder.encode(accessKeyId)
  const out = new Uint8Array(4 + label.length + 1 + akid.length + 1 + 4)
  out.set([0, 0, 0, 1])
  out.set(label, 4)
  let offset = 4 + label.length + 1 // the 0x00 separator is already zero
  out.set(akid, offset)
  offset += akid.length
  out[offset] = counter
  out.set([0, 0, 1, 0], offset + 1)
  return out
}

const toBigInt = (bytes: Uint8Array) => {
  let n = 0n
  for (const byte of bytes) n = (n << 8n) | BigInt(byte)
  return n
}

/**
 * The private scalar d = K0 + 1 for the first candidate K0 <= n-2, 32 bytes big-endian. Synchronous where
 * the backend's HMAC is (node:crypto).
 */
export function derivePrivateScalar(accessKeyId: string, secretAccessKey: string): Uint8Array | Promise<Uint8Array> {
  const secret = encoder.encode(`AWS4A${secretAccessKey}`)
  const attempt = (counter: number): Uint8Array | Promise<Uint8Array> => {
    const k0 = hmacSha256(secret, fixedInput(accessKeyId, counter))
    return k0 instanceof Uint8Array ? next(k0, counter) : k0.then((bytes) => next(bytes, counter))
  }
  const next = (k0: Uint8Array, counter: number): Uint8Array | Promise<Uint8Array> => {
    if (toBigInt(k0) > N_MINUS_2) {
      // Probability about 2^-32 per attempt.
      if (counter === MAX_COUNTER) throw new Error('SigV4a key derivation found no key in 254 attempts')
      return attempt(counter + 1)
    }
    // d = K0 + 1, with the carry (K0 <= n-2, so no overflow past 32 bytes).
    const d = k0.slice()
    for (let i = 31; i >= 0; i--) {
      d[i] = ((d[i] as number) + 1) & 0xff
      if (d[i] !== 0) break
    }
    return d
  }
  return attempt(1)
}

/** The P-256 key pair SigV4a signs with for these credentials. */
export function deriveKeyPair(accessKeyId: string, secretAccessKey: string): EcdsaKeyPair | Promise<EcdsaKeyPair> {
  const d = derivePrivateScalar(accessKeyId, secretAccessKey)
  return d instanceof Uint8Array ? keyPairFromScalar(d) : d.then(keyPairFromScalar)
}
