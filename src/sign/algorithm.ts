// What a signature algorithm is to the engine: its id, how the credential scope reads, how a key is
// derived (and cached), how a string to sign is signed and a signature checked. SigV4 is defined here;
// SigV4a lives in awsig/sigv4a and is reachable only from there.
import { deriveSigningKey, hmacHex } from '#crypto'
import { timingSafeEqualHex } from '../lib/hex.js'
import { SCOPE_TERMINATOR, SIGV4_ALGORITHM } from './constants.js'
import { cachedKeyOf, cacheKey, credentialsId, type SigningKeyCache } from './key-cache.js'
import type { Credentials } from './types.js'

/**
 * A signature algorithm, passed to `sign`, `presign`, `presignRequest` and `signChunked` as `algorithm`.
 * `sigv4` (the default) is exported from `awsig`, `sigv4a` from `awsig/sigv4a`.
 */
export interface SigningAlgorithm {
  /** `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256`. */
  readonly id: string
  /**
   * `true` when the region is not part of the credential scope but a set of regions goes in
   * `x-amz-region-set` (`X-Amz-Region-Set` when presigning), as SigV4a does.
   */
  readonly regionSet: boolean
  /**
   * Width in characters of a chained signature (aws-chunked chunk or trailer) on the wire: shorter ones
   * are padded on the right with `*` (`CHAIN_SIGNATURE_PADDING`) to this width, and the padding is
   * removed again before the signature is chained into the next string to sign or verified. SigV4's
   * signatures are always 64 hex characters; SigV4a's DER signatures vary (up to 144) and are padded to
   * 144, as aws-c-auth does (source/aws_signing.c, `s_add_signature_property_to_result_set`). The
   * request's own (seed) signature and event-stream signatures are never padded. Absent: never padded.
   * @internal
   */
  readonly chainSignatureLength?: number
  /**
   * The key that signs for these credentials (and, where the algorithm needs them, day `YYYYMMDD`, region
   * and service), from `cache` when it holds it. Opaque to callers. Synchronous when it can be.
   * @internal
   */
  key(
    credentials: Credentials,
    day: string,
    region: string,
    service: string,
    cache: SigningKeyCache | null,
  ): unknown | Promise<unknown>
  /** Lower-case hex signature of `stringToSign`. @internal */
  sign(key: unknown, stringToSign: string): string | Promise<string>
  /** Whether `signature` signs `stringToSign` under `key`, in time that does not depend on the data. @internal */
  verify(key: unknown, stringToSign: string, signature: string): boolean | Promise<boolean>
  /**
   * The one form of a verified signature that replay checks key on, where a signature has twins that
   * verify too (ECDSA's (r, s) and (r, n - s)). Absent: the signature itself. @internal
   */
  canonicalSignature?(signature: string): string
}

/** The credential scope: `day/region/service/aws4_request`, without the region for region-set algorithms. */
export function credentialScope(algorithm: SigningAlgorithm, day: string, region: string, service: string): string {
  if (region !== lastRegion || day !== lastDay || service !== lastService || algorithm.regionSet !== lastRegionSet) {
    lastScope = algorithm.regionSet
      ? `${day}/${service}/${SCOPE_TERMINATOR}`
      : `${day}/${region}/${service}/${SCOPE_TERMINATOR}`
    lastDay = day
    lastRegion = region
    lastService = service
    lastRegionSet = algorithm.regionSet
  }
  return lastScope
}
// The last scope built: one object for a signer's many requests, so that what is keyed by it (the
// presigned credential) compares it by reference instead of character by character.
let lastDay = ''
let lastRegion = ''
let lastService = ''
let lastRegionSet = false
let lastScope = ''

/**
 * The SigV4 signing key for credentials, day, region and service, from `cache` when it holds it.
 * Returns a promise only when the key must be derived (or the credentials' fingerprint computed).
 */
function sigv4Key(
  credentials: Credentials,
  day: string,
  region: string,
  service: string,
  cache: SigningKeyCache | null,
): unknown | Promise<unknown> {
  const secret = credentials.secretAccessKey
  if (cache === null) return deriveSigningKey(secret, day, region, service)
  const fingerprint = credentialsId(credentials.accessKeyId, secret, credentials)
  if (typeof fingerprint === 'string') {
    const key = cachedKeyOf(cache, fingerprint, day, region, service)
    if (key !== undefined) return key
  }
  return deriveAndCache(fingerprint, secret, day, region, service, cache)
}

// Apart from sigv4Key: a closure there would make every call allocate its context, cached key or not.
async function deriveAndCache(
  fingerprint: string | Promise<string>,
  secret: string,
  day: string,
  region: string,
  service: string,
  cache: SigningKeyCache,
): Promise<unknown> {
  const id = `${await fingerprint}/${day}/${region}/${service}`
  const key = await deriveSigningKey(secret, day, region, service)
  cacheKey(cache, id, key)
  return key
}

/** Signature Version 4: HMAC-SHA256 under a key derived from the secret, day, region and service. */
export const sigv4: SigningAlgorithm = Object.freeze({
  id: SIGV4_ALGORITHM,
  regionSet: false,
  key: sigv4Key,
  sign: hmacHex,
  verify(key: unknown, stringToSign: string, signature: string) {
    const expected = hmacHex(key, stringToSign) as string | Promise<string>
    return typeof expected === 'string'
      ? timingSafeEqualHex(expected, signature)
      : expected.then((hex) => timingSafeEqualHex(hex, signature))
  },
})
