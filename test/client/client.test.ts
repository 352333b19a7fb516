// createClient against a scripted loopback server: retries (attempt counts, backoff within the jitter
// bounds, Retry-After, quota), connection resets, timeouts, abort, non-replayable bodies, clock-skew
// correction, and a signature that is valid on every attempt.
import { getEventListeners } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  AwsError,
  BodyNotReplayableError,
  type ClientOptions,
  createClient,
  NetworkError,
  type ResponseLike,
  type RetryEvent,
  TimeoutError,
} from '../../src/client/index.js'
import { type AwsigError, type Credentials, InvalidInputError } from '../../src/index.js'
import { awsJson } from '../../src/protocols/index.js'
import { sigv4a } from '../../src/sigv4a/index.js'
import { type FaultServer, parseAmzDate, signatureIsValid, startFaultServer } from '../support/fault-server.js'

const credentials: Credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}
let server: FaultServer

beforeAll(async () => {
  server = await startFaultServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => server.reset())

/** A client whose waits are recorded instead of slept, and whose clock moves 1 s per reading. */
function testClient(options: Partial<ClientOptions> = {}) {
  const delays: number[] = []
  const events: RetryEvent[] = []
  let clock = Date.UTC(2024, 0, 15, 12, 0, 0)
  const client = createClient({
    credentials,
    region: 'us-east-1',
    service: 'dynamodb',
    now: () => (clock += 1000),
    onRetry: (event) => events.push(event),
    ...options,
    retry: {
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms)
      },
      ...(options.retry === false ? { maxAttempts: 1 } : options.retry),
    },
  })
  return { client, delays, events }
}

const getItem = () => awsJson('DynamoDB_20120810.GetItem', { TableName: 't', Key: { id: { S: '1' } } })
const jsonError = (status: number, type: string, message: string, headers: Record<string, string> = {}) => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${status}`, ...headers },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
})

async function rejection(promise: Promise<unknown>): Promise<AwsigError> {
  try {
    await promise
  } catch (error) {
    return error as AwsigError
  }
  throw new Error('expected a rejection')
}

async function everySignatureValid() {
  for (const request of server.requests) expect(await signatureIsValid(request, server.url, credentials)).toBe(true)
}

describe('sending', () => {
  it('signs, sends and returns the response', async () => {
    const { client } = testClient()
    const response = await client.fetch(server.url, getItem())
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({})
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem')
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240115\/us-east-1\/dynamodb\//,
    )
    expect(JSON.parse(request?.body.toString() ?? '')).toEqual({ TableName: 't', Key: { id: { S: '1' } } })
    await everySignatureValid()
  })

  it('takes credentials from a provider, for every attempt', async () => {
    let calls = 0
    const { client } = testClient({
      credentials: async () => {
        calls++
        return credentials
      },
    })
    server.script(jsonError(500, 'InternalServerError', 'oops'))
    await client.fetch(server.url, getItem())
    expect(calls).toBe(2)
  })

  it('hashes Blob and FormData bodies and signs the content type they imply', async () => {
    const { client } = testClient({ service: 's3' })
    await client.fetch(`${server.url}/bucket/blob`, {
      method: 'PUT',
      body: new Blob(['blob body'], { type: 'text/plain' }),
    })
    const form = new FormData()
    form.set('field', 'value')
    await client.fetch(`${server.url}/bucket/form`, { method: 'POST', body: form })
    const [blob, formRequest] = server.requests
    expect(blob?.body.toString()).toBe('blob body')
    expect(blob?.headers['content-type']).toBe('text/plain')
    expect(String(blob?.headers.authorization)).toContain('content-type')
    expect(String(formRequest?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/)
    expect(formRequest?.body.toString()).toContain('value')
    await everySignatureValid()
  })

  it('resolves relative URLs against its endpoint, as a base URL', async () => {
    const { client } = testClient({ service: 's3', endpoint: `${server.url}/base/` })
    await client.fetch('/bucket/a b.txt?x-id=GetObject')
    await client.fetch('other')
    await client.fetch(`${server.url}/absolute`)
    expect(server.requests.map((r) => r.url)).toEqual([
      '/base/bucket/a%20b.txt?x-id=GetObject',
      '/base/other',
      '/absolute',
    ])
    await everySignatureValid()
    const signed = await client.sign('/k', { method: 'PUT' })
    expect(signed.url).toBe(`${server.url}/base/k`)
    expect(new URL(await client.presign('/k')).pathname).toBe('/base/k')
    expect(() => createClient({ credentials, region: 'us-east-1', endpoint: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'endpoint' }),
    )
  })

  it("refuses a region that contradicts a standard endpoint's; custom, global and matching ones pass", () => {
    const make = (endpoint: string, region: string) => () => createClient({ credentials, region, endpoint })
    expect(make('https://sqs.eu-west-1.amazonaws.com/123456789012', 'us-east-1')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'region' }),
    )
    expect(make('https://sqs.eu-west-1.amazonaws.com/123456789012', 'eu-west-1')).not.toThrow()
    expect(make('https://iam.amazonaws.com', 'eu-west-1')).not.toThrow()
    expect(make('http://127.0.0.1:9000', 'eu-west-1')).not.toThrow()
  })

  it('signs with SigV4a for the region set, by default the request region', async () => {
    const { client } = testClient({ algorithm: sigv4a })
    const signed = await client.sign(server.url, { service: 's3' })
    expect(signed.headers['x-amz-region-set']).toBe('us-east-1')
    expect(signed.headers.authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=[^/]+\/\d{8}\/s3\/aws4_request/)
    const wider = await client.sign(server.url, { service: 's3', regionSet: ['*'] })
    expect(wider.headers['x-amz-region-set']).toBe('*')
  })

  it('uses the request service and region over the defaults', async () => {
    const { client } = testClient()
    await client.fetch(server.url, { service: 'sqs', region: 'eu-west-1', ...awsJson('AmazonSQS.ListQueues') })
    expect(server.requests[0]?.headers.authorization).toContain('/eu-west-1/sqs/aws4_request')
  })

  it('refuses bad input before sending anything', async () => {
    const { client } = testClient({ service: undefined })
    expect(((await rejection(client.fetch(server.url, getItem()))) as InvalidInputError).field).toBe('service')
    expect(() => createClient({ credentials, region: '' })).toThrow(InvalidInputError)
    expect(() => createClient({ credentials: 'AKID' as never, region: 'us-east-1' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'credentials' }),
    )
    expect(() => createClient({ credentials, region: 'us-east-1', retry: { maxAttempts: 0 } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'retry.maxAttempts' }),
    )
    expect(server.requests).toHaveLength(0)
  })

  it('returns a 304 and, with throwOnError: false, an error response with its body intact', async () => {
    const { client } = testClient({ service: 's3' })
    server.script({ status: 304 })
    expect((await client.fetch(`${server.url}/b/k`)).status).toBe(304)
    server.script({ status: 404, body: '<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>' })
    const response = await client.fetch(`${server.url}/b/k`, { throwOnError: false })
    expect(response.status).toBe(404)
    expect(await response.text()).toContain('NoSuchKey')
    // Retries still happen; the last response is returned.
    server.reset()
    server.script({ status: 503 }, { status: 503 })
    server.fallback = { status: 503, body: 'still down' }
    const last = await client.fetch(`${server.url}/b/k`, { throwOnError: false })
    expect(server.requests).toHaveLength(3)
    expect([last.status, await last.text()]).toEqual([503, 'still down'])
  })

  it('refuses a host header other than the URL host, which fetch would not send', async () => {
    const { client } = testClient({ service: 'execute-api' })
    for (const headers of [
      { host: 'abc.execute-api.us-east-1.amazonaws.com' },
      { 'x-a': '1', HOST: 'abc.execute-api.us-east-1.amazonaws.com' },
      [['Host', 'abc.execute-api.us-east-1.amazonaws.com']] as Array<[string, string]>,
      new Headers({ host: 'abc.execute-api.us-east-1.amazonaws.com' }),
    ]) {
      const error = await rejection(client.fetch(`${server.url}/prod/x`, { headers }))
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as InvalidInputError).field).toBe('headers["host"]')
    }
    expect(server.requests).toHaveLength(0)
    // The URL's own host is what fetch sends: signed and sent, the signature holds.
    const response = await client.fetch(`${server.url}/prod/x`, { headers: { Host: new URL(server.url).host } })
    expect(response.status).toBe(200)
    expect(server.requests[0]?.headers.authorization).toMatch(/SignedHeaders=host;/)
    await everySignatureValid()
  })
})

describe('retries (standard mode)', () => {
  it('retries 500, 502, 503 and 504, signing each attempt anew', async () => {
    const { client, delays, events } = testClient()
    server.script({ status: 503 }, { status: 502, body: '<html>Bad Gateway</html>' })
    const response = await client.fetch(server.url, getItem())
    expect(response.status).toBe(200)
    expect(server.requests).toHaveLength(3)
    // Full jitter with random() = 0.5: half of 100 ms · 2^n.
    expect(delays).toEqual([100, 200])
    expect(events.map((e) => [e.attempt, e.kind, (e.error as AwsError).status])).toEqual([
      [1, 'transient', 503],
      [2, 'transient', 502],
    ])
    // A new date, so a new signature, for every attempt; each one valid.
    const dates = server.requests.map((r) => r.headers['x-amz-date'])
    expect(new Set(dates).size).toBe(3)
    expect(new Set(server.requests.map((r) => r.headers.authorization)).size).toBe(3)
    await everySignatureValid()
  })

  it('gives up after maxAttempts with the last error, attempts counted', async () => {
    const { client } = testClient()
    server.fallback = jsonError(500, 'InternalServerError', 'still broken')
    const error = await rejection(client.fetch(server.url, getItem()))
    expect(error).toBeInstanceOf(AwsError)
    expect(error.code).toBe('ERR_AWS')
    expect(error).toMatchObject({ status: 500, awsCode: 'InternalServerError', attempts: 3, requestId: 'req-500' })
    expect(server.requests).toHaveLength(3)
  })

  it('honours maxAttempts from the client and from the request', async () => {
    server.fallback = { status: 503 }
    const five = testClient({ retry: { maxAttempts: 5 } })
    expect((await rejection(five.client.fetch(server.url, getItem()))).code).toBe('ERR_AWS')
    expect(server.requests).toHaveLength(5)
    expect(five.delays).toEqual([100, 200, 400, 800])
    server.reset()
    server.fallback = { status: 503 }
    await rejection(five.client.fetch(server.url, { ...getItem(), maxAttempts: 1 }))
    expect(server.requests).toHaveLength(1)
    server.reset()
    server.fallback = { status: 503 }
    await rejection(testClient({ retry: false }).client.fetch(server.url, getItem()))
    expect(server.requests).toHaveLength(1)
  })

  it('keeps every wait within the full-jitter bounds, capped by maxDelay', async () => {
    for (const random of [0, 0.25, 0.999999]) {
      server.reset()
      server.fallback = { status: 500 }
      const { client, events } = testClient({ retry: { maxAttempts: 10, random: () => random, maxDelay: 5000 } })
      await rejection(client.fetch(server.url, getItem()))
      const delays = events.map((event) => event.delay)
      expect(delays).toHaveLength(9)
      delays.forEach((delay, i) => {
        const bound = Math.min(5000, 100 * 2 ** (i + 1))
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(bound)
        expect(delay).toBe(Math.floor(random * bound))
      })
    }
  })

  it('backs off from 500 ms after throttling: 429, ThrottlingException, SlowDown', async () => {
    server.script(
      jsonError(400, 'ThrottlingException', 'Rate exceeded'),
      { status: 429, body: '' },
      { status: 503, body: '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>' },
    )
    const wide = testClient({ retry: { maxAttempts: 4 } })
    expect((await wide.client.fetch(server.url, getItem())).status).toBe(200)
    expect(wide.delays).toEqual([500, 1000, 2000])
    expect(wide.events.map((e) => e.kind)).toEqual(['throttling', 'throttling', 'throttling'])
  })

  it('retries the throttling of a query service answering in JSON (`{"Error":{"Code":...}}`)', async () => {
    server.script({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"},"RequestId":"r1"}',
    })
    const { client, events } = testClient({ service: 'sts' })
    const response = await client.fetch(server.url, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ Action: 'GetCallerIdentity', Version: '2011-06-15' }),
    })
    expect(response.status).toBe(200)
    expect(server.requests).toHaveLength(2)
    expect(events.map((e) => [e.kind, (e.error as AwsError).awsCode])).toEqual([['throttling', 'Throttling']])
  })

  it('honours Retry-After (seconds or HTTP date) and x-amz-retry-after (ms)', async () => {
    const { client, delays } = testClient()
    server.script(
      { status: 503, headers: { 'retry-after': '3' } },
      { status: 429, headers: { 'x-amz-retry-after': '1500' } },
    )
    await client.fetch(server.url, getItem())
    expect(delays).toEqual([3000, 1500])

    const date = testClient()
    server.script({ status: 503, headers: { 'retry-after': new Date(Date.now() + 4000).toUTCString() } })
    await date.client.fetch(server.url, getItem())
    expect(date.delays[0]).toBeGreaterThan(2000) // whole seconds in HTTP dates
    expect(date.delays[0]).toBeLessThanOrEqual(5000)

    // Shorter than the backoff: the backoff wins.
    const short = testClient()
    server.script({ status: 503, headers: { 'retry-after': '0' } })
    await short.client.fetch(server.url, getItem())
    expect(short.delays).toEqual([100])
  })

  it('does not wait for a Retry-After beyond maxDelay: throws it instead', async () => {
    const { client } = testClient()
    server.script({ status: 503, headers: { 'retry-after': '120' } })
    const error = (await rejection(client.fetch(server.url, getItem()))) as AwsError
    expect(error).toMatchObject({ awsCode: 'ServiceUnavailable', retryAfter: 120_000, attempts: 1 })
    expect(server.requests).toHaveLength(1)
  })

  it('does not retry client errors', async () => {
    const { client } = testClient()
    server.fallback = jsonError(400, 'ValidationException', 'One or more parameter values were invalid')
    const error = (await rejection(client.fetch(server.url, getItem()))) as AwsError
    expect(error).toMatchObject({ status: 400, awsCode: 'ValidationException', attempts: 1 })
    expect(server.requests).toHaveLength(1)
  })

  it('retries transient error codes whatever the status', async () => {
    const { client } = testClient()
    server.script(jsonError(400, 'RequestTimeoutException', 'timed out'))
    expect((await client.fetch(server.url, getItem())).status).toBe(200)
    expect(server.requests).toHaveLength(2)
  })

  it('stops retrying when the retry quota is spent, and refills it on success', async () => {
    const { client } = testClient({ retry: { quota: 10 } })
    server.fallback = { status: 503 }
    await rejection(client.fetch(server.url, getItem()))
    expect(server.requests).toHaveLength(3) // two retries, 5 tokens each
    expect(client.retryQuota?.available).toBe(0)
    await rejection(client.fetch(server.url, getItem()))
    expect(server.requests).toHaveLength(4) // no tokens: no retry
    server.fallback = { status: 200, body: '{}' }
    await client.fetch(server.url, getItem())
    expect(client.retryQuota?.available).toBe(1) // a success without retries gives back 1
    server.script({ status: 503 })
    await rejection(client.fetch(server.url, getItem())) // 1 token: not enough for a retry
    expect(client.retryQuota?.available).toBe(1)
  })
})

describe('network failures, timeouts and abort', () => {
  it('retries a connection reset, then succeeds', async () => {
    const { client, events } = testClient()
    server.script({ reset: true })
    expect((await client.fetch(server.url, getItem())).status).toBe(200)
    expect(server.requests).toHaveLength(2)
    expect(events[0]?.kind).toBe('transient')
    expect(events[0]?.error).toBeInstanceOf(NetworkError)
  })

  it('throws a NetworkError with the cause after the last reset', async () => {
    const { client } = testClient()
    server.fallback = { reset: true }
    const error = await rejection(client.fetch(server.url, getItem()))
    expect(error).toBeInstanceOf(NetworkError)
    expect(error).toMatchObject({ code: 'ERR_NETWORK', attempts: 3, method: 'POST' })
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.message).not.toContain(credentials.secretAccessKey)
  })

  it('times out slow responses, retries them, and throws a TimeoutError at the end', async () => {
    // Generous margins both ways, for loaded CI machines: 250 ms allowed, 2 s taken.
    const slow = { delay: 2000, action: { status: 200, body: '{}' } }
    const { client, events } = testClient({ timeout: 250 })
    server.script(slow)
    const started = Date.now()
    expect((await client.fetch(server.url, getItem())).status).toBe(200)
    expect(events.map((e) => e.kind)).toEqual(['timeout'])
    expect(events[0]?.error).toBeInstanceOf(TimeoutError)

    server.reset()
    server.fallback = slow
    const error = await rejection(client.fetch(server.url, { ...getItem(), maxAttempts: 2 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT', timeout: 250, attempts: 2 })
    expect(server.requests).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(1900) // three timeouts of 250 ms, not one 2 s response
  })

  it('a timeout takes 10 quota tokens', async () => {
    const { client } = testClient({ timeout: 50, retry: { quota: 12 } })
    server.fallback = { delay: 300, action: { status: 200 } }
    await rejection(client.fetch(server.url, getItem()))
    expect(server.requests).toHaveLength(2)
    expect(client.retryQuota?.available).toBe(2)
  })

  it('rejects with the signal reason when aborted mid-request, without retrying', async () => {
    const { client } = testClient({ timeout: 5000 })
    server.fallback = { hang: true }
    const controller = new AbortController()
    const pending = client.fetch(server.url, { ...getItem(), signal: controller.signal })
    setTimeout(() => controller.abort(new Error('user gave up')), 50)
    const error = await rejection(pending)
    expect(error.message).toBe('user gave up')
    expect(server.requests).toHaveLength(1)
  })

  it('leaves no listener on the caller signal after requests with a timeout, and still aborts the body', async () => {
    const { client } = testClient({ timeout: 5000 })
    const app = new AbortController() // one signal for the whole app, passed to every request
    for (let i = 0; i < 20; i++) {
      const response = await client.fetch(server.url, { ...getItem(), signal: app.signal })
      await response.text()
    }
    server.script(jsonError(400, 'ValidationException', 'bad'))
    expect(await rejection(client.fetch(server.url, { ...getItem(), signal: app.signal }))).toBeInstanceOf(AwsError)
    server.script({ reset: true })
    const quiet = testClient({ timeout: 5000, retry: false }).client
    expect(await rejection(quiet.fetch(server.url, { ...getItem(), signal: app.signal }))).toBeInstanceOf(NetworkError)
    expect(getEventListeners(app.signal, 'abort')).toHaveLength(0)

    // Aborting after the headers still stops the body download.
    const slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.write('first part')
    })
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
    try {
      const controller = new AbortController()
      const response = await client.fetch(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, {
        ...getItem(),
        signal: controller.signal,
      })
      expect(response.status).toBe(200)
      const reading = response.text()
      setTimeout(() => controller.abort(new Error('user gave up')), 20)
      await expect(reading).rejects.toThrow('user gave up')
    } finally {
      slow.closeAllConnections()
      await new Promise((resolve) => slow.close(resolve))
    }
  })

  it('rejects at once during a backoff wait when aborted, and sends nothing with an aborted signal', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 'dynamodb', retry: { baseDelay: 60_000 } })
    server.fallback = { status: 503 }
    const controller = new AbortController()
    const started = Date.now()
    const pending = client.fetch(server.url, { ...getItem(), signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    const error = await rejection(pending)
    expect(error.name).toBe('AbortError')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(server.requests).toHaveLength(1)

    await rejection(client.fetch(server.url, { ...getItem(), signal: AbortSignal.abort() }))
    expect(server.requests).toHaveLength(1)
  })

  it('rejects at once when aborted while a credentials provider is slow, leaving no listener', async () => {
    let release: (() => void) | undefined
    const slow = () =>
      new Promise<Credentials>((resolve) => {
        release = () => resolve(credentials)
      })
    const client = createClient({ credentials: slow, region: 'us-east-1', service: 'dynamodb' })
    const controller = new AbortController()
    const pending = client.fetch(server.url, { ...getItem(), signal: controller.signal })
    setTimeout(() => controller.abort(new Error('stop')), 50)
    const outcome = await Promise.race([
      pending.then(
        () => 'sent',
        (error: Error) => error.message,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting for credentials'), 2000)),
    ])
    release?.()
    expect(outcome).toBe('stop')
    expect(server.requests).toHaveLength(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    // Once answered, a provider leaves nothing on a signal that lives on.
    const lasting = new AbortController()
    const quick = createClient({ credentials: async () => credentials, region: 'us-east-1', service: 'dynamodb' })
    await quick.fetch(server.url, { ...getItem(), signal: lasting.signal })
    expect(getEventListeners(lasting.signal, 'abort')).toHaveLength(0)
  })
})

describe('bodies that cannot be replayed', () => {
  const stream = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text))
        controller.close()
      },
    })

  it('sends a stream once, and throws BodyNotReplayableError instead of retrying it', async () => {
    const { client } = testClient({ service: 's3' })
    server.fallback = { status: 503, headers: { 'x-amz-request-id': 'R1' } }
    const error = await rejection(
      client.fetch(`${server.url}/bucket/key`, {
        method: 'PUT',
        body: stream('streamed'),
        payloadHash: 'UNSIGNED-PAYLOAD',
      }),
    )
    expect(error).toBeInstanceOf(BodyNotReplayableError)
    expect(error.code).toBe('ERR_BODY_NOT_REPLAYABLE')
    expect(error.cause).toBeInstanceOf(AwsError)
    expect((error.cause as AwsError).status).toBe(503)
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.body.toString()).toBe('streamed')
  })

  it('with throwOnError: false, returns the retryable error response of a stream instead of throwing', async () => {
    const { client } = testClient({ service: 's3', throwOnError: false })
    server.fallback = {
      status: 503,
      body: '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
    }
    const response = await client.fetch(`${server.url}/b/k`, {
      method: 'PUT',
      body: stream('streamed'),
      payloadHash: 'UNSIGNED-PAYLOAD',
    })
    expect(response.status).toBe(503)
    expect(await response.text()).toContain('<Code>SlowDown</Code>')
    expect(server.requests).toHaveLength(1)
  })

  it('cancels the response body before throwing BodyNotReplayableError', async () => {
    // throwOnError: false, but the error body timed out: a TimeoutError, which is not returned.
    let returned: Response | undefined
    const { client } = testClient({
      service: 's3',
      timeout: 50,
      throwOnError: false,
      fetch: async (_url, init) => {
        const signal = init.signal
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('<Error><Code>SlowDown</Code>'))
            signal?.addEventListener('abort', () => controller.error(signal.reason))
          },
        })
        returned = new Response(body, { status: 503 })
        return returned
      },
    })
    const error = await rejection(
      client.fetch('https://b.s3.amazonaws.com/k', {
        method: 'PUT',
        body: stream('x'),
        payloadHash: 'UNSIGNED-PAYLOAD',
      }),
    )
    expect(error).toBeInstanceOf(BodyNotReplayableError)
    expect(error.cause).toBeInstanceOf(TimeoutError)
    expect(returned?.bodyUsed).toBe(true)

    // throwOnError: true, with a response whose text() leaves its body alone.
    let cancelled = 0
    const text = async () => '<Error><Code>SlowDown</Code></Error>'
    const strict = createClient<ResponseLike & { body: { cancel(): Promise<void> } }>({
      credentials,
      region: 'us-east-1',
      service: 's3',
      retry: { sleep: async () => {} },
      fetch: async () => ({
        status: 503,
        statusText: 'Service Unavailable',
        headers: new Headers(),
        body: {
          cancel: async () => {
            cancelled++
          },
        },
        text,
        clone: () => ({ text }),
      }),
    })
    const thrown = await rejection(
      strict.fetch('https://b.s3.amazonaws.com/k', {
        method: 'PUT',
        body: stream('x'),
        payloadHash: 'UNSIGNED-PAYLOAD',
      }),
    )
    expect(thrown).toBeInstanceOf(BodyNotReplayableError)
    expect((thrown.cause as AwsError).awsCode).toBe('SlowDown')
    expect(cancelled).toBe(1)
  })

  it('a stream that succeeds, or fails for good, is not an error of its own', async () => {
    const { client } = testClient({ service: 's3' })
    const ok = await client.fetch(`${server.url}/b/k`, {
      method: 'PUT',
      body: stream('x'),
      payloadHash: 'UNSIGNED-PAYLOAD',
    })
    expect(ok.status).toBe(200)
    server.script({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>no</Message></Error>' })
    const error = await rejection(
      client.fetch(`${server.url}/b/k`, { method: 'PUT', body: stream('x'), payloadHash: 'UNSIGNED-PAYLOAD' }),
    )
    expect(error).toBeInstanceOf(AwsError)
    expect((error as AwsError).awsCode).toBe('AccessDenied')
  })

  it('requires a payload hash for a stream', async () => {
    const { client } = testClient({ service: 's3' })
    const error = await rejection(client.fetch(`${server.url}/b/k`, { method: 'PUT', body: stream('x') }))
    expect(error).toBeInstanceOf(InvalidInputError)
    expect((error as InvalidInputError).field).toBe('payloadHash')
    expect(server.requests).toHaveLength(0)
  })

  it('retries a stream made anew by a function for each attempt', async () => {
    const { client } = testClient({ service: 's3' })
    server.script({ status: 500 })
    let made = 0
    const response = await client.fetch(`${server.url}/b/k`, {
      method: 'PUT',
      body: () => {
        made++
        return stream(`attempt ${made}`)
      },
      payloadHash: 'UNSIGNED-PAYLOAD',
    })
    expect(response.status).toBe(200)
    expect(server.requests.map((r) => r.body.toString())).toEqual(['attempt 1', 'attempt 2'])
    await everySignatureValid()
  })

  it('sends the same bytes, signed, on every attempt of a function that returns FormData', async () => {
    const { client } = testClient({ service: 'execute-api' })
    server.script({ status: 503 })
    const response = await client.fetch(`${server.url}/form`, {
      method: 'POST',
      // Each FormData serialises with a boundary of its own: hashed from the first, the next must not differ.
      body: () => {
        const form = new FormData()
        form.append('field', 'value')
        return form
      },
    })
    expect(response.status).toBe(200)
    expect(server.requests).toHaveLength(2)
    const [first, second] = server.requests
    expect(second?.body.toString()).toBe(first?.body.toString())
    expect(second?.headers['content-type']).toBe(first?.headers['content-type'])
    expect(String(first?.headers['content-type'])).toContain(first?.body.toString().slice(2, 20))
    await everySignatureValid()
  })
})

describe('clock skew', () => {
  const skewed = (
    offset: number,
    code = 'RequestTimeTooSkewed',
    message = 'The difference between the request time and the current time is too large.',
  ) => ({
    status: 403,
    headers: { date: new Date(Date.now() + offset).toUTCString(), 'content-type': 'application/xml' },
    body: `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R</RequestId></Error>`,
  })

  it('takes the offset from Date, keeps it, re-signs and retries once', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: { sleep: async () => {} } })
    const hour = 60 * 60 * 1000
    server.script(skewed(hour))
    const response = await client.fetch(`${server.url}/b/k`)
    expect(response.status).toBe(200)
    expect(server.requests).toHaveLength(2)
    expect(Math.abs(client.clockOffset - hour)).toBeLessThan(3000)
    const [first, second] = server.requests.map((r) => parseAmzDate(String(r.headers['x-amz-date'])).getTime())
    expect(Math.abs((first as number) - Date.now())).toBeLessThan(5000)
    expect(Math.abs((second as number) - (Date.now() + hour))).toBeLessThan(5000)
    await everySignatureValid()
    // The next request is signed with the corrected clock from the start.
    await client.fetch(`${server.url}/b/k`)
    expect(server.requests).toHaveLength(3)
    expect(
      Math.abs(parseAmzDate(String(server.requests[2]?.headers['x-amz-date'])).getTime() - (Date.now() + hour)),
    ).toBeLessThan(5000)
  })

  it('retries once only, even with retries off', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: false })
    server.fallback = skewed(-2 * 60 * 60 * 1000)
    const error = (await rejection(client.fetch(`${server.url}/b/k`))) as AwsError
    expect(error.awsCode).toBe('RequestTimeTooSkewed')
    expect(error.attempts).toBe(2)
    expect(server.requests).toHaveLength(2)
  })

  it('corrects an expired InvalidSignatureException (JSON protocols)', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 'dynamodb', clockOffset: -30 * 60 * 1000 })
    server.script(
      jsonError(
        400,
        'InvalidSignatureException',
        'Signature expired: 20240115T113000Z is now earlier than 20240115T115500Z (20240115T120000Z - 5 min.)',
        {
          date: new Date().toUTCString(),
        },
      ),
    )
    expect((await client.fetch(server.url, getItem())).status).toBe(200)
    expect(Math.abs(client.clockOffset)).toBeLessThan(3000)
  })

  it('does not retry a SignatureDoesNotMatch when the clocks agree', async () => {
    const { client } = testClient({ now: Date.now, service: 's3' })
    server.fallback = skewed(
      0,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    )
    const error = (await rejection(client.fetch(`${server.url}/b/k`))) as AwsError
    expect(error.awsCode).toBe('SignatureDoesNotMatch')
    expect(server.requests).toHaveLength(1)
  })

  it('keeps its clock when the Date header is not an HTTP date (a proxy writing `0`)', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: { sleep: async () => {} } })
    server.fallback = {
      ...skewed(0, 'SignatureDoesNotMatch', 'The request signature we calculated does not match.'),
      headers: { date: '0', 'content-type': 'application/xml' },
    }
    const error = (await rejection(client.fetch(`${server.url}/b/k`))) as AwsError
    expect(error.awsCode).toBe('SignatureDoesNotMatch')
    expect(server.requests).toHaveLength(1)
    expect(client.clockOffset).toBe(0)
    // The next request is signed on the local clock, not on 2000-01-01.
    server.reset()
    await client.fetch(`${server.url}/b/k`)
    expect(
      Math.abs(parseAmzDate(String(server.requests[0]?.headers['x-amz-date'])).getTime() - Date.now()),
    ).toBeLessThan(5000)
  })

  it('can be turned off', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', correctClockSkew: false })
    server.fallback = skewed(60 * 60 * 1000)
    await rejection(client.fetch(`${server.url}/b/k`))
    expect(server.requests).toHaveLength(1)
    expect(client.clockOffset).toBe(0)
  })

  it('signs and presigns with the corrected clock', async () => {
    const client = createClient({ credentials, region: 'us-east-1', service: 's3', clockOffset: 24 * 60 * 60 * 1000 })
    const signed = await client.sign(`${server.url}/b/k`)
    const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10).replace(/-/g, '')
    expect(signed.headers['x-amz-date']?.slice(0, 8)).toBe(tomorrow)
    const url = await client.presign(`${server.url}/b/k`, { expiresIn: 60 })
    expect(new URL(url).searchParams.get('X-Amz-Date')?.slice(0, 8)).toBe(tomorrow)
  })
})

describe('S3 SignatureDoesNotMatch', () => {
  it('shows a diff of our canonical request against the one S3 computed, token redacted', async () => {
    const session = { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' }
    const client = createClient({ credentials: session, region: 'us-east-1', service: 's3' })
    server.fallback = (request) => {
      const date = String(request.headers['x-amz-date'])
      const canonical = [
        'GET',
        '/bucket/a+b.txt', // what a proxy that decoded the path would make S3 see
        '',
        `host:${new URL(server.url).host}`,
        `x-amz-content-sha256:${request.headers['x-amz-content-sha256']}`,
        `x-amz-date:${date}`,
        `x-amz-security-token:${session.sessionToken}`,
        '',
        'host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
        String(request.headers['x-amz-content-sha256']),
      ].join('\n')
      return {
        status: 403,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ1', 'x-amz-id-2': 'HOST2' },
        body: `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256
${date}
${date.slice(0, 8)}/us-east-1/s3/aws4_request
0000000000000000000000000000000000000000000000000000000000000000</StringToSign><SignatureProvided>abc</SignatureProvided><StringToSignBytes>41 57 53</StringToSignBytes><CanonicalRequest>${canonical}</CanonicalRequest><CanonicalRequestBytes>47 45 54</CanonicalRequestBytes><RequestId>REQ1</RequestId><HostId>HOST2</HostId></Error>`,
      }
    }
    const error = (await rejection(client.fetch(`${server.url}/bucket/a%20b.txt`))) as AwsError
    expect(error).toMatchObject({
      awsCode: 'SignatureDoesNotMatch',
      status: 403,
      requestId: 'REQ1',
      extendedRequestId: 'HOST2',
    })
    expect(error.signatureDiff).toContain('- /bucket/a%20b.txt')
    expect(error.signatureDiff).toContain('+ /bucket/a+b.txt')
    expect(error.signatureDiff).not.toMatch(/^ {2}[-+] GET/m)
    expect(error.canonicalRequest).toContain('x-amz-security-token:[redacted]')
    for (const text of [error.message, error.body, error.canonicalRequest, JSON.stringify(error.headers)]) {
      expect(text).not.toContain(session.sessionToken)
      expect(text).not.toContain(session.secretAccessKey)
    }
  })
})

describe('error bodies that are huge or never end', () => {
  /** A 500 whose body opens with an AWS error, then pads 64 KiB chunks and never ends (a proxy's endless page). */
  function endlessErrorBody() {
    let cancelled = false
    let sent = 0
    const head = new TextEncoder().encode('<Error><Code>InternalError</Code><Message>busy</Message></Error>')
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head)
        else if (sent < 4) controller.enqueue(new Uint8Array(64 * 1024).fill(0x20))
        else return new Promise<void>(() => {}) // 256 KiB in, it stalls: only a read that stops early returns
        sent++
      },
      cancel() {
        cancelled = true
      },
    })
    return { body, cancelled: () => cancelled, sent: () => sent }
  }
  const stalled = (promise: Promise<unknown>) =>
    Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('still reading the body'), 2000))])

  it('reads at most 64 KiB of an error body, cancels the rest, and still throws the AwsError', async () => {
    const source = endlessErrorBody()
    const client = createClient({
      credentials,
      region: 'us-east-1',
      service: 's3',
      retry: false,
      fetch: async () => new Response(source.body, { status: 500, headers: { 'x-amz-request-id': 'R1' } }),
    })
    const error = (await stalled(client.fetch('https://b.s3.amazonaws.com/k').catch((e: unknown) => e))) as AwsError
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({ awsCode: 'InternalError', awsMessage: 'busy', status: 500, requestId: 'R1' })
    expect(error.body?.length).toBeLessThanOrEqual(64 * 1024)
    expect(source.cancelled()).toBe(true)
    expect(source.sent()).toBeLessThan(4)
  })

  it('parses 64 KiB of an error body that arrives as one big chunk, not the whole chunk', async () => {
    // 660 KB of unclosed tags in one chunk: read whole, the lenient XML reader takes seconds on it.
    const chunk = new TextEncoder().encode('<Code>'.repeat(110_000))
    const client = createClient({
      credentials,
      region: 'us-east-1',
      service: 's3',
      retry: false,
      fetch: async () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(chunk)
              controller.close()
            },
          }),
          { status: 500 },
        ),
    })
    const started = performance.now()
    const error = (await rejection(client.fetch('https://b.s3.amazonaws.com/k'))) as AwsError
    expect(performance.now() - started).toBeLessThan(1500)
    expect(error).toMatchObject({ awsCode: 'InternalError', status: 500 })
    expect(error.body).toHaveLength(64 * 1024)
  })

  it('with throwOnError: false, returns the response with its whole body after reading a prefix of a copy', async () => {
    const big = `<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>${' '.repeat(300 * 1024)}`
    const client = createClient({
      credentials,
      region: 'us-east-1',
      service: 's3',
      retry: false,
      throwOnError: false,
      fetch: async () => new Response(big, { status: 404 }),
    })
    const response = await client.fetch('https://b.s3.amazonaws.com/k')
    expect(response.status).toBe(404)
    expect(await response.text()).toBe(big)
  })

  it('stops reading an endless error body over the default transport (node:http)', async () => {
    const { createServer: createHttpServer } = await import('node:http')
    let closed = false
    const endless = createHttpServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' })
      res.write('<html><body>Service Unavailable</body></html>')
      const timer = setInterval(() => res.write(' '.repeat(16 * 1024)), 5)
      res.on('close', () => {
        clearInterval(timer)
        closed = true
      })
    })
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = endless.address() as AddressInfo
      const client = createClient({ credentials, region: 'us-east-1', service: 's3', retry: false })
      const error = (await stalled(client.fetch(`http://127.0.0.1:${port}/b/k`).catch((e: unknown) => e))) as AwsError
      expect(error).toBeInstanceOf(AwsError)
      expect(error).toMatchObject({ awsCode: 'ServiceUnavailable', status: 503 })
      await expect.poll(() => closed, { timeout: 2000 }).toBe(true)
    } finally {
      endless.closeAllConnections()
      await new Promise((resolve) => endless.close(resolve))
    }
  })
})

describe('S3 errors in a 200 answer (CopyObject, UploadPartCopy, CompleteMultipartUpload)', () => {
  const xml = (body: string) =>
    new Response(body, { status: 200, headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'R200' } })
  const failed =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>copy failed</Message></Error>'
  const copied = '<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>'

  function s3Client(answers: string[], options: Partial<ClientOptions> = {}) {
    const calls: string[] = []
    const { client, events } = testClient({
      service: 's3',
      ...options,
      fetch: async (url, init) => {
        calls.push(`${init?.method} ${url}`)
        return xml(answers[Math.min(calls.length, answers.length) - 1] as string)
      },
    })
    return { client, calls, events }
  }

  it('retries a CopyObject answered 200 with a transient error document, then returns the result', async () => {
    const { client, calls, events } = s3Client([failed, copied])
    const response = await client.fetch('https://b.s3.amazonaws.com/dst', {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/b/src' },
    })
    expect(calls).toHaveLength(2)
    expect(events.map((e) => (e.error as AwsError).awsCode)).toEqual(['InternalError'])
    expect(await response.text()).toBe(copied)
  })

  it('throws the AwsError of a CompleteMultipartUpload answered 200 with an error document', async () => {
    const denied = '<Error><Code>AccessDenied</Code><Message>no</Message><RequestId>R9</RequestId></Error>'
    const { client, calls } = s3Client([denied])
    const error = await rejection(
      client.fetch('https://b.s3.amazonaws.com/k?uploadId=u1', { method: 'POST', body: '<CompleteMultipartUpload/>' }),
    )
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({ awsCode: 'AccessDenied', awsMessage: 'no', status: 200 })
    expect(calls).toHaveLength(1)
  })

  it('with throwOnError: false returns the 200 whole, its error document readable', async () => {
    const denied = '<Error><Code>AccessDenied</Code><Message>no</Message></Error>'
    const { client } = s3Client([denied], { throwOnError: false })
    const response = await client.fetch('https://b.s3.amazonaws.com/dst', {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/b/src' },
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(denied)
  })

  it('leaves other 200s alone: a GET of an object that holds an error document, another service', async () => {
    const get = s3Client([failed])
    expect(await (await get.client.fetch('https://b.s3.amazonaws.com/error.xml')).text()).toBe(failed)
    const sqs = s3Client([failed], { service: 'sqs' })
    const response = await sqs.client.fetch('https://sqs.us-east-1.amazonaws.com/', {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/b/src' },
    })
    expect(await response.text()).toBe(failed)
    expect(get.calls.length + sqs.calls.length).toBe(2)
  })
})
