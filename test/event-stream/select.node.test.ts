// A real streaming response: S3 SelectObjectContent against moto_server, which verifies our signature
// and writes its own event-stream frames. Through plain fetch + sign and through client.fetch.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { createClient } from '../../src/client/index.js'
import { AwsError } from '../../src/errors.js'
import { decodeEventStream, selectObjectContentEvents, selectObjectContentText } from '../../src/event-stream/index.js'
import { sign } from '../../src/sign/sign.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

let moto: Moto | null = null
const BUCKET = 'select-bucket'
// (moto's PartiQL parser takes a lower-case `s3object` with an alias, and no final newline.)
const CSV = 'name,city\nAda,London\nGrace,Arlington\nLinus,Helsinki'

const selectXml = (expression: string) => `<?xml version="1.0" encoding="UTF-8"?>
<SelectObjectContentRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Expression>${expression}</Expression>
  <ExpressionType>SQL</ExpressionType>
  <InputSerialization><CSV><FileHeaderInfo>USE</FileHeaderInfo></CSV></InputSerialization>
  <OutputSerialization><JSON><RecordDelimiter>\n</RecordDelimiter></JSON></OutputSerialization>
</SelectObjectContentRequest>`

beforeAll(async () => {
  moto = await startMoto()
  if (moto === null) return
  for (const [method, path, body] of [
    ['PUT', `/${BUCKET}`, undefined],
    ['PUT', `/${BUCKET}/people.csv`, CSV],
  ] as const) {
    const signed = await sign({
      method,
      url: moto.endpoint + path,
      body,
      service: 's3',
      region: moto.region,
      credentials: moto.credentials,
    })
    const response = await fetch(signed.url, { method, headers: signed.headers, body: body ?? null })
    if (!response.ok) throw new Error(`setup ${method} ${path}: HTTP ${response.status} ${await response.text()}`)
  }
})

afterAll(async () => {
  await stopAllMoto()
})

function server(ctx: TestContext): Moto {
  if (moto === null) ctx.skip('moto_server is not installed')
  return moto as Moto
}

describe('S3 SelectObjectContent against moto_server', () => {
  it('plain fetch + sign: Records, Stats and End decoded from moto frames', async (ctx) => {
    const m = server(ctx)
    const body = selectXml("SELECT * FROM s3object s WHERE s.city = 'London'")
    const signed = await sign({
      method: 'POST',
      url: `${m.endpoint}/${BUCKET}/people.csv?select&select-type=2`,
      headers: { 'content-type': 'application/xml' },
      body,
      service: 's3',
      region: m.region,
      credentials: m.credentials,
    })
    const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body })
    expect(response.status).toBe(200)
    const events = []
    for await (const event of selectObjectContentEvents(response)) events.push(event)
    expect(events.map((e) => e.type)).toEqual(['Records', 'Stats', 'End'])
    const records = events[0]?.type === 'Records' ? new TextDecoder().decode(events[0].payload) : ''
    expect(
      records
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ name: 'Ada', city: 'London' }])
    const stats = events[1]?.type === 'Stats' ? events[1].details : undefined
    expect(stats?.bytesScanned).toBeGreaterThan(0)
    expect(stats?.bytesReturned).toBe(new TextEncoder().encode(records).length)
  })

  it('client.fetch: the response is one call away from its events', async (ctx) => {
    const m = server(ctx)
    const client = createClient({ credentials: m.credentials, region: m.region, service: 's3' })
    const response = await client.fetch(`${m.endpoint}/${BUCKET}/people.csv?select&select-type=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: selectXml('SELECT name FROM S3Object'),
    })
    const text = await selectObjectContentText(response)
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).name),
    ).toEqual(['Ada', 'Grace', 'Linus'])
    // The raw messages carry moto's own headers.
    const again = await client.fetch(`${m.endpoint}/${BUCKET}/people.csv?select&select-type=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: selectXml('SELECT name FROM S3Object'),
    })
    const headers = []
    for await (const message of decodeEventStream(again)) headers.push(message.headers)
    expect(headers[0]).toEqual({
      ':message-type': 'event',
      ':event-type': 'Records',
      ':content-type': 'application/octet-stream',
    })
  })

  it('a Select on a missing key: the error response is a typed AwsError', async (ctx) => {
    const m = server(ctx)
    const body = selectXml('SELECT * FROM S3Object s')
    const signed = await sign({
      method: 'POST',
      url: `${m.endpoint}/${BUCKET}/missing.csv?select&select-type=2`,
      body,
      service: 's3',
      region: m.region,
      credentials: m.credentials,
    })
    const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body })
    const error = await selectObjectContentText(response).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AwsError)
    expect((error as AwsError).awsCode).toBe('NoSuchKey')
    expect((error as AwsError).status).toBe(404)
  })
})
