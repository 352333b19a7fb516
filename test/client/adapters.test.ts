// Every way of sending, against moto_server with signature enforcement over real HTTP: createClient
// over the global fetch and undici's fetch, and the undici, axios, got, ky and node:http adapters. Each
// one creates a bucket, puts and gets an object whose key needs encoding, lists with a query, and makes
// a JSON and a query-protocol POST. Then 200 concurrent requests through one client and one cached
// provider.
import http from 'node:http'
import { Readable } from 'node:stream'
import axios from 'axios'
import got from 'got'
import ky from 'ky'
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { createAxiosInterceptor } from '../../src/client/adapters/axios.js'
import { createGotHook } from '../../src/client/adapters/got.js'
import { createKyHook } from '../../src/client/adapters/ky.js'
import { createNodeHttpSigner } from '../../src/client/adapters/node-http.js'
import { createUndiciInterceptor } from '../../src/client/adapters/undici.js'
import { AwsError, createClient, parseAwsError } from '../../src/client/index.js'
import { cached } from '../../src/credentials/index.js'
import { type Credentials, InvalidInputError } from '../../src/index.js'
import { awsJson, awsQuery, greedy, queryString, uriPath, xmlText, xmlTexts } from '../../src/protocols/index.js'
import { type FaultServer, signatureIsValid, startFaultServer } from '../support/fault-server.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

let moto: Moto | null = null

beforeAll(async () => {
  moto = await startMoto()
})
afterAll(async () => {
  await stopAllMoto()
})

function server(ctx: TestContext): Moto {
  if (moto === null) ctx.skip('moto_server is not installed')
  return moto as Moto
}

// Keys moto's signature check handles (see test/moto.test.ts): spaces, `~`, `?`, `#`, nested slashes;
// query values without an encoded `/`, which moto decodes before checking.
const KEY = 'dir/a b~c?d#e.txt'
const CONTENT = 'hello from awsig ✓\n'
const identity = awsQuery('GetCallerIdentity', '2011-06-15')
const listTables = awsJson('DynamoDB_20120810.ListTables', {})

/** The same checks for every adapter, through a `send` of its own. */
interface Sent {
  status: number
  text: string
}
type Send = (request: {
  service: string
  method: string
  path: string
  headers: Record<string, string>
  body: string | undefined
}) => Promise<Sent>
/** `{ body }` when there is one: `exactOptionalPropertyTypes` forbids `body: undefined`. */
const withBody = (body: string | undefined) => (body === undefined ? {} : { body })

async function exercise(m: Moto, name: string, send: Send) {
  const bucket = `awsig-${name}`
  const object = uriPath`/${bucket}/${greedy(KEY)}`
  const expectOk = (sent: Sent, what: string) => {
    if (sent.status >= 300) throw new Error(`${name} ${what}: HTTP ${sent.status}: ${sent.text}`)
  }
  expectOk(
    await send({ service: 's3', method: 'PUT', path: `/${bucket}`, headers: {}, body: undefined }),
    'CreateBucket',
  )
  expectOk(
    await send({
      service: 's3',
      method: 'PUT',
      path: object,
      body: CONTENT,
      headers: { 'content-type': 'text/plain' },
    }),
    'PutObject',
  )
  const got = await send({ service: 's3', method: 'GET', path: object, headers: {}, body: undefined })
  expectOk(got, 'GetObject')
  expect(got.text).toBe(CONTENT)
  const list = await send({
    service: 's3',
    method: 'GET',
    path: `/${bucket}${queryString({ 'list-type': 2, prefix: 'dir' })}`,
    headers: {},
    body: undefined,
  })
  expectOk(list, 'ListObjectsV2')
  expect(xmlTexts(list.text, 'Key')).toEqual([KEY])
  const who = await send({ service: 'sts', path: '/', ...identity, body: identity.body })
  expectOk(who, 'GetCallerIdentity')
  expect(xmlText(who.text, 'Arn')).toBe(m.userArn)
  const tables = await send({ service: 'dynamodb', path: '/', ...listTables, body: listTables.body })
  expectOk(tables, 'ListTables')
  expect(Array.isArray(JSON.parse(tables.text).TableNames)).toBe(true)
}

describe('createClient', () => {
  it('over the global fetch', async (ctx) => {
    const m = server(ctx)
    const client = createClient({ credentials: m.credentials, region: m.region })
    await exercise(m, 'fetch', async ({ path, body, ...init }) => {
      const response = await client.fetch(m.endpoint + path, { ...init, ...withBody(body), throwOnError: false })
      return { status: response.status, text: await response.text() }
    })
  })

  it("over undici's fetch", async (ctx) => {
    const m = server(ctx)
    const client = createClient({ credentials: m.credentials, region: m.region, fetch: undiciFetch })
    await exercise(m, 'undici-fetch', async ({ path, body, ...init }) => {
      const response = await client.fetch(m.endpoint + path, { ...init, ...withBody(body), throwOnError: false })
      return { status: response.status, text: await response.text() }
    })
  })

  it('turns a refused signature into an AwsError', async (ctx) => {
    const m = server(ctx)
    const wrong = { ...m.credentials, secretAccessKey: `${m.credentials.secretAccessKey}x` }
    const client = createClient({ credentials: wrong, region: m.region })
    for (const [service, init] of [
      ['sts', identity],
      ['dynamodb', listTables],
      ['s3', { method: 'GET' }],
    ] as const) {
      const error = await client.fetch(`${m.endpoint}/`, { service, ...init }).catch((e: unknown) => e)
      expect(error, service).toBeInstanceOf(AwsError)
      expect((error as AwsError).status).toBe(403)
      expect((error as AwsError).awsCode).toBe('SignatureDoesNotMatch')
      expect((error as AwsError).attempts).toBe(1) // the clocks agree: not a skew, not retried
    }
  })

  it('200 concurrent requests through one client, one cached provider: one credentials fetch', async (ctx) => {
    const m = server(ctx)
    let fetches = 0
    const provider = cached(async (): Promise<Credentials> => {
      fetches++
      await new Promise((resolve) => setTimeout(resolve, 20))
      return m.credentials
    })
    const client = createClient({ credentials: provider, region: m.region, service: 'dynamodb' })
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => client.fetch(`${m.endpoint}/`, listTables).then((r) => r.status)),
    )
    expect(fetches).toBe(1)
    expect(responses.filter((status) => status === 200)).toHaveLength(200)
  })
})

describe('adapters', () => {
  it('undici interceptor (request and fetch through a composed dispatcher)', async (ctx) => {
    const m = server(ctx)
    const agents: Agent[] = []
    const dispatcherFor = (service: string) => {
      const agent = new Agent()
      agents.push(agent)
      return agent.compose(createUndiciInterceptor({ credentials: m.credentials, region: m.region, service }))
    }
    try {
      await exercise(m, 'undici', async ({ service, path, method, headers, body }) => {
        const response = await undiciRequest(m.endpoint + path, {
          dispatcher: dispatcherFor(service),
          method: method as 'GET',
          headers,
          ...withBody(body),
        })
        return { status: response.statusCode, text: await response.body.text() }
      })
      // undici's fetch hands the dispatcher its body as a stream: the interceptor reads it to hash it.
      const response = await undiciFetch(`${m.endpoint}/`, {
        dispatcher: dispatcherFor('dynamodb'),
        method: 'POST',
        headers: listTables.headers,
        body: listTables.body as string,
      })
      expect(response.status).toBe(200)
    } finally {
      await Promise.all(agents.map((agent) => agent.close()))
    }
  })

  it('axios interceptor (baseURL, params, object data)', async (ctx) => {
    const m = server(ctx)
    const instances = new Map<string, ReturnType<typeof axios.create>>()
    const instanceFor = (service: string) => {
      let instance = instances.get(service)
      if (instance === undefined) {
        instance = axios.create({ baseURL: m.endpoint, validateStatus: () => true, responseType: 'text' })
        instance.interceptors.request.use(
          createAxiosInterceptor(instance, { credentials: m.credentials, region: m.region, service }),
        )
        instances.set(service, instance)
      }
      return instance
    }
    await exercise(m, 'axios', async ({ service, path, method, headers, body }) => {
      const response = await instanceFor(service).request({ url: path, method, headers, data: body ?? null })
      return { status: response.status, text: String(response.data) }
    })
    // axios's own query building (params) and JSON serialisation (an object as data) are signed too.
    const s3 = instanceFor('s3')
    const listed = await s3.get('/awsig-axios', { params: { 'list-type': 2, prefix: 'dir' } })
    expect(listed.status).toBe(200)
    expect(xmlTexts(String(listed.data), 'Key')).toEqual([KEY])
    const dynamo = instanceFor('dynamodb')
    const tables = await dynamo.post(
      '/',
      {},
      { headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' } },
    )
    expect(tables.status).toBe(200)
    const sts = instanceFor('sts')
    const who = await sts.post('/', new URLSearchParams({ Action: 'GetCallerIdentity', Version: '2011-06-15' }))
    expect(xmlText(String(who.data), 'Arn')).toBe(m.userArn)
  })

  it('got hook (prefixUrl, searchParams, json)', async (ctx) => {
    const m = server(ctx)
    const clientFor = (service: string) =>
      got.extend({
        prefixUrl: m.endpoint,
        throwHttpErrors: false,
        retry: { limit: 0 },
        hooks: { beforeRequest: [createGotHook({ credentials: m.credentials, region: m.region, service })] },
      })
    await exercise(m, 'got', async ({ service, path, method, headers, body }) => {
      const response = await clientFor(service)(path.slice(1), { method: method as 'GET', headers, ...withBody(body) })
      return { status: response.statusCode, text: response.body }
    })
    const listed = await clientFor('s3').get('awsig-got', { searchParams: { 'list-type': 2, prefix: 'dir' } })
    expect(xmlTexts(listed.body, 'Key')).toEqual([KEY])
    const tables = await clientFor('dynamodb').post('', {
      json: {},
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
    })
    expect(tables.statusCode).toBe(200)
  })

  it('ky hook (prefixUrl, searchParams, json)', async (ctx) => {
    const m = server(ctx)
    const clientFor = (service: string) =>
      ky.create({
        prefixUrl: m.endpoint,
        throwHttpErrors: false,
        retry: 0,
        hooks: { beforeRequest: [createKyHook({ credentials: m.credentials, region: m.region, service })] },
      })
    await exercise(m, 'ky', async ({ service, path, method, headers, body }) => {
      const response = await clientFor(service)(path.slice(1), { method, headers, ...withBody(body) })
      return { status: response.status, text: await response.text() }
    })
    const listed = await clientFor('s3').get('awsig-ky', { searchParams: { 'list-type': 2, prefix: 'dir' } })
    expect(xmlTexts(await listed.text(), 'Key')).toEqual([KEY])
    const tables = await clientFor('dynamodb').post('', {
      json: {},
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
    })
    expect(tables.status).toBe(200)
  })

  it('node:http signer', async (ctx) => {
    const m = server(ctx)
    const signers = new Map<string, ReturnType<typeof createNodeHttpSigner>>()
    await exercise(m, 'node-http', async ({ service, path, method, headers, body }) => {
      let signRequest = signers.get(service)
      if (signRequest === undefined) {
        signRequest = createNodeHttpSigner({ credentials: m.credentials, region: m.region, service })
        signers.set(service, signRequest)
      }
      const options = await signRequest({ url: m.endpoint + path, method, headers, ...withBody(body) })
      return new Promise<Sent>((resolve, reject) => {
        const req = http.request(options, (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            text += chunk
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        })
        req.on('error', reject)
        req.end(body)
      })
    })
  })

  it('errors from adapters parse into AwsError', async (ctx) => {
    const m = server(ctx)
    const instance = axios.create({ baseURL: m.endpoint, validateStatus: () => true, responseType: 'text' })
    instance.interceptors.request.use(
      createAxiosInterceptor(instance, { credentials: m.credentials, region: m.region, service: 's3' }),
    )
    const response = await instance.get('/awsig-missing-bucket/key')
    const error = parseAwsError({ status: response.status, headers: response.headers, body: response.data })
    expect(error.awsCode).toBe('NoSuchBucket')
    expect(error.status).toBe(404)
  })
})

// Characters moto's check cannot take (see test/moto.test.ts) checked against a loopback server that
// recomputes the signature from the request exactly as it arrived: path encoding, port, query, body.
describe('adapters sign exactly what goes on the wire', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const options = { credentials, region: 'us-east-1', service: 's3' }
  // WHATWG URL leaves `'` raw in paths; SigV4 (and so the adapters) send it as %27.
  const path = "/bucket/it's (1)*!~.txt"
  const query = '?prefix=a%20b&tag=x%2Ay'
  let fault: FaultServer
  beforeAll(async () => {
    fault = await startFaultServer()
  })
  afterAll(async () => {
    await fault.close()
  })

  const check = async (send: (url: string) => Promise<unknown>) => {
    fault.reset()
    await send(`${fault.url}${path.replace(/ /g, '%20')}${query}`)
    expect(fault.requests).toHaveLength(1)
    const [request] = fault.requests
    expect(request?.url).toBe('/bucket/it%27s%20%281%29%2A%21~.txt?prefix=a%20b&tag=x%2Ay')
    expect(request?.body.toString()).toBe('body ✓')
    expect(await signatureIsValid(request as never, fault.url, credentials)).toBe(true)
  }

  it('createClient', () =>
    check((url) =>
      createClient({ credentials, region: 'us-east-1' }).fetch(url, { service: 's3', method: 'PUT', body: 'body ✓' }),
    ))
  it('undici', async () => {
    const agent = new Agent()
    try {
      await check(async (url) => {
        const response = await undiciRequest(url, {
          method: 'PUT',
          body: 'body ✓',
          dispatcher: agent.compose(createUndiciInterceptor(options)),
        })
        await response.body.text()
      })
    } finally {
      await agent.close()
    }
  })
  it('axios', () => {
    const instance = axios.create()
    instance.interceptors.request.use(createAxiosInterceptor(instance, options))
    return check((url) => instance.put(url, 'body ✓'))
  })
  it('got', () => check((url) => got.put(url, { body: 'body ✓', hooks: { beforeRequest: [createGotHook(options)] } })))
  it('ky', () => check((url) => ky.put(url, { body: 'body ✓', hooks: { beforeRequest: [createKyHook(options)] } })))
  // Stream bodies: read into memory to be hashed, then sent as those bytes.
  const streamed = () => Readable.from([Buffer.from('body '), Buffer.from('✓')])
  it('undici, stream body', async () => {
    const agent = new Agent()
    try {
      await check(async (url) => {
        const response = await undiciRequest(url, {
          method: 'PUT',
          body: streamed(),
          dispatcher: agent.compose(createUndiciInterceptor(options)),
        })
        await response.body.text()
      })
    } finally {
      await agent.close()
    }
  })
  it("undici, request's query option (which undici appends to the path after the interceptors)", async () => {
    const agent = new Agent()
    try {
      fault.reset()
      const response = await undiciRequest(`${fault.url}/bucket/key`, {
        query: { prefix: 'a b*', tag: ["it's", 'x'], n: 1, empty: null },
        dispatcher: agent.compose(createUndiciInterceptor(options)),
      })
      await response.body.text()
      expect(response.statusCode).toBe(200)
      const [request] = fault.requests
      expect(request?.url).toBe('/bucket/key?prefix=a%20b%2A&tag=it%27s&tag=x&n=1&empty=')
      expect(await signatureIsValid(request as never, fault.url, credentials)).toBe(true)
    } finally {
      await agent.close()
    }
  })
  it('got, stream body', () =>
    check((url) => got.put(url, { body: streamed(), hooks: { beforeRequest: [createGotHook(options)] } })))
  it('axios, stream body', () => {
    const instance = axios.create()
    instance.interceptors.request.use(createAxiosInterceptor(instance, options))
    return check((url) => instance.put(url, streamed()))
  })
  it('ky with payloadHash: the body is not read, UNSIGNED-PAYLOAD is signed', async () => {
    await check((url) =>
      ky.put(url, {
        body: 'body ✓',
        hooks: { beforeRequest: [createKyHook({ ...options, payloadHash: 'UNSIGNED-PAYLOAD' })] },
      }),
    )
    expect(fault.requests[0]?.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD')
  })

  it('a signing failure fails the request, not the process', async () => {
    const bad = { ...options, credentials: { accessKeyId: 'AKID', secretAccessKey: '' } }
    const agent = new Agent()
    try {
      const error = await undiciRequest(`${fault.url}/b/k`, {
        dispatcher: agent.compose(createUndiciInterceptor(bad)),
      }).catch((e: unknown) => e)
      expect((error as InvalidInputError).field).toBe('credentials.secretAccessKey')
    } finally {
      await agent.close()
    }
    const instance = axios.create()
    instance.interceptors.request.use(createAxiosInterceptor(instance, bad))
    expect(((await instance.get(`${fault.url}/b/k`).catch((e: unknown) => e)) as InvalidInputError).code).toBe(
      'ERR_INVALID_INPUT',
    )
    expect(() => createKyHook({ ...options, region: '' })).toThrow(InvalidInputError)
    expect(() => createAxiosInterceptor({} as never, options)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'instance' }),
    )
  })

  it('node:http', () =>
    check(async (url) => {
      const requestOptions = await createNodeHttpSigner(options)({ url, method: 'PUT', body: 'body ✓' })
      await new Promise((resolve, reject) => {
        const req = http.request(requestOptions, (res) => {
          res.resume()
          res.on('end', resolve)
        })
        req.on('error', reject)
        req.end('body ✓')
      })
    }))
})
