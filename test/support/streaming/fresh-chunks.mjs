// A real upload source for the streaming tests and benchmark: pseudo-random bytes (xorshift32, seeded)
// in pieces that are each a NEW array, as a file or socket gives them, never one buffer reused. Plain
// JavaScript, so Node, Bun, Deno and workerd all run the same generator and the same bytes come back.

/**
 * Yields `size` bytes in fresh `Uint8Array`s of `pieceSize` bytes (the last one shorter).
 * @param {number} size
 * @param {{ pieceSize?: number, seed?: number }} [options]
 * @returns {AsyncGenerator<Uint8Array>}
 */
export async function* freshChunks(size, { pieceSize = 64 * 1024, seed = 0x2545f491 } = {}) {
  let state = seed >>> 0 || 1
  for (let offset = 0; offset < size; offset += pieceSize) {
    const length = Math.min(pieceSize, size - offset)
    const piece = new Uint8Array(length)
    const words = new Uint32Array(piece.buffer, 0, length >>> 2)
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      words[i] = state
    }
    for (let i = words.length * 4; i < length; i++) piece[i] = i & 0xff
    yield piece
  }
}
