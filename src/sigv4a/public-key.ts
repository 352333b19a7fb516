// The public half of a SigV4a key, for servers and tests that verify SigV4a signatures.
import { publicKeyFromPoint } from '#crypto-ecdsa'
import { InvalidInputError } from '../errors.js'
import { fromHex, toHex } from '../lib/hex.js'
import { defaultKeyCache, type SigningKeyCache } from '../sign/key-cache.js'
import type { Credentials } from '../sign/types.js'
import { sigv4aKey, verifyDerHex } from './algorithm.js'

/** A P-256 public key: the affine coordinates of its point. */
export interface Sigv4aPublicKey {
  /** x coordinate, 64 lower-case hex characters (as in aws-c-auth's `public-key.json`). */
  x: string
  /** y coordinate, 64 lower-case hex characters. */
  y: string
  /**
   * The uncompressed point `0x04 || x || y` (65 bytes), as WebCrypto's `importKey('raw', ...)` and
   * most ECDSA libraries take it.
   */
  raw: Uint8Array
}

export interface PublicKeyForOptions {
  /**
   * Where the derived key pair is cached (it is the one `sign` uses with `algorithm: sigv4a`). `null`
   * derives it afresh.
   * @default defaultKeyCache
   */
  keyCache?: SigningKeyCache | null | undefined
}

const checkCredentials = (credentials: Credentials) => {
  if (typeof credentials !== 'object' || credentials === null) {
    throw new InvalidInputError('credentials', 'must be an object with accessKeyId and secretAccessKey')
  }
  if (typeof credentials.accessKeyId !== 'string' || credentials.accessKeyId === '') {
    throw new InvalidInputError('credentials.accessKeyId', 'must be a non-empty string')
  }
  if (typeof credentials.secretAccessKey !== 'string' || credentials.secretAccessKey === '') {
    throw new InvalidInputError('credentials.secretAccessKey', 'must be a non-empty string')
  }
}

/**
 * The SigV4a public key of `credentials`: what a server that verifies SigV4a signatures checks them with.
 * The key pair depends only on the access key id and secret.
 *
 * @example
 * const { x, y } = await publicKeyFor(credentials) // hex coordinates
 */
export async function publicKeyFor(
  credentials: Credentials,
  options: PublicKeyForOptions = {},
): Promise<Sigv4aPublicKey> {
  checkCredentials(credentials)
  const key = await sigv4aKey(credentials, options.keyCache === undefined ? defaultKeyCache : options.keyCache)
  const raw = new Uint8Array(65)
  raw[0] = 0x04
  raw.set(key.x, 1)
  raw.set(key.y, 33)
  return { x: toHex(key.x), y: toHex(key.y), raw }
}

const COORDINATE = /^[0-9a-fA-F]{64}$/

/**
 * Whether `signature` (DER hex, as in a SigV4a `Authorization` header or `X-Amz-Signature`, or an
 * unpadded chunk signature) signs `stringToSign` under the public key `{ x, y }` (hex coordinates).
 * For servers that hold public keys rather than secrets.
 */
export async function verifyWithPublicKey(
  publicKey: Pick<Sigv4aPublicKey, 'x' | 'y'>,
  stringToSign: string,
  signature: string,
): Promise<boolean> {
  if (typeof publicKey?.x !== 'string' || !COORDINATE.test(publicKey.x)) {
    throw new InvalidInputError('publicKey.x', 'must be 64 hex characters')
  }
  if (typeof publicKey.y !== 'string' || !COORDINATE.test(publicKey.y)) {
    throw new InvalidInputError('publicKey.y', 'must be 64 hex characters')
  }
  let key: unknown
  try {
    key = await publicKeyFromPoint(fromHex(publicKey.x.toLowerCase()), fromHex(publicKey.y.toLowerCase()))
  } catch (cause) {
    throw new InvalidInputError('publicKey', 'is not a point on P-256', { cause })
  }
  return verifyDerHex(key, stringToSign, signature)
}
