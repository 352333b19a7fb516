// URI encoding as SigV4 defines it: RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~) are kept,
// every other byte of the UTF-8 encoding becomes %XX with upper-case hex.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request

const HEX = '0123456789ABCDEF'
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
const encoder = new TextEncoder()

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102)
}

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : (code | 32) - 87
}

function pushByte(out: string, byte: number, keep: string): string {
  // Unreserved ASCII stays as is; so does `/` when the caller asks (paths).
  if (
    (byte >= 65 && byte <= 90) ||
    (byte >= 97 && byte <= 122) ||
    (byte >= 48 && byte <= 57) ||
    byte === 45 ||
    byte === 46 ||
    byte === 95 ||
    byte === 126 ||
    (keep !== '' && byte === keep.charCodeAt(0))
  ) {
    return out + String.fromCharCode(byte)
  }
  return `${out}%${HEX[byte >> 4]}${HEX[byte & 15]}`
}

/** URI-encodes UTF-8 text. `keep` may be `'/'` to leave slashes alone (paths). */
export function uriEncode(text: string, keep = ''): string {
  if (UNRESERVED.test(text)) return text
  let out = ''
  for (const byte of encoder.encode(text)) out = pushByte(out, byte, keep)
  return out
}

/**
 * Decodes `%XX` escapes (and `+` as space when asked) to bytes, then encodes the bytes as SigV4 wants.
 * Works on bytes, so escapes that are not valid UTF-8 survive unchanged; a `%` that starts no escape
 * is taken literally.
 */
export function reencode(text: string, plusIsSpace: boolean, keep = ''): string {
  if (UNRESERVED.test(text)) return text
  let out = ''
  let literal = ''
  const flush = () => {
    if (literal === '') return
    for (const byte of encoder.encode(literal)) out = pushByte(out, byte, keep)
    literal = ''
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 37 /* % */ && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      flush()
      // An escaped byte is data: `%2F` stays `%2F` even where a literal `/` is kept.
      out = pushByte(out, hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2)), '')
      i += 2
    } else if (code === 43 /* + */ && plusIsSpace) {
      flush()
      out += '%20'
    } else {
      literal += text[i]
    }
  }
  flush()
  return out
}

// Characters that may appear raw in a URL path (RFC 3986 pchar and `/`), `%` included: escapes are kept.
const PATH_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/

/**
 * The path as it goes on the wire: characters that cannot appear raw in a URL (space, non-ASCII,
 * `"`, `<`, `>`, ...) are percent-encoded, everything else (existing escapes included) is kept.
 */
export function toWirePath(path: string): string {
  if (PATH_SAFE.test(path) && !BAD_PERCENT.test(path)) return path
  let out = ''
  let pending = ''
  const flush = () => {
    if (pending === '') return
    for (const byte of encoder.encode(pending)) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`
    pending = ''
  }
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string
    const ok = ch === '%' ? isHex(path.charCodeAt(i + 1)) && isHex(path.charCodeAt(i + 2)) : PATH_SAFE.test(ch)
    if (ok) {
      flush()
      out += ch
    } else {
      pending += ch
    }
  }
  flush()
  return out
}

/**
 * Removes `.` and `..` segments and empty segments (duplicate slashes), keeping a leading and a
 * trailing slash, as AWS services do for every service but S3.
 */
export function normalizePath(path: string): string {
  if (!path.includes('//') && !path.includes('/.')) return path
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  const trailing = path.endsWith('/') && out.length > 0 ? '/' : ''
  return `/${out.join('/')}${trailing}`
}
