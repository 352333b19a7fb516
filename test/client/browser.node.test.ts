// End to end in a browser: headless Chromium on a page served from loopback loads awsig, awsig/client and
// awsig/credentials bundled by esbuild from the BUILT package (WebCrypto backend), then, from the page:
// presigns a PUT and a GET against examples/s3-server.mjs (verifyRequest, CORS on, another origin), and
// calls a DynamoDB-style JSON endpoint with createClient, first with static credentials, then with
// credentials from fromWebIdentity (a loopback STS stand-in). Every signature is checked by verifyRequest.
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { answerCors, startS3Server } from '../../examples/s3-server.mjs'
import { presign } from '../../src/index.js'
import { VerificationError, verifyRequest } from '../../src/verify/index.js'
import { runtimeBinary } from '../support/runtimes.js'

const TIMEOUT = 60_000
const S3_KEYS = { accessKeyId: 'AKIDS3', secretAccessKey: 's3-secret-key' }
const STATIC = { accessKeyId: 'AKIDBROWSER', secretAccessKey: 'browser-secret-key' }
const TEMPORARY = { accessKeyId: 'ASIABROWSER', secretAccessKey: 'temporary-secret', sessionToken: 'session/token+1' }
const ROLE = 'arn:aws:iam::123456789012:role/browser'
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.browser.token'

const closers: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  closers.push(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

interface ApiCall {
  target: string
  accessKeyId: string
  sessionToken: boolean
}

/**
 * One loopback endpoint, CORS on: unsigned STS AssumeRoleWithWebIdentity (form body, no x-amz-target)
 * answers TEMPORARY for TOKEN and ROLE; a DynamoDB JSON call (x-amz-target) is verified with
 * verifyRequest and answers an item naming the key that signed it.
 */
async function startApi(): Promise<{ endpoint: string; calls: ApiCall[]; sts: string[] }> {
  const calls: ApiCall[] = []
  const sts: string[] = []
  const reply = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  }
  const server = createServer(async (req, res) => {
    if (answerCors(req, res)) return
    try {
      const target = req.headers['x-amz-target']
      if (typeof target !== 'string') {
        const params = new URLSearchParams(await readBody(req))
        sts.push(params.get('Action') ?? '')
        const ok =
          req.headers.authorization === undefined &&
          params.get('Action') === 'AssumeRoleWithWebIdentity' &&
          params.get('RoleArn') === ROLE &&
          params.get('WebIdentityToken') === TOKEN
        if (!ok)
          return reply(res, 403, 'text/xml', '<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>')
        const expiration = new Date(Date.now() + 3_600_000).toISOString()
        return reply(
          res,
          200,
          'text/xml',
          `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${TEMPORARY.accessKeyId}</AccessKeyId><SecretAccessKey>${TEMPORARY.secretAccessKey}</SecretAccessKey><SessionToken>${TEMPORARY.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
        )
      }
      const verified = await verifyRequest(req as unknown as Parameters<typeof verifyRequest>[0], {
        credentials: [STATIC, TEMPORARY],
        service: 'dynamodb',
        region: 'us-east-1',
      })
      const input = JSON.parse(await new Response(verified.body).text()) as { Key: { pk: { S: string } } }
      calls.push({ target, accessKeyId: verified.accessKeyId, sessionToken: verified.sessionToken === true })
      return reply(
        res,
        200,
        'application/x-amz-json-1.0',
        JSON.stringify({ Item: { pk: input.Key.pk, signedBy: { S: verified.accessKeyId } } }),
      )
    } catch (error) {
      const status = error instanceof VerificationError ? error.status : 500
      const code = error instanceof VerificationError ? error.awsCode : 'InternalError'
      reply(res, status, 'application/x-amz-json-1.0', JSON.stringify({ __type: code, message: String(error) }))
    }
  })
  return { endpoint: await listen(server), calls, sts }
}

// The scenario runs in the page (a module script), not in a function given to page.evaluate: under
// vitest, vite rewrites `import()` inside such functions.
const PAGE = (config: unknown) => `<!doctype html>
<meta charset="utf-8">
<title>awsig end to end</title>
<script type="module">
  const config = ${JSON.stringify(config)}
  try {
    if (typeof globalThis.process !== 'undefined') throw new Error('process is defined in the page')
    const { presign, createClient, fromWebIdentity } = await import('/awsig.js')
    const { s3, api, staticCredentials, role, token } = config
    const url = s3.endpoint + '/' + s3.bucket + '/from%20the%20browser.txt'
    const base = { service: 's3', region: 'us-east-1', credentials: s3.credentials, expiresIn: 300 }
    const put = await presign({ ...base, method: 'PUT', url })
    const putResponse = await fetch(put, { method: 'PUT', body: new TextEncoder().encode('presigned ✓') })
    const get = await presign({ ...base, method: 'GET', url })
    const getResponse = await fetch(get)
    const wrong = await presign({ ...base, method: 'GET', url, credentials: { ...s3.credentials, secretAccessKey: 'wrong' } })
    const wrongResponse = await fetch(wrong)
    const getItem = async (client, pk) => {
      const response = await client.fetch(api, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
        body: JSON.stringify({ TableName: 't', Key: { pk: { S: pk } } }),
      })
      return { status: response.status, body: await response.json() }
    }
    const staticClient = createClient({ service: 'dynamodb', region: 'us-east-1', credentials: staticCredentials })
    const webClient = createClient({
      service: 'dynamodb',
      region: 'us-east-1',
      credentials: fromWebIdentity({ webIdentityToken: () => token, roleArn: role, endpoint: api, region: 'us-east-1', env: {} }),
    })
    let badStatus
    try {
      await createClient({ service: 'dynamodb', region: 'us-east-1', credentials: { ...staticCredentials, secretAccessKey: 'wrong' }, retry: false }).fetch(api, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' },
        body: '{}',
      })
      badStatus = 'resolved'
    } catch (error) {
      badStatus = error.name + ' ' + error.status + ' ' + error.code + ' ' + error.awsCode
    }
    globalThis.awsigResult = {
      origin: location.origin,
      putStatus: putResponse.status,
      putEtag: putResponse.headers.get('etag'),
      getStatus: getResponse.status,
      getText: await getResponse.text(),
      wrongStatus: wrongResponse.status,
      wrongBody: await wrongResponse.text(),
      staticItem: await getItem(staticClient, 'static#1'),
      webItem: await getItem(webClient, 'web#1'),
      badStatus,
    }
  } catch (error) {
    globalThis.awsigResult = { error: String(error?.stack ?? error) }
  }
</script>
`

async function servePage(bundle: string, page: string): Promise<string> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const [status, type, body] =
      path === '/'
        ? [200, 'text/html; charset=utf-8', page]
        : path === '/awsig.js'
          ? [200, 'text/javascript; charset=utf-8', bundle]
          : [404, 'text/plain', 'not found']
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(body)
  })
  return listen(server)
}

describe('headless Chromium signs with awsig against loopback endpoints that verify every signature', () => {
  it('presigned PUT/GET to a CORS S3 endpoint; createClient (static and fromWebIdentity) to a JSON API', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const executablePath = runtimeBinary(ctx, 'chromium', 'end-to-end browser test')
    const { bundleForWeb, ROOT } = await import('../runtimes/web-bundle.mjs')
    const { CHROMIUM_ARGS } = await import('../runtimes/chromium.mjs')
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'run `npm run build` first (`npm test` does)').toBe(true)
    const bundle = await bundleForWeb(
      "export { presign } from 'awsig'\nexport { createClient } from 'awsig/client'\nexport { fromWebIdentity } from 'awsig/credentials'",
    )
    expect(bundle).not.toMatch(/from\s*["']node:/)

    const s3 = await startS3Server({ cors: true, credentials: [S3_KEYS] })
    closers.push(() => s3.close())
    const bucket = 'browser-bucket'
    const create = await presign({
      method: 'PUT',
      url: `${s3.endpoint}/${bucket}`,
      service: 's3',
      region: s3.region,
      credentials: S3_KEYS,
    })
    expect((await fetch(create, { method: 'PUT' })).status).toBe(200)
    const api = await startApi()
    const page = PAGE({
      s3: { endpoint: s3.endpoint, bucket, credentials: S3_KEYS },
      api: api.endpoint,
      staticCredentials: STATIC,
      role: ROLE,
      token: TOKEN,
    })
    const pageUrl = await servePage(bundle, page)

    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: TIMEOUT })
    closers.push(() => browser.close())
    const tab = await browser.newPage()
    const pageErrors: string[] = []
    tab.on('pageerror', (error) => pageErrors.push(String(error)))
    await tab.goto(`${pageUrl}/`)
    const result = (await (
      await tab.waitForFunction(() => (globalThis as { awsigResult?: unknown }).awsigResult, null, {
        timeout: TIMEOUT,
      })
    ).jsonValue()) as Record<string, unknown>
    expect(pageErrors).toEqual([])
    expect(result.error).toBeUndefined()
    // The page is another origin than both endpoints: every call went through CORS.
    expect(result.origin).toBe(pageUrl)
    expect(result.origin).not.toBe(s3.endpoint)
    expect(result.putStatus).toBe(200)
    expect(result.putEtag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(result.getStatus).toBe(200)
    expect(result.getText).toBe('presigned ✓')
    expect(result.wrongStatus).toBe(403)
    expect(result.wrongBody).toContain('<Code>SignatureDoesNotMatch</Code>')
    expect(result.staticItem).toEqual({
      status: 200,
      body: { Item: { pk: { S: 'static#1' }, signedBy: { S: STATIC.accessKeyId } } },
    })
    expect(result.webItem).toEqual({
      status: 200,
      body: { Item: { pk: { S: 'web#1' }, signedBy: { S: TEMPORARY.accessKeyId } } },
    })
    expect(result.badStatus).toBe('AwsError 403 ERR_AWS SignatureDoesNotMatch')
    expect(api.sts).toEqual(['AssumeRoleWithWebIdentity'])
    expect(api.calls.map((c) => [c.accessKeyId, c.sessionToken])).toEqual([
      [STATIC.accessKeyId, false],
      [TEMPORARY.accessKeyId, true],
    ])
  })
})
