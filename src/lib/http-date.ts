// HTTP dates as RFC 9110 defines them, read strictly: Date.parse takes almost anything (`0` is
// 2000-01-01), and a server's Date that is not an HTTP date must not move the client's clock.
// https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec'
// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete forms still to be accepted: RFC 850
// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, (\d\d) ([A-Z][a-z]{2}) (\d{4})|[A-Z][a-z]{5,8}, (\d\d)-([A-Z][a-z]{2})-(\d\d)|[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d)) (\d\d):(\d\d):(\d\d)(?: GMT| (\d{4}))$/

/** Milliseconds since the epoch of an HTTP date (`Date`, `Retry-After`...), or `undefined` for anything else. */
export function parseHttpDate(value: string | undefined, now = Date.now()): number | undefined {
  const m = value === undefined ? null : HTTP_DATE.exec(value.trim())
  // asctime, and only asctime, ends with the year instead of GMT.
  if (m === null || (m[7] === undefined) !== (m[12] === undefined)) return undefined
  const day = Number(m[1] ?? m[4] ?? m[8])
  const month = MONTHS.indexOf(m[2] ?? m[5] ?? (m[7] as string))
  let year = Number(m[3] ?? m[12] ?? m[6])
  if (m[6] !== undefined) {
    // A two-digit year more than 50 years in the future is in the past century (RFC 9110).
    const century = new Date(now).getUTCFullYear() + 50
    year += Math.floor(century / 100) * 100
    if (year > century) year -= 100
  }
  const [hours, minutes, seconds] = [Number(m[9]), Number(m[10]), Number(m[11])]
  if (month % 3 !== 0 || hours > 23 || minutes > 59 || seconds > 60) return undefined
  const time = Date.UTC(year, month / 3, day, hours, minutes, seconds)
  // 31 Feb and the like roll over into the next month: not a date.
  return new Date(time).getUTCDate() === day ? time : undefined
}
