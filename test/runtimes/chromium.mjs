// Runs the portable vector suite against the BUILT package in headless Chromium, the way a browser
// user gets it: esbuild bundles `awsig` from this repository (self-reference through its `exports`)
// for platform 'browser', so the package's `#crypto` import takes its `default` branch (WebCrypto).
// A loopback HTTP server serves the bundle, test/portable/ and a blank page; Playwright drives a
// system Chromium (Debian's `chromium` package), no browser download.
//
// As a script: `node test/runtimes/chromium.mjs` prints the result and exits non-zero on failures.
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { loadCases, loadV4aCases } from '../portable/cases.mjs'
import { loadEventStreamCases } from '../portable/event-stream-cases.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PORTABLE = new URL('../portable/', import.meta.url)

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Bundles the built package for browsers and checks that the WebCrypto backend is the one inside.
 * Returns the bundle's text.
 */
export async function bundleForBrowser() {
  const result = await build({
    stdin: {
      contents:
        "export * from 'awsig'\nexport * from 'awsig/sigv4a'\nexport * as eventStream from 'awsig/event-stream'",
      resolveDir: ROOT,
      sourcefile: 'entry.js',
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].text
  const inputs = Object.keys(result.metafile.inputs)
  if (!inputs.some((p) => p.endsWith('dist/lib/crypto/web.js'))) {
    throw new Error(`browser bundle does not contain dist/lib/crypto/web.js; inputs: ${inputs.join(', ')}`)
  }
  if (!inputs.some((p) => p.endsWith('dist/lib/crypto/ecdsa-web.js'))) {
    throw new Error(`browser bundle does not contain dist/lib/crypto/ecdsa-web.js; inputs: ${inputs.join(', ')}`)
  }
  if (
    inputs.some((p) => p.endsWith('dist/lib/crypto/node.js') || p.endsWith('dist/lib/crypto/ecdsa-node.js')) ||
    code.includes('node:crypto')
  ) {
    throw new Error(`browser bundle contains the node:crypto backend; inputs: ${inputs.join(', ')}`)
  }
  if (!inputs.some((p) => p.endsWith('dist/index.js'))) {
    throw new Error(`browser bundle was not built from dist/; inputs: ${inputs.join(', ')}`)
  }
  return code
}

// The page loads the bundle and the suite and exposes `awsigRun(cases)`. This lives in the page, not in
// a function passed to page.evaluate: under vitest, vite rewrites `import()` inside such functions.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>awsig vector suite</title>
<script type="module">
  try {
    // No Node globals here, WebCrypto only (127.0.0.1 is a secure context).
    if (typeof globalThis.process !== 'undefined') throw new Error('process is defined in the page')
    if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) throw new Error('crypto.subtle is unavailable')
    const awsig = await import('/awsig.js')
    const { runSuite } = await import('/portable/suite.mjs')
    globalThis.awsigRun = (cases) => runSuite(awsig, cases)
    globalThis.awsigReady = 'ready'
  } catch (error) {
    globalThis.awsigReady = 'error: ' + (error?.stack ?? error)
  }
</script>
`

/** Serves `/` (the page above), `/awsig.js` (the bundle) and `/portable/*.mjs` on 127.0.0.1. */
async function serve(bundle) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (path === '/') return send(200, 'text/html; charset=utf-8', PAGE)
    if (path === '/awsig.js') return send(200, 'text/javascript; charset=utf-8', bundle)
    const file = /^\/portable\/([\w-]+\.mjs)$/.exec(path)?.[1]
    if (file !== undefined && file !== 'cases.mjs') {
      try {
        return send(200, 'text/javascript; charset=utf-8', await readFile(new URL(file, PORTABLE)))
      } catch {}
    }
    send(404, 'text/plain', 'not found')
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return server
}

/**
 * Runs `runSuite` from test/portable/suite.mjs in headless Chromium against the browser bundle.
 * Returns `{ passed, failed, failures, browser, bundleBytes, ms }`.
 */
export async function runInChromium({ executablePath = '/usr/bin/chromium', cases, timeoutMs = 45_000 } = {}) {
  const started = performance.now()
  const allCases = cases ?? [...(await loadCases()), ...(await loadV4aCases()), ...(await loadEventStreamCases())]
  const bundle = await bundleForBrowser()
  const server = await serve(bundle)
  let browser
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs })
    const page = await browser.newPage()
    page.setDefaultTimeout(timeoutMs)
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    const { port } = server.address()
    await page.goto(`http://127.0.0.1:${port}/`)
    const ready = await (await page.waitForFunction(() => globalThis.awsigReady)).jsonValue()
    if (ready !== 'ready') throw new Error(`the test page did not load: ${ready}`)
    const result = await page.evaluate((cases) => globalThis.awsigRun(cases), allCases)
    if (pageErrors.length > 0) result.failures.push(...pageErrors.map((e) => `page error: ${e}`))
    return {
      ...result,
      failed: result.failed + pageErrors.length,
      browser: `chromium ${browser.version()}`,
      bundleBytes: bundle.length,
      ms: Math.round(performance.now() - started),
    }
  } finally {
    await browser?.close()
    await new Promise((resolve) => server.close(resolve))
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runInChromium({ executablePath: process.env.AWSIG_CHROMIUM ?? '/usr/bin/chromium' })
  for (const failure of result.failures) console.error(`FAIL ${failure}\n`)
  console.log(
    `${result.browser} (WebCrypto bundle, ${result.bundleBytes} bytes): ${result.passed} vectors passed, ${result.failed} failed in ${result.ms} ms`,
  )
  if (result.failed > 0 || result.passed === 0) process.exitCode = 1
}
