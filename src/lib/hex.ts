// Hex and byte helpers shared by the signers, encoders and verifiers.

/** Two hex digits per byte value, made on first use (not at import: Node's hashes give hex themselves). */
let HEX: string[] | undefined

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  HEX ??= Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
  const hex = HEX
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += hex[bytes[i] as number]
  return out
}

/** Bytes of an even-length hex string (not validated: callers check the form first). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** One array holding `pieces` in order; `length` is their total length. */
export function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece, offset)
    offset += piece.length
  }
  return out
}

/**
 * Compares two strings (signatures) in time that depends only on their lengths, never on where they
 * differ, so that a verifier does not tell an attacker how much of a forged signature was right.
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
