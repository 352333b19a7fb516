// XML character references, shared by the STS response parser (strict) and the client's error
// readers (lenient).

const ENTITY = /&(?:#(\d+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));|&/g
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Replaces character references with the text they stand for. A bare `&` or a reference to no valid
 * character is handed to `fail` (which throws) when given, and otherwise left as it is.
 */
export function decodeEntities(text: string, fail?: (problem: string) => never): string {
  if (!text.includes('&')) return text
  return text.replace(ENTITY, (match, dec?: string, hex?: string, named?: string) => {
    if (named !== undefined) return NAMED[named] as string
    if (match === '&') return fail ? fail('bare "&" in text') : match
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16)
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return fail ? fail('bad character reference') : match
    }
    return String.fromCodePoint(code)
  })
}
