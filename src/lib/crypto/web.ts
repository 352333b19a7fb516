// WebCrypto backend, used in browsers and workers (the `default` branch of the `#crypto` import conditions).
import { toHex } from '../hex.js'
import { Sha1, Sha256 } from './js-sha.js'
import { subtle } from './subtle.js'
import type { CryptoBackend, HashAlgorithm, IncrementalHash } from './types.js'

const encoder = new TextEncoder()
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const
const hex = (buffer: ArrayBuffer) => toHex(new Uint8Array(buffer))

const bytes = (data: string | Uint8Array): Uint8Array<ArrayBuffer> =>
  (typeof data === 'string' ? encoder.encode(data) : data) as Uint8Array<ArrayBuffer>

async function hmac(key: Uint8Array | CryptoKey, data: string): Promise<ArrayBuffer> {
  const cryptoKey = key instanceof Uint8Array ? await subtle().importKey('raw', bytes(key), HMAC, false, ['sign']) : key
  return subtle().sign('HMAC', cryptoKey, encoder.encode(data))
}

export const sha256Hex: CryptoBackend['sha256Hex'] = async (data) => hex(await subtle().digest('SHA-256', bytes(data)))

/** Returns a non-extractable HMAC `CryptoKey`, so the cached key is imported once. */
export async function deriveSigningKey(secret: string, date: string, region: string, service: string) {
  const kDate = await hmac(encoder.encode(`AWS4${secret}`), date)
  const kRegion = await hmac(new Uint8Array(kDate), region)
  const kService = await hmac(new Uint8Array(kRegion), service)
  const kSigning = await hmac(new Uint8Array(kService), 'aws4_request')
  return subtle().importKey('raw', kSigning, HMAC, false, ['sign'])
}

export const hmacHex = async (key: unknown, data: string): Promise<string> => hex(await hmac(key as CryptoKey, data))

/** The key is already an imported `CryptoKey`: nothing more to prepare. */
export const hmacHexWith: CryptoBackend['hmacHexWith'] = (key) => (data) => hmacHex(key, data)

/** WebCrypto digests are one-shot, so incremental hashing is plain JavaScript. */
export const createHash = (algorithm: HashAlgorithm): IncrementalHash =>
  algorithm === 'sha256' ? new Sha256() : new Sha1()

export const nativeCrc32: CryptoBackend['nativeCrc32'] = () => undefined
