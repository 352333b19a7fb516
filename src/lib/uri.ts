// URI encoding as SigV4 defines it: RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~) are kept,
// every other byte of the UTF-8 encoding becomes %XX with upper-case hex.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request

const HEX = '0123456789ABCDEF'
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
/** `%XX` for every byte value. */
const PERCENT = Array.from({ length: 256 }, (_, b) => `%${HEX[b >> 4]}${HEX[b & 15]}`)
/** For ASCII: the character itself if unreserved, else its escape. */
const ASCII = Array.from({ length: 128 }, (_, b) =>
  /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : (PERCENT[b] as string),
)

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102)
}

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : (code | 32) - 87
}

/**
 * The SigV4 encoding of `text` (UTF-8 bytes, unreserved ASCII kept). `decode` first turns `%XX`
 * escapes (and, with `'plus'`, `+`) into the bytes they stand for; a `%` that starts no escape is
 * literal. Works on bytes, so escapes that are not valid UTF-8 survive unchanged. `keepSlash` leaves
 * slashes alone (paths), and so decodes an escaped `%2F` to `/`.
 */
function encode(text: string, decode: 'none' | 'percent' | 'plus', keepSlash: boolean): string {
  if (UNRESERVED.test(text)) return text
  let out = ''
  const length = text.length
  let run = 0 // start of the pending run of characters that stay as they are
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (
      c < 0x80 &&
      ((ASCII[c] as string).length === 1 || (c === 47 && keepSlash)) &&
      !(c === 43 && decode === 'plus')
    ) {
      continue
    }
    if (run < i) out += text.slice(run, i)
    run = i + 1
    if (c < 0x80) {
      if (decode !== 'none' && c === 37 /* % */ && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        const byte = hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2))
        out += byte === 47 && keepSlash ? '/' : byte < 0x80 ? ASCII[byte] : PERCENT[byte]
        i += 2
        run = i + 1
      } else if (c === 43 /* + */ && decode === 'plus') out += '%20'
      else if (c === 47 /* / */ && keepSlash) out += '/'
      else out += ASCII[c]
    } else if (c < 0x800) {
      out += PERCENT[0xc0 | (c >> 6)]
      out += PERCENT[0x80 | (c & 63)]
    } else {
      let point = c
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = text.charCodeAt(i + 1)
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
          i++
          run = i + 1
        } else point = 0xfffd // a lone surrogate becomes U+FFFD, as TextEncoder does
      }
      if (point >= 0x10000) {
        out += PERCENT[0xf0 | (point >> 18)]
        out += PERCENT[0x80 | ((point >> 12) & 63)]
      } else out += PERCENT[0xe0 | (point >> 12)]
      out += PERCENT[0x80 | ((point >> 6) & 63)]
      out += PERCENT[0x80 | (point & 63)]
    }
  }
  return run < length ? out + text.slice(run) : out
}

/** URI-encodes UTF-8 text as SigV4 wants. `keep` may be `'/'` to leave slashes alone (paths). */
export function uriEncode(text: string, keep: '' | '/' = ''): string {
  return encode(text, 'none', keep === '/')
}

/**
 * One `application/x-www-form-urlencoded` component as botocore writes it (Python's urlencode): the
 * SigV4 encoding with space as `+`. AWS accepts any correct form encoding; emulators that re-encode
 * the parsed form to check the payload hash (moto) accept this one, and not URLSearchParams' raw `*`.
 */
export function formEncode(text: string): string {
  return uriEncode(text).replace(/%20/g, '+')
}

/** A form body from flat parameters (`undefined` and `null` left out), each component as `formEncode`. */
export function formBody(params: Readonly<Record<string, string | number | boolean | undefined | null>>): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) parts.push(`${formEncode(key)}=${formEncode(String(value))}`)
  }
  return parts.join('&')
}

/**
 * Decodes `%XX` escapes (and `+` as space when asked), then encodes the bytes as SigV4 wants: the
 * canonical form of an already-encoded query component or path. With `keep: '/'` (an S3 path) an
 * escaped slash becomes `/` too: S3 keys treat `/` as an ordinary character, and servers disagree on
 * how they canonicalise `%2F`, so a key's slash is sent and signed as `/`.
 */
export function reencode(text: string, plusIsSpace: boolean, keep: '' | '/' = ''): string {
  return encode(text, plusIsSpace ? 'plus' : 'percent', keep === '/')
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
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string
    const ok = ch === '%' ? isHex(path.charCodeAt(i + 1)) && isHex(path.charCodeAt(i + 2)) : PATH_SAFE.test(ch)
    if (ok) {
      if (pending !== '') out += encode(pending, 'none', false)
      pending = ''
      out += ch
    } else pending += ch
  }
  return pending === '' ? out : out + encode(pending, 'none', false)
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
