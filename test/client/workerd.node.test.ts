// End to end in a Cloudflare Worker: test/client/fixtures/moto-worker.mjs, bundled by esbuild from the
// BUILT package with the workerd conditions (WebCrypto backend) as a Worker author bundles it, runs in
// workerd (miniflare) and calls moto_server on loopback: STS with `sign`, S3 and DynamoDB with
// `createClient`, every signature checked by moto. A second moto, without signature checks (moto does
// not check presigned URLs' signatures), takes the URLs the Worker presigns; the test recomputes them
// in Node to show they are exactly what node:crypto signs.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { presign } from '../../src/index.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'
import { runtimeBinary } from '../support/runtimes.js'

type Miniflare = import('miniflare').Miniflare

const TIMEOUT = 60_000
let enforcing: Moto | null = null
let open: Moto | null = null
let worker: Miniflare | undefined

beforeAll(async () => {
  ;[enforcing, open] = await Promise.all([startMoto(), startMoto({ enforce: false })])
}, TIMEOUT)

afterAll(async () => {
  await worker?.dispose()
  await stopAllMoto()
})

/** The Worker, started once; skips (or fails under CI) without workerd or moto_server. */
async function start(ctx: TestContext, moto: Moto | null): Promise<{ m: Moto; mf: Miniflare }> {
  runtimeBinary(ctx, 'workerd', 'end-to-end Worker test')
  if (moto === null) ctx.skip('moto_server is not installed')
  const { bundleForWeb, ROOT } = await import('../runtimes/web-bundle.mjs')
  expect(existsSync(join(ROOT, 'dist', 'index.js')), 'run `npm run build` first (`npm test` does)').toBe(true)
  if (worker === undefined) {
    const { Miniflare } = await import('miniflare')
    const { WORKERD_CONDITIONS } = await import('../runtimes/workerd.mjs')
    const script = await bundleForWeb("export { default } from './test/client/fixtures/moto-worker.mjs'", {
      conditions: WORKERD_CONDITIONS,
    })
    expect(script).not.toMatch(/from\s*["']node:/)
    worker = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
  }
  return { m: moto as Moto, mf: worker }
}

async function run(mf: Miniflare, job: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify(job) })
  const result = (await response.json()) as Record<string, unknown>
  expect(result.error).toBeUndefined()
  expect(response.status).toBe(200)
  return result
}

const KEY = 'worker/a b~c.txt'
const CONTENT = 'signed in workerd ✓'

describe('a Cloudflare Worker signs with awsig and awsig/client against moto (signatures enforced)', () => {
  it('STS GetCallerIdentity (sign), S3 PUT/GET and DynamoDB PutItem/GetItem (createClient)', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const { m, mf } = await start(ctx, enforcing)
    const base = { endpoint: m.endpoint, region: m.region, credentials: m.credentials }
    const result = await run(mf, { ...base, bucket: 'awsig-worker', key: KEY, content: CONTENT, table: 'awsig-worker' })
    expect(result.arn).toBe(m.userArn)
    expect(result.object).toBe(CONTENT)
    expect(result.item).toEqual({ pk: { S: 'worker#1' }, text: { S: CONTENT } })
  })

  it('a wrong secret comes back from the Worker as the AwsError moto answers', { timeout: TIMEOUT }, async (ctx) => {
    const { m, mf } = await start(ctx, enforcing)
    const credentials = { ...m.credentials, secretAccessKey: `${m.credentials.secretAccessKey}x` }
    const job = { endpoint: m.endpoint, region: m.region, credentials, bucket: 'b', key: 'k', content: '', table: 't' }
    const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify(job) })
    expect(response.status).toBe(500)
    // STS goes first, through `sign` and the Worker's fetch: the test fixture reports the HTTP status.
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /^GetCallerIdentity: HTTP 403: .*SignatureDoesNotMatch/s,
    )
  })
})

describe('a Cloudflare Worker presigns URLs that the test uses', () => {
  it('PUT (presign) then GET (client.presign) of an object, byte for byte what node:crypto signs', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const { m, mf } = await start(ctx, open)
    const base = { endpoint: m.endpoint, region: m.region, credentials: m.credentials }
    const { put, get } = (await run(mf, { kind: 'presign', ...base, bucket: 'awsig-presigned', key: KEY })) as {
      put: string
      get: string
    }
    for (const [method, url] of [
      ['PUT', put],
      ['GET', get],
    ] as const) {
      const query = new URL(url).searchParams
      expect(query.get('X-Amz-Credential')).toMatch(
        new RegExp(`^${m.credentials.accessKeyId}/\\d{8}/${m.region}/s3/aws4_request$`),
      )
      expect(query.get('X-Amz-Expires')).toBe('300')
      const date = query.get('X-Amz-Date') as string
      const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`
      const unsigned = url.slice(0, url.indexOf('?'))
      const again = await presign({
        method,
        url: unsigned,
        service: 's3',
        region: m.region,
        credentials: m.credentials,
        expiresIn: 300,
        date: new Date(iso),
      })
      expect(url).toBe(again)
    }
    const stored = await fetch(put, { method: 'PUT', body: CONTENT })
    expect(stored.status).toBe(200)
    const fetched = await fetch(get)
    expect(fetched.status).toBe(200)
    expect(await fetched.text()).toBe(CONTENT)
  })
})
