// Seeded random event-stream messages for the differential tests: every header type, edge values,
// empty and large payloads. Deterministic, so a failure names its seed.
import type { EventHeaderType, EventHeaderValue } from '../../src/event-stream/index.js'
import { concat } from '../../src/lib/hex.js'

export function prng(seed: number) {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x100000000
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    bytes(n: number) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256)
      return out
    },
  }
}

export type Rng = ReturnType<typeof prng>

const TYPES: EventHeaderType[] = [
  'boolean',
  'byte',
  'short',
  'integer',
  'long',
  'binary',
  'string',
  'timestamp',
  'uuid',
]
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.é€😀'

function text(rng: Rng, max: number): string {
  let out = ''
  const n = rng.int(max + 1)
  for (let i = 0; i < n; i++) out += [...ALPHABET][rng.int([...ALPHABET].length)]
  return out
}

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[rng.int(values.length)] as T
}

function int(rng: Rng, bits: number): number {
  const edges = [0, -1, 1, 2 ** (bits - 1) - 1, -(2 ** (bits - 1))]
  return rng.next() < 0.3 ? pick(rng, edges) : rng.int(2 ** bits) - 2 ** (bits - 1)
}

/** A random message: headers of every type (typed where the value does not say it) and a payload. */
export interface RandomMessage {
  headers: Record<string, EventHeaderValue>
  types: Record<string, EventHeaderType>
  payload: Uint8Array
}

export function randomMessage(rng: Rng, maxPayload = 2048): RandomMessage {
  const headers: Record<string, unknown> = {}
  const types: Record<string, EventHeaderType> = {}
  const count = rng.int(8)
  for (let i = 0; i < count; i++) {
    // Names that are not array indices, so object order is insertion order.
    const name = `${pick(rng, [':', 'x-', 'h'])}${text(rng, 12)}${i}`
    const type = pick(rng, TYPES)
    let value: unknown
    switch (type) {
      case 'boolean':
        value = rng.next() < 0.5
        break
      case 'byte':
        value = int(rng, 8)
        break
      case 'short':
        value = int(rng, 16)
        break
      case 'integer':
        value = int(rng, 32)
        break
      case 'long':
        value = pick(rng, [
          0n,
          -1n,
          2n ** 63n - 1n,
          -(2n ** 63n),
          BigInt(int(rng, 32)) * 4294967296n + BigInt(rng.int(2 ** 32)),
        ])
        break
      case 'binary':
        value = rng.bytes(rng.next() < 0.1 ? 0 : rng.int(300))
        break
      case 'string':
        value = text(rng, 40)
        break
      case 'timestamp':
        value = new Date(pick(rng, [0, -1000, 8675309, 1546045446000, rng.int(2 ** 31) * 1000 + rng.int(1000)]))
        break
      case 'uuid': {
        const b = rng.bytes(16)
        const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
        value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
        break
      }
    }
    headers[name] = value
    types[name] = type
  }
  const size = rng.next() < 0.1 ? 0 : rng.next() < 0.05 ? 64 * 1024 + rng.int(1000) : rng.int(maxPayload)
  return { headers: headers as Record<string, EventHeaderValue>, types, payload: rng.bytes(size) }
}

/** Splits `bytes` into pieces at random places (some empty, some one byte). */
export function randomSplit(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = []
  let i = 0
  while (i < bytes.length) {
    const n = rng.next() < 0.2 ? rng.int(3) : rng.int(Math.min(bytes.length - i, 200) + 1)
    pieces.push(bytes.subarray(i, i + n))
    i += n
  }
  return pieces
}

export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  return concat(
    pieces,
    pieces.reduce((n, p) => n + p.length, 0),
  )
}
