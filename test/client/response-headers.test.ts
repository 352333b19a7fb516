// The node-http response's headers against undici's `Headers` holding the same raw headers, on random
// header lists (repeated names in any case, set-cookie among them): get, has, getSetCookie, and every way
// of iterating; then what fetch's response headers refuse (changes, invalid names).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ResponseHeaders } from '../../src/client/response-headers.js'

const name = fc.constantFrom('content-type', 'Content-Type', 'set-cookie', 'Set-Cookie', 'x-amz-id-2', 'ETag', 'b', 'a')
const value = fc.stringMatching(/^[!-~]([ !-~]{0,12}[!-~])?$/)
const rawHeaders = fc.array(fc.tuple(name, value), { maxLength: 10 }).map((pairs) => pairs.flat())

function real(raw: readonly string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string)
  return headers
}

describe('ResponseHeaders', () => {
  it("reads as undici's Headers with the same raw headers", () => {
    fc.assert(
      fc.property(rawHeaders, name, (raw, asked) => {
        const mine = new ResponseHeaders(raw)
        const theirs = real(raw)
        expect(mine.get(asked)).toBe(theirs.get(asked))
        expect(mine.has(asked)).toBe(theirs.has(asked))
        expect(mine.getSetCookie()).toEqual(theirs.getSetCookie())
        expect([...mine]).toEqual([...theirs])
        expect([...mine.entries()]).toEqual([...theirs.entries()])
        expect([...mine.keys()]).toEqual([...theirs.keys()])
        expect([...mine.values()]).toEqual([...theirs.values()])
        const seen: unknown[] = []
        const self = {}
        mine.forEach(function (this: unknown, v, k, parent) {
          seen.push([k, v, parent === mine, this === self])
        }, self)
        expect(seen).toEqual([...theirs].map(([k, v]) => [k, v, true, true]))
        // A real Headers (and so a real Response) can be made from it.
        expect([...new Headers(mine)]).toEqual([...theirs])
      }),
      { numRuns: 300 },
    )
  })

  it('a header absent is null; names are matched in any case', () => {
    const headers = new ResponseHeaders(['ETag', '"abc"', 'x-a', '1', 'X-A', '2'])
    expect(headers.get('etag')).toBe('"abc"')
    expect(headers.get('X-a')).toBe('1, 2')
    expect(headers.get('x-missing')).toBeNull()
    expect(headers.has('x-missing')).toBe(false)
  })

  it("refuses what fetch's response headers refuse: changes, and invalid names", async () => {
    const headers = new ResponseHeaders(['x-a', '1'])
    const theirs = (await fetch('data:text/plain,hi')).headers
    for (const change of [
      (h: Headers) => h.append('x-b', '2'),
      (h: Headers) => h.set('x-a', '2'),
      (h: Headers) => h.delete('x-a'),
      (h: Headers) => h.get('bad name'),
      (h: Headers) => h.has('bad:name'),
    ]) {
      expect(() => change(theirs)).toThrow(TypeError)
      expect(() => change(headers)).toThrow(TypeError)
    }
    expect(headers.get('x-a')).toBe('1')
  })
})

describe('the type tags', () => {
  it("say Headers and Response, as fetch's do (libraries tell them apart by Object.prototype.toString)", async () => {
    const { NodeHttpResponse } = await import('../../src/client/response.node.js')
    const response = new NodeHttpResponse(
      { status: 200, statusText: 'OK', rawHeaders: ['x-a', '1'], url: 'http://h/' },
      null,
    )
    const tag = (value: unknown) => Object.prototype.toString.call(value)
    expect([tag(response), tag(response.headers)]).toEqual([tag(new Response()), tag(new Headers())])
    expect(tag(new Response())).toBe('[object Response]')
  })
})
