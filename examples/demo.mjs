// A tour of awsig against a local AWS emulator that checks every signature: `npm run demo`.
// Each call below is plain `fetch` with the headers `sign` returns. No SDK.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sign, signChunked } from 'awsig'
import { createClient, send } from 'awsig/client'
import { INSTALL_HINT, launchMoto, MotoNotInstalledError } from './moto.mjs'
import { startS3Server } from './s3-server.mjs'

const run = promisify(execFile)

let moto
let stopping
const stop = () => (stopping ??= moto?.stop())
process.once('SIGINT', async () => {
  console.log('\ninterrupted, stopping moto_server...')
  await stop()
  process.exit(130)
})

// Without moto_server (or with AWSIG_DEMO_LOCAL=1) the tour runs against examples/s3-server.mjs: a local
// S3-compatible endpoint whose only authentication is awsig/verify's verifyRequest.
let local = process.env.AWSIG_DEMO_LOCAL === '1'
if (!local) {
  try {
    process.stdout.write('starting moto_server (signature checks on)... ')
    moto = await launchMoto()
    console.log(`listening on ${moto.endpoint}\n`)
  } catch (error) {
    if (!(error instanceof MotoNotInstalledError)) throw error
    console.log(`not installed (${INSTALL_HINT}).`)
    local = true
  }
}
if (local) {
  const server = await startS3Server()
  moto = { ...server, stop: () => server.close() }
  console.log(
    `\nRunning the tour against a LOCAL S3-compatible endpoint (examples/s3-server.mjs) on ${server.endpoint},\nwhose only authentication is awsig/verify's verifyRequest: every signature below is checked by awsig itself,\nnot by an independent emulator. STS, DynamoDB, SQS and the other services need moto and are skipped.\n`,
  )
}

const { endpoint, region } = moto
const rows = []

/** Signs a request with awsig, sends it with fetch, and records one row of the table. */
async function call(service, operation, { path = '/', credentials = moto.credentials, ...request }, summarise) {
  if (local && service !== 's3') return skipped(service, operation)
  const started = performance.now()
  const signed = await sign({ ...request, url: endpoint + path, service, region, credentials })
  const response = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: request.body })
  const text = await response.text()
  const ms = performance.now() - started
  const result = response.ok ? summarise(text) : (/<Code>([^<]+)</.exec(text)?.[1] ?? text.slice(0, 60))
  rows.push({ service, operation, status: response.status, result, ms })
  return text
}

/** A row for a call that needs moto (the local endpoint speaks S3 only). */
function skipped(service, operation) {
  rows.push({ service, operation, status: 'skipped', result: 'needs moto_server', ms: 0 })
  return '{}'
}

const json = (target, payload) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
  body: JSON.stringify(payload),
})
const form = (params) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
})
const tag = (xml, name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

try {
  // STS, query protocol: who am I?
  await call('sts', 'GetCallerIdentity', form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }), (xml) =>
    tag(xml, 'Arn'),
  )

  // S3, path style: a key with spaces and slashes, encoded per segment as the URL needs it.
  const bucket = 'awsig-demo'
  const key = 'reports/2024/q1 summary.txt'
  const object = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
  const content = 'Signed by awsig, verified by moto.\n'
  await call('s3', 'CreateBucket', { method: 'PUT', path: `/${bucket}` }, () => bucket)
  await call('s3', 'PutObject', { method: 'PUT', path: object, body: content }, () => `${content.length} bytes`)
  await call('s3', 'GetObject', { path: object }, (text) => (text === content ? 'same bytes back' : 'DIFFERENT'))
  await call('s3', 'ListObjectsV2', { path: `/${bucket}?list-type=2` }, (xml) =>
    [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).join(', '),
  )

  // DynamoDB, JSON protocol.
  const TableName = 'awsig-demo'
  const dynamo = (operation, payload, summarise) =>
    call('dynamodb', operation, json(`DynamoDB_20120810.${operation}`, payload), summarise)
  await dynamo(
    'CreateTable',
    {
      TableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
    (text) => JSON.parse(text).TableDescription.TableStatus,
  )
  await dynamo('PutItem', { TableName, Item: { id: { S: '42' }, name: { S: 'Ada' } } }, () => 'id=42')
  await dynamo('GetItem', { TableName, Key: { id: { S: '42' } } }, (text) => `name=${JSON.parse(text).Item.name.S}`)

  // SQS, JSON protocol.
  const sqs = (operation, payload, summarise) =>
    call('sqs', operation, json(`AmazonSQS.${operation}`, payload), summarise)
  const { QueueUrl } = JSON.parse(await sqs('CreateQueue', { QueueName: 'awsig-demo' }, (t) => JSON.parse(t).QueueUrl))
  await sqs(
    'SendMessage',
    { QueueUrl, MessageBody: 'hello, queue' },
    (t) => `id ${JSON.parse(t).MessageId.slice(0, 8)}…`,
  )
  await sqs('ReceiveMessage', { QueueUrl }, (t) => JSON.stringify(JSON.parse(t).Messages?.[0]?.Body))

  // A streamed upload: aws-chunked with a signature per 64 KiB chunk and a CRC32 trailer, read from
  // a generator as it is sent (constant memory whatever the size).
  const size = 1024 * 1024
  const pieces = async function* () {
    for (let sent = 0; sent < size; sent += 16384) yield new Uint8Array(16384).fill(sent / 16384)
  }
  {
    const started = performance.now()
    const upload = await signChunked({
      method: 'PUT',
      url: `${endpoint}/${bucket}/streamed.bin`,
      service: 's3',
      region,
      credentials: moto.credentials,
      body: pieces(),
      contentLength: size,
      checksum: 'crc32',
    })
    // send: node:http here (Node's fetch would keep the whole body in memory), fetch on Bun,
    // a FixedLengthStream on Workers.
    const response = await send(upload)
    await response.arrayBuffer()
    rows.push({
      service: 's3',
      operation: 'PutObject (aws-chunked, streamed)',
      status: response.status,
      result: `1 MiB in 16 signed chunks, ${upload.headers['x-amz-trailer']}`,
      ms: performance.now() - started,
    })
  }

  // awsig/client: retries and typed errors. A missing key becomes an AwsError with AWS's code.
  {
    const client = createClient({ credentials: moto.credentials, region })
    const started = performance.now()
    const error = await client.fetch(`${endpoint}/${bucket}/no-such-key`, { service: 's3' }).catch((e) => e)
    rows.push({
      service: 's3',
      operation: 'GetObject (client, missing key)',
      status: error.status,
      result: `${error.name} ${error.awsCode}`,
      ms: performance.now() - started,
      expectedStatus: 404,
    })
  }

  // The recipes in examples/, each a small program that calls one service with fetch + awsig.
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
  }
  delete env.AWS_SESSION_TOKEN
  const recipes = ['s3', 's3-multipart', 'sns', 'iam', 'kms', 'secrets-manager', 'ecs']
  for (const name of recipes) {
    if (local && !name.startsWith('s3')) {
      skipped(name, `recipe examples/${name}.mjs`)
      continue
    }
    const started = performance.now()
    const file = new URL(`./${name}.mjs`, import.meta.url)
    const row = { service: name, operation: `recipe examples/${name}.mjs`, status: 200, result: '', ms: 0 }
    try {
      const { stdout } = await run(process.execPath, [file.pathname], { env })
      const lines = stdout.trim().split('\n')
      row.result = lines.at(-2) ?? lines.at(-1) ?? ''
    } catch (error) {
      row.status = 'failed'
      row.result = String(error.stderr ?? error)
        .trim()
        .split('\n')
        .at(-1)
    }
    row.ms = performance.now() - started
    rows.push(row)
  }

  // The same kind of call with one wrong character in the secret: AWS (and moto) refuse it.
  const wrong = { ...moto.credentials, secretAccessKey: `${moto.credentials.secretAccessKey.slice(0, -1)}!` }
  if (local) await call('s3', 'ListBuckets (wrong secret)', { credentials: wrong }, () => 'accepted?!')
  else
    await call(
      'sts',
      'GetCallerIdentity (wrong secret)',
      { ...form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }), credentials: wrong },
      () => 'accepted?!',
    )
} finally {
  await stop()
}

const columns = [
  ['service', (r) => r.service],
  ['operation', (r) => r.operation],
  ['HTTP', (r) => String(r.status)],
  ['result', (r) => (String(r.result).length > 64 ? `${String(r.result).slice(0, 63)}…` : String(r.result))],
  ['ms', (r) => r.ms.toFixed(1)],
]
const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((r) => get(r).length)))
const line = (cells) => cells.map((cell, i) => (i === 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ')
console.log(line(columns.map(([title]) => title)))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const row of rows) console.log(line(columns.map(([, get]) => get(row))))
const expected = (r) => r.expectedStatus ?? (r.operation.includes('wrong secret') ? 403 : 200)
const failed = rows.filter((r) => r.status !== 'skipped' && r.status !== expected(r))
console.log(
  failed.length === 0
    ? `\nEvery signature checked out (and the wrong one was refused)${local ? ', verified by awsig/verify on the local endpoint (install moto for the independent check of every service)' : ''}.`
    : '\nUNEXPECTED results above.',
)
process.exitCode = failed.length === 0 ? 0 : 1
