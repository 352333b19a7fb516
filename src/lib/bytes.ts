// Byte helpers more than one module needs: hex both ways, joining chunks.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number]
  return out
}

/** The bytes of an even-length hex string (the caller checks the digits). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** One buffer holding `pieces` in order; `length` is their total when the caller knows it. */
export function concatBytes(pieces: readonly Uint8Array[], length?: number): Uint8Array<ArrayBuffer> {
  let size = length ?? 0
  if (length === undefined) for (const piece of pieces) size += piece.byteLength
  const out = new Uint8Array(size)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece, offset)
    offset += piece.byteLength
  }
  return out
}
