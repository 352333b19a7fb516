// awsig/client as a browser bundler makes it: package.json's `browser` field leaves the node:http
// transport (loaded lazily on Node) out of the bundle, so browser and Worker bundles do not carry it. Such
// a bundle run where node:http exists after all (a test runner, a Worker with Node compatibility) must
// still work: createClient falls back to fetch, and an explicit node-http transport says what is missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'awsig-browser-bundle-'))
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ signed: String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 ') }))
  })
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

describe('awsig/client bundled for browsers', () => {
  it('leaves the node:http transport out, and works without it where node:http exists', async () => {
    const { bundleForWeb } = await import('../runtimes/web-bundle.mjs')
    const code = await bundleForWeb("export { createClient, send } from 'awsig/client'")
    // The transport's own code (node:http's modules, the light response) is not in the bundle.
    expect(code).not.toMatch(/["']node:https?["']/)
    expect(code).not.toContain('NodeHttpResponse')
    const file = join(dir, 'client.mjs')
    writeFileSync(file, code)
    const { createClient, send } = await import(pathToFileURL(file).href)

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
    const credentials = { accessKeyId: 'AKIDBUNDLE', secretAccessKey: 'bundle-secret' }
    const client = createClient({ credentials, region: 'us-east-1', service: 'execute-api' })
    const response = await client.fetch(url, { method: 'POST', body: '{}' })
    expect(response.status).toBe(200)
    expect(response instanceof Response).toBe(true) // fetch's, not the node-http transport's
    expect(await response.json()).toEqual({ signed: true })

    await expect(send({ url, method: 'GET' }, { transport: 'node-http' })).rejects.toMatchObject({
      name: 'UnsupportedRuntimeError',
      code: 'ERR_UNSUPPORTED_RUNTIME',
      message: expect.stringContaining("use transport: 'fetch'"),
    })
  })
})
