// Integration: requests signed by awsig, sent with plain fetch, to moto_server, which recomputes
// every signature with botocore and answers SignatureDoesNotMatch when ours differs.
//
// Not covered here, on purpose (the differential tests against botocore, @smithy/signature-v4 and
// aws4 cover them):
// - presigned URLs: moto does not verify them (with checks on, a presigned request gets HTTP 500).
// - S3 keys with `+ = & ! ' ( ) * : ; , @ $ %` or non-ASCII, and query values with an encoded `/`:
//   moto rebuilds the canonical request from werkzeug's `request.url`, which decodes those escapes
//   (`/b/col%3Aon` becomes `/b/col:on`, `prefix=x%2F` becomes `prefix=x/`), so it rejects correct
//   signatures; botocore's own requests for such keys fail against moto in the same way.
// - `.` and `..` segments in S3 keys: fetch resolves them before sending.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { type Credentials, type SignOptions, sign } from '../../src/index.js'
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

type Request = Omit<SignOptions, 'region' | 'credentials' | 'url'> & { path?: string; credentials?: Credentials }

/** Signs with awsig and sends with fetch, exactly as a user would. */
async function send(m: Moto, { path = '/', credentials = m.credentials, ...options }: Request): Promise<Response> {
  const signed = await sign({ ...options, url: m.endpoint + path, region: m.region, credentials })
  const body = options.body === undefined || options.body === null ? null : (options.body as BodyInit)
  return fetch(signed.url, { method: signed.method, headers: signed.headers, body })
}

// moto checks a form body's hash after re-encoding the parsed parameters with Python's urlencode, so
// the body must be encoded the same way: RFC 3986 unreserved characters kept, space as `+`.
// (URLSearchParams leaves `*` raw and encodes `~`: AWS accepts that, moto rejects it.)
const formEncode = (text: string) =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')

const form = (params: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: Object.entries(params)
    .map(([key, value]) => `${formEncode(key)}=${formEncode(value)}`)
    .join('&'),
})

const json = (target: string, payload: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
  body: JSON.stringify(payload),
})

/** The AWS error code of an XML (`<Code>`) or JSON (`__type`) error body. */
function errorCode(text: string): string | undefined {
  const xml = /<Code>([^<]+)<\/Code>/.exec(text)
  if (xml) return xml[1]
  try {
    const type = (JSON.parse(text) as { __type?: string }).__type
    return type?.slice(type.lastIndexOf('#') + 1)
  } catch {
    return undefined
  }
}

async function ok(response: Response): Promise<string> {
  const text = await response.text()
  if (!response.ok) throw new Error(`HTTP ${response.status} (${errorCode(text)}): ${text}`)
  return text
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

describe('STS (query protocol)', () => {
  const getCallerIdentity = { Action: 'GetCallerIdentity', Version: '2011-06-15' }

  it('GetCallerIdentity as a POST form', async (ctx) => {
    const m = server(ctx)
    const xml = await ok(await send(m, { service: 'sts', ...form(getCallerIdentity) }))
    expect(tag(xml, 'Arn')).toBe(m.userArn)
    expect(m.userArn).toMatch(/:user\/awsig$/)
  })

  it('GetCallerIdentity as a GET with a query', async (ctx) => {
    const m = server(ctx)
    // moto hashes a request without a body as if its query parameters were a form body, unless the
    // request signs x-amz-content-sha256 (which AWS accepts from every service).
    const path = `/?${new URLSearchParams(getCallerIdentity)}`
    const xml = await ok(await send(m, { service: 'sts', path, contentHashHeader: true }))
    expect(tag(xml, 'Arn')).toBe(m.userArn)
  })
})

describe('DynamoDB (JSON 1.0 protocol)', () => {
  const table = 'awsig-items'

  it('CreateTable, PutItem, GetItem', async (ctx) => {
    const m = server(ctx)
    const dynamo = (op: string, payload: unknown) =>
      send(m, { service: 'dynamodb', ...json(`DynamoDB_20120810.${op}`, payload) }).then(ok)
    const created = JSON.parse(
      await dynamo('CreateTable', {
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    )
    expect(created.TableDescription.TableName).toBe(table)
    const item = { pk: { S: 'user#1' }, name: { S: 'Zoë ✓' }, visits: { N: '42' } }
    await dynamo('PutItem', { TableName: table, Item: item })
    const got = JSON.parse(await dynamo('GetItem', { TableName: table, Key: { pk: { S: 'user#1' } } }))
    expect(got.Item).toEqual(item)
  })
})

describe('SQS', () => {
  it('CreateQueue, SendMessage, ReceiveMessage (JSON protocol)', async (ctx) => {
    const m = server(ctx)
    const sqs = (op: string, payload: unknown) =>
      send(m, {
        service: 'sqs',
        ...json(`AmazonSQS.${op}`, payload),
      }).then(ok)
    const { QueueUrl } = JSON.parse(await sqs('CreateQueue', { QueueName: 'awsig-json' }))
    expect(QueueUrl).toMatch(/\/awsig-json$/)
    const body = 'hello from awsig: ünïcødé & <xml>'
    await sqs('SendMessage', { QueueUrl, MessageBody: body })
    const { Messages } = JSON.parse(await sqs('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 1 }))
    expect(Messages.map((message: { Body: string }) => message.Body)).toEqual([body])
  })

  it('CreateQueue, SendMessage, ReceiveMessage (query protocol)', async (ctx) => {
    const m = server(ctx)
    const sqs = (Action: string, params: Record<string, string>) =>
      send(m, { service: 'sqs', ...form({ Action, Version: '2012-11-05', ...params }) }).then(ok)
    const QueueUrl = tag(await sqs('CreateQueue', { QueueName: 'awsig-query' }), 'QueueUrl') as string
    expect(QueueUrl).toMatch(/\/awsig-query$/)
    await sqs('SendMessage', { QueueUrl, MessageBody: 'query + form = 100%' })
    const received = await sqs('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: '1' })
    expect(tag(received, 'Body')).toBe('query + form = 100%')
  })
})

describe('S3 (path style, loopback host)', () => {
  const bucket = 'awsig-bucket'
  // Written into the URL with encodeURIComponent per segment, as a caller would.
  const keys = ['a b/c~d/e?f#g/h.txt', 'deep/1/2/3/4/5/leaf.bin', 'with  two spaces', 'tilde~', 'double//slash']
  const url = (key: string) => `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
  const content = (key: string) => new Uint8Array([...new TextEncoder().encode(`content of ${key}\n`), 0, 255, 128])

  it('CreateBucket, PutObject, GetObject, ListObjectsV2', async (ctx) => {
    const m = server(ctx)
    await ok(await send(m, { service: 's3', method: 'PUT', path: `/${bucket}` }))
    for (const key of keys) {
      const body = content(key)
      await ok(
        await send(m, {
          service: 's3',
          method: 'PUT',
          path: url(key),
          headers: { 'content-type': 'application/octet-stream' },
          body,
        }),
      )
      const got = await send(m, { service: 's3', path: url(key) })
      expect(got.status, key).toBe(200)
      expect(new Uint8Array(await got.arrayBuffer()), key).toEqual(body)
    }
    const list = await ok(await send(m, { service: 's3', path: `/${bucket}?list-type=2` }))
    const listed = [...list.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1])
    expect(listed.sort()).toEqual(keys.slice().sort())
    // A query value with a space (sent as `+` by URLSearchParams, signed as %20).
    const prefixed = await ok(
      await send(m, {
        service: 's3',
        path: `/${bucket}?${new URLSearchParams({ 'list-type': '2', prefix: 'with  two' })}`,
      }),
    )
    expect([...prefixed.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1])).toEqual(['with  two spaces'])
  })

  it('PutObject with repeated metadata values that have edge whitespace (issue 8, fix 1)', async (ctx) => {
    const m = server(ctx)
    const headers = { 'x-amz-meta-m': ['one ', ' two'], 'x-amz-meta-n': ['a  b', 'c'] }
    await ok(await send(m, { service: 's3', method: 'PUT', path: url('meta.txt'), headers, body: 'm' }))
    const got = await send(m, { service: 's3', method: 'HEAD', path: url('meta.txt') })
    expect(got.status).toBe(200)
    expect(got.headers.get('x-amz-meta-m')).toBe('one,two')
  })

  it('a key written with %2F is stored, signed and read with its slash (issue 8, fix 3)', async (ctx) => {
    const m = server(ctx)
    await ok(await send(m, { service: 's3', method: 'PUT', path: `/${bucket}/escaped%2Fslash`, body: 'x' }))
    expect(await ok(await send(m, { service: 's3', path: `/${bucket}/escaped/slash` }))).toBe('x')
  })

  it('PutObject with UNSIGNED-PAYLOAD', async (ctx) => {
    const m = server(ctx)
    const body = 'not hashed'
    await ok(
      await send(m, { service: 's3', method: 'PUT', path: url('unsigned.txt'), body, payloadHash: 'UNSIGNED-PAYLOAD' }),
    )
    expect(await ok(await send(m, { service: 's3', path: url('unsigned.txt') }))).toBe(body)
  })
})

describe('session credentials from STS AssumeRole', () => {
  it('sign with the session token: STS, S3, DynamoDB', async (ctx) => {
    const m = server(ctx)
    const iam = (Action: string, params: Record<string, string>) =>
      send(m, { service: 'iam', ...form({ Action, Version: '2010-05-08', ...params }) }).then(ok)
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: m.userArn }, Action: 'sts:AssumeRole' }],
    }
    const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
    const roleArn = tag(
      await iam('CreateRole', { RoleName: 'awsig-role', AssumeRolePolicyDocument: JSON.stringify(trust) }),
      'Arn',
    )
    await iam('PutRolePolicy', {
      RoleName: 'awsig-role',
      PolicyName: 'allow-all',
      PolicyDocument: JSON.stringify(allowAll),
    })
    const assumed = await ok(
      await send(m, {
        service: 'sts',
        ...form({
          Action: 'AssumeRole',
          Version: '2011-06-15',
          RoleArn: roleArn as string,
          RoleSessionName: 'awsig-session',
        }),
      }),
    )
    const session: Credentials = {
      accessKeyId: tag(assumed, 'AccessKeyId') as string,
      secretAccessKey: tag(assumed, 'SecretAccessKey') as string,
      sessionToken: tag(assumed, 'SessionToken') as string,
    }
    expect(session.accessKeyId).toMatch(/^ASIA/)

    const identity = await ok(
      await send(m, {
        service: 'sts',
        credentials: session,
        ...form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }),
      }),
    )
    expect(tag(identity, 'Arn')).toMatch(/:assumed-role\/awsig-role\/awsig-session$/)

    await ok(await send(m, { service: 's3', method: 'PUT', path: '/awsig-session-bucket', credentials: session }))
    await ok(
      await send(m, { service: 's3', method: 'PUT', path: '/awsig-session-bucket/k', body: 'v', credentials: session }),
    )
    expect(await ok(await send(m, { service: 's3', path: '/awsig-session-bucket/k', credentials: session }))).toBe('v')

    const tables = JSON.parse(
      await ok(
        await send(m, { service: 'dynamodb', credentials: session, ...json('DynamoDB_20120810.ListTables', {}) }),
      ),
    )
    expect(Array.isArray(tables.TableNames)).toBe(true)

    // The token travels with the request: a token other than the one issued with the key is refused.
    const forged = { ...session, sessionToken: `${session.sessionToken}x` }
    const rejected = await send(m, {
      service: 'sts',
      credentials: forged,
      ...form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }),
    })
    expect(rejected.status).toBe(403)
    expect(errorCode(await rejected.text())).toBe('InvalidClientTokenId')
  })
})

describe('a wrong secret is rejected', () => {
  // The right secret with its last character changed.
  const wrong = ({ credentials }: Moto): Credentials => ({
    ...credentials,
    secretAccessKey: credentials.secretAccessKey.slice(0, -1) + (credentials.secretAccessKey.endsWith('X') ? 'Y' : 'X'),
  })

  it.for([
    ['sts', { service: 'sts', ...form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }) }],
    ['dynamodb', { service: 'dynamodb', ...json('DynamoDB_20120810.ListTables', {}) }],
    ['s3', { service: 's3', path: '/' }],
    ['sqs', { service: 'sqs', ...json('AmazonSQS.ListQueues', {}) }],
  ] as const)('%s: SignatureDoesNotMatch', async ([, request], ctx) => {
    const m = server(ctx)
    const response = await send(m, { ...request, credentials: wrong(m) })
    expect(response.status).toBe(403)
    expect(errorCode(await response.text())).toBe('SignatureDoesNotMatch')
    // The same request with the right secret goes through.
    expect((await send(m, request)).status).toBe(200)
  })
})
