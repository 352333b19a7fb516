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

/**
 * The signing key, returned with its HMAC prepared (`hmacHexWith`): the key is derived once per day,
 * region and service and then signs many strings, each at the cost of two one-shot hashes.
 */
export const deriveSigningKey = (secret: string, date: string, region: string, service: string) => {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest()
  const kRegion = createHmac('sha256', kDate).update(region).digest()
  const kService = createHmac('sha256', kRegion).update(service).digest()
  return hmacHexWith(createHmac('sha256', kService).update('aws4_request').digest())
}

/** `key` is raw bytes, or a key `deriveSigningKey`/`hmacHexWith` prepared (a function). */
export const hmacHex = (key: unknown, data: string): string =>
  typeof key === 'function'
    ? (key as (data: string) => string)(data)
    : createHmac('sha256', key as Buffer)
        .update(data)
        .digest('hex')

/**
 * HMAC-SHA256 under one key, computed as RFC 2104 spells it out: SHA-256(K ^ opad || SHA-256(K ^ ipad
 * || data)), with both padded key blocks written once and two one-shot hashes per message. For the
 * ~250-byte strings to sign of aws-chunked, about 0.9 µs a call against 2 µs for `createHmac`, whose
 * cost is mostly making the Hmac object. Without one-shot hashing (Node < 20.12, Bun), or a key that
 * is not bytes, it is `hmacHex`.
 */
export const hmacHexWith = (key: unknown): ((data: string) => string) => {
  if (typeof key === 'function') return key as (data: string) => string // prepared already
  const hash = oneShot
  if (typeof hash !== 'function' || !(key instanceof Uint8Array)) return (data) => hmacHex(key, data)
  // The pads are written at the second message: a program that signs once (a CLI, a Lambda's first
  // request) pays one `createHmac` and not the setup.
  let padded: ((data: string) => string) | undefined
  let first = true
  return (data) => {
    if (padded !== undefined) return padded(data)
    if (first) {
      first = false
      return hmacHex(key, data)
    }
    padded = withPads(key, hash)
    return padded(data)
  }
}

/** HMAC-SHA256 under `key` with both padded key blocks written once (see `hmacHexWith`). */
function withPads(key: Uint8Array, hash: (alg: string, data: string | Uint8Array, enc: 'hex') => string) {
  const BLOCK = 64
  const k = key.length > BLOCK ? nodeCrypto.createHash('sha256').update(key).digest() : key
  // inner: K ^ ipad, then the message; outer: K ^ opad, then the inner digest (32 bytes).
  let inner = Buffer.alloc(BLOCK + 512, 0x36)
  const outer = Buffer.alloc(BLOCK + 32, 0x5c)
  for (let i = 0; i < k.length; i++) {
    inner[i] = (inner[i] as number) ^ (k[i] as number)
    outer[i] = (outer[i] as number) ^ (k[i] as number)
  }
  // Strings to sign under one key mostly have one length: the view of that many bytes is kept.
  let view = inner.subarray(0, BLOCK)
  // Node's Buffer has per-encoding writers; `write(s, offset, encoding)` costs ~40 ns more a call to
  // pick one. Bun and Deno may lack them.
  const fast = typeof (outer as { hexWrite?: unknown }).hexWrite === 'function'
  return (data: string): string => {
    const most = BLOCK + data.length * 3 // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (most > inner.length) {
      const larger = Buffer.allocUnsafe(most)
      inner.copy(larger, 0, 0, BLOCK)
      inner = larger
      view = inner.subarray(0, BLOCK)
    }
    const length =
      BLOCK + (fast ? (inner as unknown as Writers).utf8Write(data, BLOCK) : inner.write(data, BLOCK, 'utf8'))
    if (view.length !== length) view = inner.subarray(0, length)
    // Hex out and back measured faster than a 'buffer' digest (which allocates a Buffer) on Node 20.
    const innerHash = hash('sha256', view, 'hex')
    if (fast) (outer as unknown as Writers).hexWrite(innerHash, BLOCK)
    else outer.write(innerHash, BLOCK, 'hex')
    return hash('sha256', outer, 'hex')
  }
}

interface Writers {
  utf8Write(text: string, offset: number): number
  hexWrite(text: string, offset: number): number
}

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
