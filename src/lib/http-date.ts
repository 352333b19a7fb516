// HTTP dates as RFC 9110 defines them, read strictly: Date.parse takes almost anything (`0` is
// 2000-01-01), and a server's Date that is not an HTTP date must not move the client's clock.
// https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
// IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ([A-Z][a-z]{2}) (\\d{4}) ${TIME} GMT$`)
// Obsolete, still to be accepted: `Sunday, 06-Nov-94 08:49:37 GMT` and asctime's `Sun Nov  6 08:49:37 1994`.
const RFC_850 =
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const ASCTIME = new RegExp(`^${DAY} ([A-Z][a-z]{2}) ([ \\d]\\d) ${TIME} (\\d{4})$`)

function utc(year: number, month: string, day: string, h: string, m: string, s: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month)
  const [d, hours, minutes, seconds] = [Number(day), Number(h), Number(m), Number(s)]
  if (monthIndex === -1 || d < 1 || d > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined
  const time = Date.UTC(year, monthIndex, d, hours, minutes, seconds)
  // 31 Feb and the like roll over into the next month: not a date.
  return new Date(time).getUTCDate() === d ? time : undefined
}

/** Milliseconds since the epoch of an HTTP date (`Date`, `Retry-After`...), or `undefined` for anything else. */
export function parseHttpDate(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  let match = IMF_FIXDATE.exec(text)
  if (match !== null) {
    const [, day, month, year, h, m, s] = match as unknown as string[]
    return utc(Number(year), month as string, day as string, h as string, m as string, s as string)
  }
  match = RFC_850.exec(text)
  if (match !== null) {
    const [, day, month, yy, h, m, s] = match as unknown as string[]
    // A two-digit year more than 50 years in the future is in the past century (RFC 9110).
    let year = Math.floor(new Date(now).getUTCFullYear() / 100) * 100 + Number(yy)
    if (year > new Date(now).getUTCFullYear() + 50) year -= 100
    return utc(year, month as string, day as string, h as string, m as string, s as string)
  }
  match = ASCTIME.exec(text)
  if (match !== null) {
    const [, month, day, h, m, s, year] = match as unknown as string[]
    return utc(Number(year), month as string, (day as string).trim(), h as string, m as string, s as string)
  }
  return undefined
}
