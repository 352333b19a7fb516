// Turning a request description into the pieces of a canonical request. Pure string work, no crypto.
import { InvalidInputError } from '../errors.js'
import { typeOf } from '../lib/type-of.js'
import { normalizePath, reencode, toWirePath, uriEncode } from '../lib/uri.js'
import type { HeadersInput } from './types.js'

export interface ParsedUrl {
  /** `https:` or `http:` */
  protocol: string
  /** Lower-case host with a non-default port, as the Host header carries it. */
  host: string
  /** Path as it goes on the wire (invalid characters percent-encoded). */
  path: string
  /** Query pairs, RFC 3986-encoded, in their original order. */
  query: Array<[string, string]>
}

// scheme://authority path ?query #fragment, kept verbatim: the WHATWG parser would resolve `..`,
// which S3 keys and AWS's test suite need kept.
const URL_PARTS = /^(https?):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i
const PLAIN_AUTHORITY = /^[a-z0-9.-]+(?::\d{1,5})?$/
const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 }

export function parseUrl(url: string | URL): ParsedUrl {
  if (url instanceof URL) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new InvalidInputError('url', `protocol must be http: or https:, got ${JSON.stringify(url.protocol)}`)
    }
    if (url.username || url.password) throw new InvalidInputError('url', 'must not contain user info')
    return { protocol: url.protocol, host: url.host, path: url.pathname || '/', query: parseQuery(url.search.slice(1)) }
  }
  if (typeof url !== 'string') throw new InvalidInputError('url', `must be a string or URL, got ${typeOf(url)}`)
  const match = URL_PARTS.exec(url)
  if (match === null) {
    throw new InvalidInputError('url', 'must be an absolute http: or https: URL (a relative URL cannot be signed)')
  }
  const protocol = `${(match[1] as string).toLowerCase()}:`
  let host = (match[2] as string).toLowerCase()
  if (!PLAIN_AUTHORITY.test(host)) {
    // IPv6 literals, IDN hosts, user info: let the WHATWG parser validate and normalise the authority.
    let parsed: URL
    try {
      parsed = new URL(`${protocol}//${match[2]}/`)
    } catch (cause) {
      throw new InvalidInputError('url', 'has an invalid host', { cause })
    }
    if (parsed.username || parsed.password) throw new InvalidInputError('url', 'must not contain user info')
    host = parsed.host
  } else {
    const colon = host.indexOf(':')
    if (colon !== -1) {
      // As a URL parser (and so the HTTP client) reads the port: leading zeros dropped, default omitted.
      const port = Number(host.slice(colon + 1))
      if (port < 1 || port > 65535) throw new InvalidInputError('url', 'has a port outside 1 to 65535')
      host = port === DEFAULT_PORT[protocol] ? host.slice(0, colon) : `${host.slice(0, colon)}:${port}`
    }
  }
  if (host === '' || host.startsWith(':')) throw new InvalidInputError('url', 'has no host')
  const path = match[3] === '' ? '/' : toWirePath(match[3] as string)
  return { protocol, host, path, query: parseQuery(match[4] ?? '') }
}

/** Splits a raw query string into RFC 3986-encoded pairs. `+` means space, as in URLSearchParams. */
export function parseQuery(raw: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  if (raw === '') return pairs
  for (const part of raw.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const key = eq === -1 ? part : part.slice(0, eq)
    const value = eq === -1 ? '' : part.slice(eq + 1)
    pairs.push([reencode(key, true), reencode(value, true)])
  }
  return pairs
}

export function canonicalPath(path: string, normalize: boolean, doubleEncode: boolean): string {
  const p = normalize ? normalizePath(path) : path
  // Double encoding encodes the wire form once more (`%` becomes `%25`); single encoding puts each
  // segment in SigV4's encoding, which is also what goes on the wire then.
  return doubleEncode ? uriEncode(p, '/') : reencode(p, false, '/')
}

export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return ''
  if (pairs.length === 1) return `${pairs[0]?.[0]}=${pairs[0]?.[1]}`
  const sorted = sortSmall(pairs.slice(), pairAfter)
  let out = ''
  for (const [k, v] of sorted) out += out === '' ? `${k}=${v}` : `&${k}=${v}`
  return out
}

/**
 * Sorts in place, stably: insertion sort for the handful of headers or query pairs a request has,
 * where Array#sort's set-up costs more than the sorting; Array#sort beyond that.
 */
export function sortSmall<T>(items: T[], after: (a: T, b: T) => boolean): T[] {
  if (items.length > 16) return items.sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0))
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T
    let j = i - 1
    for (; j >= 0 && after(items[j] as T, item); j--) items[j + 1] = items[j] as T
    items[j + 1] = item
  }
  return items
}

const pairAfter = (a: readonly [string, string], b: readonly [string, string]) => comparePairs(a, b) > 0

function comparePairs(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Horizontal tab, visible ASCII, space and the rest of Latin-1: no control characters (CR and LF
// included) and nothing a header cannot carry. Anchored, it runs faster than a search for a bad one.
const VALID_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const EDGE_SPACE = /^[ \t]+|[ \t]+$/g
const INNER_SPACE = /[ \t]{2,}|\t/g
const NEEDS_TRIM = /^[ \t]|[ \t]$|[ \t][ \t]|\t/

/** Header name (lower case) -> values in order. Validates names and values. */
export function collectHeaders(input: HeadersInput | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>()
  if (input == null) return map
  // A Headers object iterates as [name, value] pairs, repeated headers already joined with ", ".
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const entry of input as Iterable<unknown>) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new InvalidInputError('headers', 'entries must be [name, value] pairs')
      }
      addHeader(map, entry[0], entry[1])
    }
  } else if (typeof input === 'object') {
    for (const name of Object.keys(input)) {
      const value = (input as Record<string, unknown>)[name]
      if (Array.isArray(value)) for (const v of value) addHeader(map, name, v)
      else addHeader(map, name, value)
    }
  } else {
    throw new InvalidInputError('headers', `must be an object, [name, value] pairs or Headers, got ${typeOf(input)}`)
  }
  return map
}

// Header names that passed, and their lower case: callers send the same few names again and again.
const checkedNames = new Map<unknown, string>()

function addHeader(map: Map<string, string[]>, name: unknown, value: unknown): void {
  let lower = checkedNames.get(name)
  if (lower === undefined) {
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
      throw new InvalidInputError(`headers[${JSON.stringify(String(name))}]`, 'is not a valid header name')
    }
    lower = name.toLowerCase()
    if (checkedNames.size >= 256) checkedNames.clear()
    checkedNames.set(name, lower)
  }
  if (value === undefined || value === null) return
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidInputError(`headers[${JSON.stringify(name)}]`, `value must be a string, got ${typeOf(value)}`)
  }
  const text = String(value)
  if (!VALID_VALUE.test(text)) {
    throw new InvalidInputError(
      `headers[${JSON.stringify(name)}]`,
      'value contains a control character (CR, LF, NUL...) or a character beyond Latin-1',
    )
  }
  const list = map.get(lower)
  if (list === undefined) map.set(lower, [text])
  else list.push(text)
}

/** A header value as SigV4 signs it: trimmed, runs of spaces and tabs collapsed to one space. */
export function canonicalHeaderValue(value: string): string {
  // Only HTTP's own whitespace (space, tab): other characters JavaScript's trim() removes are data.
  return NEEDS_TRIM.test(value) ? value.replace(EDGE_SPACE, '').replace(INNER_SPACE, ' ') : value
}

export { typeOf } from '../lib/type-of.js'
