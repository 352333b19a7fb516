// Plain-JavaScript backend for runtimes with neither node:crypto nor WebCrypto (React Native's Hermes),
// selected by the `react-native` branch of the `#crypto` import conditions. Same bytes as the other
// backends, synchronous, and slower: fine for signing; give a large body's hash as `payloadHash`.
import { toHex } from '../hex.js'
import { Sha1, Sha256 } from './js-sha.js'
import type { CryptoBackend, HashAlgorithm, IncrementalHash } from './types.js'

const encoder = new TextEncoder()

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = new Sha256()
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/** HMAC-SHA256 under one key (RFC 2104), with the padded key blocks made once. */
function prepareHmac(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const k = key.length > 64 ? sha256(key) : key
  const ipad = new Uint8Array(64).fill(0x36)
  const opad = new Uint8Array(64).fill(0x5c)
  for (let i = 0; i < k.length; i++) {
    ipad[i] = (ipad[i] as number) ^ (k[i] as number)
    opad[i] = (opad[i] as number) ^ (k[i] as number)
  }
  return (data) => sha256(opad, sha256(ipad, data))
}

export const sha256Hex: CryptoBackend['sha256Hex'] = (data) =>
  toHex(sha256(typeof data === 'string' ? encoder.encode(data) : data))

/** The signing key, returned as its prepared HMAC (see `hmacHexWith`). */
export const deriveSigningKey = (secret: string, date: string, region: string, service: string) => {
  let key: Uint8Array = encoder.encode(`AWS4${secret}`)
  for (const part of [date, region, service, 'aws4_request']) key = prepareHmac(key)(encoder.encode(part))
  return hmacHexWith(key)
}

/** `key` is raw bytes, or a key `deriveSigningKey`/`hmacHexWith` prepared (a function). */
export const hmacHex = (key: unknown, data: string): string => hmacHexWith(key)(data)

export const hmacHexWith = (key: unknown): ((data: string) => string) => {
  if (typeof key === 'function') return key as (data: string) => string // prepared already
  const mac = prepareHmac(key as Uint8Array)
  return (data) => toHex(mac(encoder.encode(data)))
}

export const createHash = (algorithm: HashAlgorithm): IncrementalHash =>
  algorithm === 'sha256' ? new Sha256() : new Sha1()

export const nativeCrc32: CryptoBackend['nativeCrc32'] = () => undefined
