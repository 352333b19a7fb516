// The mock helpers: msw, nock and undici's MockAgent check every intercepted request's signature with
// known test credentials, and a request that is not correctly signed fails with a readable diff.
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import nock from 'nock'
import { MockAgent, fetch as undiciFetch } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sign } from '../../src/index.js'
import { createSignatureChecker, VerificationError } from '../../src/verify/index.js'

const credentials = { accessKeyId: 'AKIDMOCK', secretAccessKey: 'mock-secret' }
const checker = () => createSignatureChecker({ credentials, service: 's3', region: 'us-east-1' })

/** A correctly signed PUT, and the same with its path signed double-encoded (a classic S3 mistake). */
async function requests(host: string) {
  const url = `https://${host}/a%20b/c.txt`
  const good = await sign({ method: 'PUT', url, body: 'data', service: 's3', region: 'us-east-1', credentials })
  const doubled = await sign({
    method: 'PUT',
    url,
    body: 'data',
    service: 's3',
    region: 'us-east-1',
    credentials,
    doubleEncodePath: true,
  })
  const tampered = { ...good.headers, 'x-amz-meta-note': 'changed after signing' }
  return {
    url,
    good,
    doubled,
    tampered,
    wrongHeaders: { ...good.headers, 'x-amz-content-sha256': doubled.headers['x-amz-content-sha256'] },
  }
}

describe('msw', () => {
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())
  afterEach(() => server.resetHandlers())

  it('passes a correctly signed request to the resolver and explains a mistake with a diff', async () => {
    const check = checker()
    server.use(
      http.put(
        'https://msw.example.com/*',
        check.msw(() => HttpResponse.text('stored')),
      ),
    )
    const { url, good, doubled } = await requests('msw.example.com')
    const ok = await fetch(good.url, { method: 'PUT', headers: good.headers, body: 'data' })
    expect([ok.status, await ok.text()]).toEqual([200, 'stored'])
    check.assertAllSigned()
    const bad = await fetch(url, { method: 'PUT', headers: doubled.headers, body: 'data' })
    expect(bad.status).toBe(500)
    expect(check.failures).toHaveLength(1)
    const failure = check.failures[0] as VerificationError
    expect(failure.awsCode).toBe('SignatureDoesNotMatch')
    expect(failure.message).toContain('the path encoded once more (or once less) than AWS does')
    expect(failure.message).toContain('\n    PUT\n')
    expect(failure.message).toMatch(/ {2}- \/a%20b\/c\.txt\n {2}\+ \/a%2520b\/c\.txt/)
    expect(() => check.assertAllSigned()).toThrow(failure)
  })
})

describe('nock', () => {
  // nock 15's interceptors call Promise.withResolvers, which Node 20 lacks (nock says it supports 20.12).
  const withResolvers = <T>() => {
    let resolve!: (value: T) => void
    let reject!: (reason: unknown) => void
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
    Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, configurable: true, writable: true })
  }
  afterEach(() => nock.cleanAll())

  it('answers a correctly signed request and fails a changed one', async () => {
    const check = checker()
    const { good } = await requests('nock.example.com')
    nock('https://nock.example.com').put('/a%20b/c.txt').times(2).reply(check.nock(200, 'stored'))
    const ok = await fetch(good.url, { method: 'PUT', headers: good.headers, body: 'data' })
    expect([ok.status, await ok.text()]).toEqual([200, 'stored'])
    const error = await fetch(good.url, { method: 'PUT', headers: good.headers, body: 'DATA' }).then(
      async (r) => `${r.status}`,
      (e: Error) => String(e.cause ?? e),
    )
    expect(error).toContain('XAmzContentSHA256Mismatch')
    expect(check.failures.map((f) => f.code)).toEqual(['ERR_CONTENT_SHA256_MISMATCH'])
  })
})

describe('undici MockAgent', () => {
  it('checks before the mock answers; an unsigned change fails the fetch with the explanation', async () => {
    const check = checker()
    const agent = new MockAgent()
    agent.disableNetConnect()
    agent
      .get('https://undici.example.com')
      .intercept({ path: '/a%20b/c.txt', method: 'PUT' })
      .reply(200, 'stored')
      .persist()
    const dispatcher = agent.compose(check.undici())
    const { good } = await requests('undici.example.com')
    const ok = await undiciFetch(good.url, { method: 'PUT', headers: good.headers, body: 'data', dispatcher })
    expect([ok.status, await ok.text()]).toEqual([200, 'stored'])
    const wrong = await sign({
      method: 'PUT',
      url: good.url,
      body: 'data',
      service: 's3',
      region: 'us-east-1',
      credentials: { ...credentials, secretAccessKey: 'other' },
    })
    const failed = await undiciFetch(good.url, {
      method: 'PUT',
      headers: wrong.headers,
      body: 'data',
      dispatcher,
    }).then(
      () => undefined,
      (e: Error) => e.cause as VerificationError,
    )
    expect(failed).toBeInstanceOf(VerificationError)
    expect(failed?.awsCode).toBe('SignatureDoesNotMatch')
    expect(failed?.message).toContain('Canonical request AWS computes from the request received:')
    expect(failed?.message).toContain('the secret does not belong to AKIDMOCK')
    await agent.close()
  })
})
