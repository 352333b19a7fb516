// ECDSA P-256 on node:crypto (Node, Bun, Deno), selected by the `#crypto-ecdsa` import conditions.
// Synchronous, so a SigV4a signature with a cached key costs no turn of the event loop.
import * as nodeCrypto from 'node:crypto'
import type { EcdsaBackend, EcdsaKeyPair } from './ecdsa-types.js'
import { pkcs8FromScalar } from './p256.js'

const { createHmac, createPrivateKey, createPublicKey } = nodeCrypto

export const hmacSha256: EcdsaBackend['hmacSha256'] = (key, data) =>
  new Uint8Array(createHmac('sha256', key).update(data).digest())

export function keyPairFromScalar(d: Uint8Array): EcdsaKeyPair {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8FromScalar(d)), format: 'der', type: 'pkcs8' })
  const publicKey = createPublicKey(privateKey)
  const jwk = publicKey.export({ format: 'jwk' })
  return {
    privateKey,
    publicKey,
    x: new Uint8Array(Buffer.from(jwk.x as string, 'base64url')),
    y: new Uint8Array(Buffer.from(jwk.y as string, 'base64url')),
  }
}

export const publicKeyFromPoint: EcdsaBackend['publicKeyFromPoint'] = (x, y) =>
  createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') },
    format: 'jwk',
  })

export const signDerHex: EcdsaBackend['signDerHex'] = (privateKey, data) =>
  nodeCrypto.sign('sha256', Buffer.from(data, 'utf8'), privateKey as nodeCrypto.KeyObject).toString('hex')

export const verifyDer: EcdsaBackend['verifyDer'] = (publicKey, data, der) =>
  nodeCrypto.verify('sha256', Buffer.from(data, 'utf8'), publicKey as nodeCrypto.KeyObject, der)
