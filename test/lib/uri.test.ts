// The URI encoders against simple reference implementations built on TextEncoder, on random text.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizePath, reencode, toWirePath, uriEncode } from '../../src/lib/uri.js'

const UNRESERVED = /[A-Za-z0-9\-._~]/
const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`
const referenceBytes = (bytes: Iterable<number>, keepSlash = false) =>
  Array.from(bytes, (b) => {
    const ch = String.fromCharCode(b)
    return b < 128 && (UNRESERVED.test(ch) || (keepSlash && ch === '/')) ? ch : hex(b)
  }).join('')
const referenceEncode = (text: string, keepSlash = false) => referenceBytes(new TextEncoder().encode(text), keepSlash)

// Any string, lone surrogates included, weighted towards characters that matter here.
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('%', '+', '/', ' ', '~', '!', "'", '(', ')', '*', '2', 'F', 'a', '\ud800', '\udc00'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
})

describe('uriEncode', () => {
  it('equals the UTF-8 reference on any string', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (s, keepSlash) => {
        expect(uriEncode(s, keepSlash ? '/' : '')).toBe(referenceEncode(s, keepSlash))
      }),
      { numRuns: 2000 },
    )
  })

  it('matches encodeURIComponent plus the characters it leaves alone', () => {
    expect(uriEncode("a b!'()*ሴ😀")).toBe(
      encodeURIComponent("a b!'()*ሴ😀").replace(/[!'()*]/g, (c) => hex(c.charCodeAt(0))),
    )
  })
})

describe('reencode', () => {
  it('decodes escapes to bytes and encodes them again', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const escaped = Array.from(bytes, hex).join('')
        expect(reencode(escaped, false)).toBe(referenceBytes(bytes))
        expect(reencode(escaped.toLowerCase(), true)).toBe(referenceBytes(bytes))
      }),
      { numRuns: 1000 },
    )
  })

  it('treats + as a space only when asked, a stray % literally, and an escaped slash in a path as a slash', () => {
    expect(reencode('a+b%2Fc/d%zz%4', true)).toBe('a%20b%2Fc%2Fd%25zz%254')
    // S3 keys: a slash is a slash, however it was written (servers disagree on canonicalising %2F).
    expect(reencode('a+b%2Fc/d%2f', false, '/')).toBe('a%2Bb/c/d/')
  })

  it('is idempotent: the canonical form encodes to itself', () => {
    fc.assert(
      fc.property(text, (s) => {
        const once = reencode(s, true)
        expect(reencode(once, true)).toBe(once)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('toWirePath', () => {
  it('encodes only what cannot appear raw, and decodes back to the same text', () => {
    fc.assert(
      fc.property(text, (s) => {
        const wire = `/${s}`
        const out = toWirePath(wire)
        expect(out).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/)
        expect(out.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')).toBe(out)
      }),
      { numRuns: 1000 },
    )
    expect(toWirePath('/a b/ሴ/%41/%zz/"x"')).toBe('/a%20b/%E1%88%B4/%41/%25zz/%22x%22')
  })
})

describe('normalizePath', () => {
  it.each([
    ['/', '/'],
    ['//example//', '/example/'],
    ['/example/..', '/'],
    ['/a/b/../c/./d/', '/a/c/d/'],
    ['/a/b/..', '/a'],
    ['/../..', '/'],
    ['/./example', '/example'],
    ['/a/.b/..c', '/a/.b/..c'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizePath(input)).toBe(expected)
  })
})
