// A real browser (headless Chromium) posts FormData uploads with presignPost's fields: (a) to moto_server,
// which stores the object (read back here), and (b) to a loopback endpoint running verifyPost, which
// accepts a good upload and refuses a file over the size limit, a wrong Content-Type and an expired policy.
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { type Client, createClient } from '../../src/client/index.js'
import type { VerificationError } from '../../src/errors.js'
import { FILENAME } from '../../src/lib/post-policy.js'
import { presignPost } from '../../src/s3/index.js'
import { verifyPost } from '../../src/verify/post.js'
import { CHROMIUM_ARGS } from '../runtimes/chromium.mjs'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

const CHROMIUM = process.env.AWSIG_CHROMIUM ?? '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && process.env.CI === 'true') throw new Error(`chromium is required in CI (not found at ${CHROMIUM})`)
if (!haveChromium) console.warn(`\n!!! SKIPPING the browser POST upload tests: no chromium at ${CHROMIUM}\n`)

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const received: Array<{ key: string; size: number; type: string }> = []

// The page posts a FormData (fields in order, then a generated file) and reports the status and body.
const PAGE = `<!doctype html><meta charset="utf-8"><title>upload</title><script>
window.postForm = async (url, fields, size, type, name, mode) => {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = i % 251
  form.append('file', new File([bytes], name, { type }))
  const response = await fetch(url, { method: 'POST', body: form, mode })
  return { status: response.status, body: mode === 'no-cors' ? '' : await response.text() }
}
</script>`

let server: Server
let origin: string
let browser: Browser | undefined
let page: Page
let moto: Moto | null = null

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html' })
      return res.end(PAGE)
    }
    // The verifyPost endpoint: the form is parsed by the runtime's own multipart parser.
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: 'POST',
      headers: req.headers as Record<string, string>,
      body: req as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit)
    try {
      const upload = await verifyPost(await request.formData(), { credentials, region: 'us-east-1', bucket: 'browser' })
      received.push({ key: upload.key, size: upload.file.size, type: upload.fields['content-type'] ?? '' })
      res.writeHead(204)
      res.end()
    } catch (error) {
      const e = error as VerificationError
      res.writeHead(e.status ?? 500, { 'content-type': 'application/xml' })
      res.end(`<Error><Code>${e.awsCode ?? e.name}</Code><Message>${e.message}</Message></Error>`)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  if (!haveChromium) return
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  page = await browser.newPage()
  await page.goto(`${origin}/`)
  moto = await startMoto({ enforce: false })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => server.close(resolve))
  await stopAllMoto()
})

const post = (url: string, fields: Record<string, string>, size: number, type: string, name: string, mode = 'cors') =>
  page.evaluate(
    ([u, f, s, t, n, m]) =>
      (window as unknown as { postForm: (...a: unknown[]) => Promise<{ status: number; body: string }> }).postForm(
        u,
        f,
        s,
        t,
        n,
        m,
      ),
    [url, fields, size, type, name, mode] as const,
  )

const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1]

const presign = (overrides: Partial<Parameters<typeof presignPost>[0]> = {}) =>
  presignPost({
    url: `${origin}/upload`,
    key: `photos/${FILENAME}`,
    region: 'us-east-1',
    credentials,
    bucket: 'browser',
    expiresIn: 600,
    conditions: [
      ['content-length-range', 1, 1000],
      ['starts-with', '$Content-Type', 'image/'],
    ],
    fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42' },
    ...overrides,
  })

describe.runIf(haveChromium)('browser FormData uploads with presignPost fields', () => {
  it('(a) moto_server stores the upload', async (ctx: TestContext) => {
    if (moto === null) ctx.skip('moto_server is not installed')
    const m = moto as Moto
    const client: Client = createClient({ credentials: m.credentials, region: m.region, service: 's3' })
    await client.fetch(`${m.endpoint}/browser`, { method: 'PUT' })
    const { url, fields } = await presignPost({
      url: `${m.endpoint}/browser`,
      key: `photos/${FILENAME}`,
      region: m.region,
      credentials: m.credentials,
      expiresIn: 600,
      conditions: [['content-length-range', 1, 10_000]],
      fields: { 'Content-Type': 'image/png', 'x-amz-meta-user': '42' },
    })
    // moto sends no CORS headers: the browser posts without reading the answer, we read the object.
    await post(url, fields, 777, 'image/png', 'cat.png', 'no-cors')
    const response = await client.fetch(`${m.endpoint}/browser/photos/cat.png`)
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(bytes.length).toBe(777)
    expect(bytes[250]).toBe(250)
    expect(bytes[251]).toBe(0)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('x-amz-meta-user')).toBe('42')
  })

  it('(b) verifyPost accepts a good upload and refuses the others with the right codes', async () => {
    const good = await presign()
    expect(await post(good.url, good.fields, 500, 'image/png', 'dog.png')).toEqual({ status: 204, body: '' })
    expect(received.at(-1)).toEqual({ key: 'photos/dog.png', size: 500, type: 'image/png' })

    const tooBig = await post(good.url, good.fields, 1001, 'image/png', 'big.png')
    expect([tooBig.status, code(tooBig.body)]).toEqual([400, 'EntityTooLarge'])

    const wrongType = await post(good.url, { ...good.fields, 'Content-Type': 'text/html' }, 10, 'text/html', 'x.html')
    expect([wrongType.status, code(wrongType.body)]).toEqual([403, 'AccessDenied'])
    expect(wrongType.body).toContain('Policy Condition failed')

    const expired = await presign({ date: new Date(Date.now() - 3600_000), expiresIn: 60 })
    const late = await post(expired.url, expired.fields, 10, 'image/png', 'late.png')
    expect([late.status, code(late.body)]).toEqual([403, 'AccessDenied'])
    expect(late.body).toContain('Policy expired')
    expect(received).toHaveLength(1)
  })
})
