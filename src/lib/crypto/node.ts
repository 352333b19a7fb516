// node:crypto backend, used on Node, Bun and Deno (selected by the `#crypto` import conditions).
import * as nodeCrypto from 'node:crypto'
import type { CryptoBackend, HashAlgorithm, IncrementalHash } from './types.js'

const { createHmac } = nodeCrypto
// One-shot hashing (Node >= 20.12) skips the Hash object; older runtimes and Bun fall back.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash

export const sha256Hex: CryptoBackend['sha256Hex'] =
  typeof oneShot === 'function'
    ? (data) => oneShot('sha256', data, 'hex')
    : (data) => nodeCrypto.createHash('sha256').update(data).digest('hex')

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

export const createHash = (algorithm: HashAlgorithm): IncrementalHash => {
  const hash = nodeCrypto.createHash(algorithm)
  return {
    update(data) {
      hash.update(data)
    },
    digest: () => hash.digest(),
  }
}

type Crc32 = (data: Uint8Array, value: number) => number
let zlibCrc32: Crc32 | undefined | null = null

/**
 * `zlib.crc32` (Node >= 20.15 and 22.2), looked up on first use: importing node:zlib up front would
 * add about 4 ms to every program's start for a function only checksummed uploads need.
 */
export function nativeCrc32(): Crc32 | undefined {
  if (zlibCrc32 === null) {
    const load = (globalThis.process as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule
    zlibCrc32 = (load?.('node:zlib') as { crc32?: Crc32 } | undefined)?.crc32
  }
  return zlibCrc32
}

export const backend = 'node:crypto'
