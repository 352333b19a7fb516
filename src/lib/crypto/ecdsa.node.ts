// ECDSA P-256 on node:crypto (Node, Bun, Deno), selected by the `#crypto-ecdsa` import conditions.
// Synchronous, so a SigV4a signature with a cached key costs no turn of the event loop.
import * as nodeCrypto from 'node:crypto'
import type { EcdsaBackend, EcdsaKeyPair } from './ecdsa-types.js'

const { createECDH, createHmac, createPrivateKey, createPublicKey } = nodeCrypto
type KeyObject = nodeCrypto.KeyObject

export const hmacSha256: EcdsaBackend['hmacSha256'] = (key, data) =>
  new Uint8Array(createHmac('sha256', key).update(data).digest())

/**
 * The public point from ECDH and the private key from JWK: about 80 µs on Node against 340 µs for a
 * PKCS#8 import, whose decoder computes the point much more slowly. The public key object is made on
 * first use (verification only).
 */
export function keyPairFromScalar(d: Uint8Array): EcdsaKeyPair {
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(d)
  const point = ecdh.getPublicKey() // 0x04 || x || y
  const x = point.subarray(1, 33)
  const y = point.subarray(33, 65)
  const jwk = { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') }
  const privateKey = createPrivateKey({ key: { ...jwk, d: Buffer.from(d).toString('base64url') }, format: 'jwk' })
  let publicKey: KeyObject | undefined
  return {
    privateKey,
    get publicKey() {
      publicKey ??= createPublicKey(privateKey)
      return publicKey
    },
    x: new Uint8Array(x),
    y: new Uint8Array(y),
  }
}

export const publicKeyFromPoint: EcdsaBackend['publicKeyFromPoint'] = (x, y) =>
  createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') },
    format: 'jwk',
  })

export const signDerHex: EcdsaBackend['signDerHex'] = (privateKey, data) =>
  nodeCrypto.sign('sha256', Buffer.from(data, 'utf8'), privateKey as KeyObject).toString('hex')

export const verifyDer: EcdsaBackend['verifyDer'] = (publicKey, data, der) =>
  nodeCrypto.verify('sha256', Buffer.from(data, 'utf8'), publicKey as KeyObject, der)
