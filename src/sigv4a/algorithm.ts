// The SigV4a algorithm value: ECDSA P-256 over SHA-256 with a key derived from the credentials alone
// (not from day, region or service), and a region set instead of a region in the scope.
import { signDerHex, verifyDer } from '#crypto-ecdsa'
import type { EcdsaKeyPair } from '../lib/crypto/ecdsa-types.js'
import { derFromRaw, P256_N, rawFromDer } from '../lib/crypto/p256.js'
import { fromHex, toHex } from '../lib/hex.js'
import type { SigningAlgorithm } from '../sign/algorithm.js'
import { SIGV4A_ALGORITHM } from '../sign/constants.js'
import { cachedKey, cacheKey, credentialsId, type SigningKeyCache } from '../sign/key-cache.js'
import type { Credentials } from '../sign/types.js'
import { deriveKeyPair } from './key.js'

/** Longest DER P-256 signature in hex: SEQUENCE of two 33-byte INTEGERs, 72 bytes. */
const MAX_SIGNATURE_HEX = 144
const SIGNATURE_FORM = /^(?:[0-9a-f]{2})+$/

// Cache entries "<credentials id>/AWS4-ECDSA-P256-SHA256": one key per credentials, whatever the day,
// region or service. SigV4's entries have four parts, so the two never collide.
const cacheEntry = (id: string) => `${id}/${SIGV4A_ALGORITHM}`

/** The key pair for `credentials`, from `cache` when it holds it; a promise only when it must be derived. */
export function sigv4aKey(
  credentials: Credentials,
  cache: SigningKeyCache | null,
): EcdsaKeyPair | Promise<EcdsaKeyPair> {
  const { accessKeyId, secretAccessKey } = credentials
  if (cache === null) return deriveKeyPair(accessKeyId, secretAccessKey)
  const id = credentialsId(accessKeyId, secretAccessKey, credentials)
  if (typeof id === 'string') {
    const key = cachedKey(cache, cacheEntry(id))
    if (key !== undefined) return key as EcdsaKeyPair
  }
  return (async () => {
    // WebCrypto fingerprints asynchronously: look the key up once the id is known.
    const entry = cacheEntry(await id)
    const cached = cachedKey(cache, entry)
    if (cached !== undefined) return cached as EcdsaKeyPair
    const key = await deriveKeyPair(accessKeyId, secretAccessKey)
    cacheKey(cache, entry, key)
    return key
  })()
}

/** Whether `signature` (DER, lower-case hex) signs `stringToSign` under the backend's `publicKey`. */
export function verifyDerHex(publicKey: unknown, stringToSign: string, signature: string): boolean | Promise<boolean> {
  if (signature.length > MAX_SIGNATURE_HEX || !SIGNATURE_FORM.test(signature)) return false
  return verifyDer(publicKey, stringToSign, fromHex(signature))
}

/**
 * The low-s twin of a DER signature: (r, s) and (r, n - s) both verify, so a replay check keys on the one
 * with s <= n/2. A signature that is not strict DER (it cannot have verified) is returned as it is.
 */
export function lowSDerHex(signature: string): string {
  const raw = rawFromDer(fromHex(signature))
  if (raw === undefined) return signature
  const s = BigInt(`0x${toHex(raw.subarray(32))}`)
  if (s <= P256_N >> 1n) return signature
  raw.set(fromHex((P256_N - s).toString(16).padStart(64, '0')), 32)
  return toHex(derFromRaw(raw))
}

/**
 * Signature Version 4a (`AWS4-ECDSA-P256-SHA256`): pass it as `algorithm` to `sign`, `presign`,
 * `presignRequest` and `signChunked`, with `regionSet` instead of `region`.
 *
 * @example
 * import { sign } from 'awsig'
 * import { sigv4a } from 'awsig/sigv4a'
 * const signed = await sign({ url, service: 's3', regionSet: ['*'], credentials, algorithm: sigv4a })
 */
export const sigv4a: SigningAlgorithm = Object.freeze({
  id: SIGV4A_ALGORITHM,
  regionSet: true,
  chainSignatureLength: MAX_SIGNATURE_HEX,
  key: (credentials: Credentials, _day: string, _region: string, _service: string, cache: SigningKeyCache | null) =>
    sigv4aKey(credentials, cache),
  sign: (key: unknown, stringToSign: string) => signDerHex((key as EcdsaKeyPair).privateKey, stringToSign),
  verify: (key: unknown, stringToSign: string, signature: string) =>
    verifyDerHex((key as EcdsaKeyPair).publicKey, stringToSign, signature),
  canonicalSignature: lowSDerHex,
})
