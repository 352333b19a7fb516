// A WHATWG Request verifies the same in Bun, Deno, workerd (Cloudflare Workers, through Miniflare) and a
// Hono app, through the BUILT package (`npm test` builds dist/ first).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { Hono } from 'hono'
import { Miniflare } from 'miniflare'
import { describe, expect, it } from 'vitest'
import { sign } from '../../src/index.js'
import { s3ErrorResponse, verifyRequest } from '../../src/verify/index.js'
import { EXPECTED, runVerifyChecks } from './portable-check.mjs'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHECK = join(ROOT, 'test/verify/portable-check.mjs')
const require = createRequire(import.meta.url)
const inPackage = (name: string, file: string) => {
  try {
    return join(dirname(require.resolve(`${name}/package.json`)), file)
  } catch {
    return undefined
  }
}
function binary(name: string, path: string | undefined): string | undefined {
  if (path !== undefined && existsSync(path)) return path
  if (process.env.CI === 'true') throw new Error(`${name} is not installed (required under CI=true)`)
  console.warn(`\n!! SKIPPING the ${name} run of the verify checks: ${name} is not installed (npm ci)\n`)
  return undefined
}

describe('verifyRequest on a WHATWG Request in every runtime', () => {
  it('Node (this process)', async () => {
    expect(existsSync(join(ROOT, 'dist/verify/index.js')), 'run npm run build first').toBe(true)
    expect(await runVerifyChecks()).toEqual(EXPECTED)
  })

  it('Bun', async () => {
    const bun = binary('bun', process.env.AWSIG_BUN ?? inPackage('@oven/bun-linux-x64', 'bin/bun'))
    if (bun === undefined) return
    const { stdout } = await run(bun, [CHECK], { cwd: ROOT })
    expect(JSON.parse(stdout)).toEqual(EXPECTED)
  })

  it('Deno', async () => {
    const deno = binary('deno', process.env.AWSIG_DENO ?? inPackage('@deno/linux-x64-glibc', 'deno'))
    if (deno === undefined) return
    const { stdout } = await run(
      deno,
      ['run', '--no-prompt', '--no-lock', `--allow-read=${ROOT}`, '--allow-env', CHECK],
      { cwd: ROOT },
    )
    expect(JSON.parse(stdout)).toEqual(EXPECTED)
  })

  it('workerd (Cloudflare Workers, via Miniflare)', async () => {
    const bundle = await build({
      stdin: {
        contents: `import { runVerifyChecks } from ${JSON.stringify(CHECK)}\nexport default { async fetch() { return Response.json(await runVerifyChecks()) } }`,
        resolveDir: ROOT,
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['worker', 'browser'],
      write: false,
    })
    const mf = new Miniflare({
      modules: true,
      script: bundle.outputFiles[0]?.text as string,
      compatibilityDate: '2025-01-01',
    })
    try {
      const response = await mf.dispatchFetch('http://worker/')
      expect(await response.json()).toEqual(EXPECTED)
    } finally {
      await mf.dispose()
    }
  }, 60_000)

  it('a Hono app answers S3 errors from verifyRequest', async () => {
    const credentials = { accessKeyId: 'AKIDHONO', secretAccessKey: 'hono-secret' }
    const app = new Hono()
    app.put('/:bucket/:key', async (c) => {
      try {
        const verified = await verifyRequest(c.req.raw, { credentials, service: 's3', region: 'us-east-1' })
        return c.text(`stored ${(await new Response(verified.body).text()).length} bytes for ${verified.accessKeyId}`)
      } catch (error) {
        return s3ErrorResponse(error, { resource: c.req.path })
      }
    })
    const url = 'http://hono.test/bucket/key'
    const signed = await sign({ method: 'PUT', url, body: 'hello', service: 's3', region: 'us-east-1', credentials })
    const ok = await app.request(url, { method: 'PUT', headers: signed.headers, body: 'hello' })
    expect([ok.status, await ok.text()]).toEqual([200, 'stored 5 bytes for AKIDHONO'])
    const bad = await app.request(url, {
      method: 'PUT',
      headers: { ...signed.headers, 'x-amz-date': '20200101T000000Z' },
      body: 'hello',
    })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('<Code>AuthorizationHeaderMalformed</Code>')
  })
})
