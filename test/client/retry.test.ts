// The retry decision as the pure function it is: failure, request state and policy in, a delay (and
// cost, and clock correction) or a stop out.
import { describe, expect, it } from 'vitest'
import { decideRetry, type RetryState, retryPolicy } from '../../src/client/retry.js'
import { AwsError, InvalidInputError, NetworkError, TimeoutError } from '../../src/errors.js'

const policy = (options = {}) => retryPolicy({ random: () => 0.5, ...options })
const state = (overrides: Partial<RetryState> = {}): RetryState => ({
  counted: 1,
  maxAttempts: 3,
  skewRetried: false,
  correctSkew: true,
  clockOffset: 0,
  now: Date.UTC(2024, 0, 15, 12, 0, 0),
  ...overrides,
})
const aws = (status: number, awsCode: string, headers: Record<string, string> = {}, awsMessage = 'm') =>
  new AwsError({ status, awsCode, awsMessage, headers })

describe('decideRetry', () => {
  it('backs off with full jitter: throttling from its own base, transient errors and timeouts from theirs', () => {
    expect(decideRetry(aws(400, 'ThrottlingException'), state(), policy())).toEqual({
      kind: 'throttling',
      delay: 500, // 0.5 * 500 * 2^1
      cost: 5,
    })
    expect(decideRetry(aws(503, 'ServiceUnavailable'), state({ counted: 2 }), policy())).toEqual({
      kind: 'transient',
      delay: 200, // 0.5 * 100 * 2^2
      cost: 5,
    })
    expect(decideRetry(new NetworkError('reset'), state(), policy())).toMatchObject({ kind: 'transient', cost: 5 })
    expect(decideRetry(new TimeoutError({ timeout: 10 }), state(), policy())).toMatchObject({
      kind: 'timeout',
      cost: 10,
    })
  })

  it('waits what Retry-After asks, unless that is beyond maxDelay', () => {
    const asked = new AwsError({ status: 503, awsCode: 'SlowDown', awsMessage: 'm', retryAfter: 3000 })
    expect(decideRetry(asked, state(), policy())?.delay).toBe(3000)
    expect(decideRetry(asked, state(), policy({ maxDelay: 1000 }))).toBeUndefined()
  })

  it('stops: not retryable, out of attempts, out of quota', () => {
    expect(decideRetry(aws(404, 'NoSuchKey'), state(), policy())).toBeUndefined()
    expect(decideRetry(new InvalidInputError('f', 'p'), state(), policy())).toBeUndefined()
    expect(decideRetry(aws(500, 'InternalError'), state({ counted: 3 }), policy())).toBeUndefined()
    const empty = policy({ quota: 4 })
    expect(decideRetry(aws(500, 'InternalError'), state(), empty)).toBeUndefined()
    expect(empty.quota?.available).toBe(4) // read, not taken
  })

  it('corrects the clock once from the server Date, outside maxAttempts', () => {
    const local = state({ counted: 3 })
    const server = new Date(local.now + 60 * 60 * 1000).toUTCString()
    const skewed = aws(403, 'RequestTimeTooSkewed', { date: server })
    expect(decideRetry(skewed, local, policy())).toEqual({
      kind: 'clock-skew',
      delay: 0,
      cost: 0,
      clockOffset: 60 * 60 * 1000,
    })
    expect(decideRetry(skewed, state({ skewRetried: true }), policy())).toBeUndefined()
    expect(decideRetry(skewed, state({ correctSkew: false }), policy())).toBeUndefined()
    // A plain signature mismatch with agreeing clocks is a real mismatch.
    const mismatch = aws(403, 'SignatureDoesNotMatch', { date: new Date(local.now).toUTCString() })
    expect(decideRetry(mismatch, local, policy())).toBeUndefined()
  })

  it('learns the offset from an HTTP date only (RFC 9110: IMF-fixdate, RFC 850, asctime), never from a bogus Date', () => {
    const local = state()
    const hourAhead = local.now + 60 * 60 * 1000 // 2024-01-15 13:00:00 UTC, a Monday
    for (const date of [
      'Mon, 15 Jan 2024 13:00:00 GMT',
      'Monday, 15-Jan-24 13:00:00 GMT',
      'Mon Jan 15 13:00:00 2024',
    ]) {
      expect(decideRetry(aws(403, 'RequestTimeTooSkewed', { date }), local, policy())?.clockOffset).toBe(
        hourAhead - local.now,
      )
    }
    // What Date.parse reads as some date (`0` is 2000-01-01) but no server sends: never an offset to keep.
    for (const date of [
      '0',
      '1',
      '2',
      'garbage 2',
      '15 Jan 2024',
      '2024-01-15T13:00:00Z',
      'Mon, 15 Jan 2024 13:00:00 PST',
    ]) {
      // A time error without a readable Date is retried re-signed, on the clock it had.
      expect(decideRetry(aws(403, 'RequestTimeTooSkewed', { date }), local, policy())?.clockOffset).toBe(0)
      // A signature mismatch without one is not a clock problem at all.
      expect(decideRetry(aws(403, 'SignatureDoesNotMatch', { date }), local, policy())).toBeUndefined()
    }
  })
})
