// node:crypto backend, used on Node, Bun and Deno (selected by the `#crypto` import conditions).
import * as nodeCrypto from 'node:crypto'
import type { CryptoBackend } from './types.js'

const { createHash, createHmac } = nodeCrypto
// One-shot hashing (Node >= 20.12) skips the Hash object; older runtimes and Bun fall back.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash

export const sha256Hex: CryptoBackend['sha256Hex'] =
  typeof oneShot === 'function'
    ? (data) => oneShot('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex')

export const deriveSigningKey = (secret: string, date: string, region: string, service: string): Buffer => {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest()
  const kRegion = createHmac('sha256', kDate).update(region).digest()
  const kService = createHmac('sha256', kRegion).update(service).digest()
  return createHmac('sha256', kService).update('aws4_request').digest()
}

export const hmacHex = (key: unknown, data: string): string =>
  createHmac('sha256', key as Buffer)
    .update(data)
    .digest('hex')

export const backend = 'node:crypto'
