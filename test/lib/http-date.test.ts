// parseHttpDate: the three forms RFC 9110 has recipients accept, and nothing that Date.parse merely tolerates.
import { describe, expect, it } from 'vitest'
import { parseHttpDate } from '../../src/lib/http-date.js'

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37)
const NOW = Date.UTC(2026, 0, 1)

describe('parseHttpDate', () => {
  it("reads RFC 9110's examples in all three forms", () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(NOV_6_1994)
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(NOV_6_1994)
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(NOV_6_1994)
    expect(parseHttpDate(' Thu, 01 Jan 2026 00:00:00 GMT ', NOW)).toBe(NOW)
    // A two-digit year at most 50 years ahead is this century's.
    expect(parseHttpDate('Monday, 01-Jan-35 00:00:00 GMT', NOW)).toBe(Date.UTC(2035, 0, 1))
  })

  it('refuses what is not an HTTP date', () => {
    for (const value of [
      undefined,
      '',
      '0',
      '1',
      '2 ',
      'garbage 2',
      '1.5',
      '2026-01-01T00:00:00Z',
      '01 Jan 2026',
      'Thu, 01 Jan 2026 00:00:00 PST',
      'Thu, 1 Jan 2026 00:00:00 GMT',
      'Thu, 31 Feb 2026 00:00:00 GMT',
      'Thu, 01 Foo 2026 00:00:00 GMT',
      'Thu, 01 Jan 2026 24:00:00 GMT',
    ]) {
      expect(parseHttpDate(value, NOW)).toBeUndefined()
    }
  })
})
