// ECDSA P-256 on WebCrypto (browsers, workers), selected by the `#crypto-ecdsa` import conditions.
// WebCrypto speaks raw r||s signatures; AWS sends DER: converted both ways here.
import { toHex } from '../hex.js'
import type { EcdsaBackend, EcdsaKeyPair } from './ecdsa-types.js'
import { derFromRaw, pkcs8FromScalar, publicPointFromScalar, rawFromDer } from './p256.js'
import { subtle } from './subtle.js'

const encoder = new TextEncoder()
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const fromBase64url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
const buffer = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const hmacKey = await subtle().importKey('raw', buffer(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await subtle().sign('HMAC', hmacKey, buffer(data)))
}

/** The public point of `d`: WebCrypto computes it on a PKCS#8 import; where that is refused, JavaScript does. */
async function publicPoint(d: Uint8Array): Promise<{ x: Uint8Array; y: Uint8Array }> {
  try {
    const extractable = await subtle().importKey('pkcs8', pkcs8FromScalar(d), EC, true, ['sign'])
    const jwk = await subtle().exportKey('jwk', extractable)
    if (typeof jwk.x === 'string' && typeof jwk.y === 'string')
      return { x: fromBase64url(jwk.x), y: fromBase64url(jwk.y) }
  } catch {
    // fall through
  }
  return publicPointFromScalar(d)
}

export async function keyPairFromScalar(d: Uint8Array): Promise<EcdsaKeyPair> {
  const { x, y } = await publicPoint(d)
  const jwk = { kty: 'EC', crv: 'P-256', x: base64url(x), y: base64url(y) }
  // Non-extractable: the cached key cannot be read back out of the runtime.
  const privateKey = await subtle().importKey('jwk', { ...jwk, d: base64url(d) }, EC, false, ['sign'])
  const publicKey = await subtle().importKey('jwk', jwk, EC, true, ['verify'])
  return { privateKey, publicKey, x, y }
}

export const publicKeyFromPoint: EcdsaBackend['publicKeyFromPoint'] = (x, y) =>
  subtle().importKey('jwk', { kty: 'EC', crv: 'P-256', x: base64url(x), y: base64url(y) }, EC, true, ['verify'])

export async function signDerHex(privateKey: unknown, data: string): Promise<string> {
  const raw = await subtle().sign(ECDSA_SHA256, privateKey as CryptoKey, encoder.encode(data))
  return toHex(derFromRaw(new Uint8Array(raw)))
}

export async function verifyDer(publicKey: unknown, data: string, der: Uint8Array): Promise<boolean> {
  const raw = rawFromDer(der)
  if (raw === undefined) return false
  return subtle().verify(ECDSA_SHA256, publicKey as CryptoKey, raw, encoder.encode(data))
}
