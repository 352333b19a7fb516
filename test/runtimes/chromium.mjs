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
import { chromium } from 'playwright-core'
import { loadCases, loadV4aCases } from '../portable/cases.mjs'
import { loadEventStreamCases } from '../portable/event-stream-cases.mjs'
import { bundleForWeb, SUITE_EXPORTS } from './web-bundle.mjs'

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

/** The suite's exports bundled for browsers (WebCrypto backend, checked). Returns the bundle's text. */
export const bundleForBrowser = () => bundleForWeb(SUITE_EXPORTS)

// The page loads the bundle and the suite and exposes `awsigRun(cases)`. This lives in the page, not in
// a function passed to page.evaluate: under vitest, vite rewrites `import()` inside such functions.
// With `webCrypto: false` the page must lack crypto.subtle instead (see NO_WEBCRYPTO_PAGE below).
const suitePage = ({ webCrypto }) => `<!doctype html>
<meta charset="utf-8">
<title>awsig vector suite</title>
<script type="module">
  try {
    // No Node globals here; WebCrypto only (127.0.0.1 is a secure context), or none at all.
    if (typeof globalThis.process !== 'undefined') throw new Error('process is defined in the page')
    const webCrypto = globalThis.isSecureContext && globalThis.crypto?.subtle !== undefined
    if (webCrypto !== ${webCrypto}) throw new Error('crypto.subtle is ' + (webCrypto ? 'available' : 'unavailable'))
    const awsig = await import('/awsig.js')
    const { runSuite } = await import('/portable/suite.mjs')
    globalThis.awsigRun = (cases) => runSuite(awsig, cases)
    globalThis.awsigReady = 'ready'
  } catch (error) {
    globalThis.awsigReady = 'error: ' + (error?.stack ?? error)
  }
</script>
`

/** Serves `/` (the page above, or `page`), `/awsig.js` (the bundle) and `/portable/*.mjs` on 127.0.0.1. */
async function serve(bundle, page = suitePage({ webCrypto: true })) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (path === '/') return send(200, 'text/html; charset=utf-8', page)
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
  const allCases = cases ?? [...(await loadCases()), ...(await loadV4aCases()), ...(await loadEventStreamCases())]
  return runSuitePage({ executablePath, timeoutMs, cases: allCases, bundle: await bundleForBrowser(), webCrypto: true })
}

/**
 * The SigV4 and event-stream vectors in a Chromium page WITHOUT crypto.subtle (plain HTTP from a host
 * that is not loopback by name), on the bundle a React Native app gets: the `react-native` condition
 * selects the plain-JavaScript backend. SigV4a needs WebCrypto's ECDSA, so its vectors are left out.
 */
export async function runPureJsWithoutWebCrypto({ executablePath = '/usr/bin/chromium', timeoutMs = 45_000 } = {}) {
  const cases = [...(await loadCases()), ...(await loadEventStreamCases())]
  const bundle = await bundleForWeb(SUITE_EXPORTS, { conditions: ['react-native'], backend: 'pure.js' })
  return runSuitePage({ executablePath, timeoutMs, cases, bundle, webCrypto: false })
}

async function runSuitePage({ executablePath, timeoutMs, cases, bundle, webCrypto }) {
  const started = performance.now()
  const server = await serve(bundle, suitePage({ webCrypto }))
  let browser
  try {
    const args = webCrypto ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, '--host-resolver-rules=MAP awsig.test 127.0.0.1']
    browser = await chromium.launch({ executablePath, headless: true, args, timeout: timeoutMs })
    const page = await browser.newPage()
    page.setDefaultTimeout(timeoutMs)
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    const { port } = server.address()
    await page.goto(`http://${webCrypto ? '127.0.0.1' : 'awsig.test'}:${port}/`)
    const ready = await (await page.waitForFunction(() => globalThis.awsigReady)).jsonValue()
    if (ready !== 'ready') throw new Error(`the test page did not load: ${ready}`)
    const result = await page.evaluate((cases) => globalThis.awsigRun(cases), cases)
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

// A page without WebCrypto, as on React Native's Hermes: served over plain HTTP from a host that is not
// loopback by name (awsig.test, mapped to 127.0.0.1), so it is not a secure context and has no
// `crypto.subtle`. Signing must fail with UnsupportedRuntimeError, not a TypeError.
const NO_WEBCRYPTO_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>awsig without WebCrypto</title>
<script type="module">
  const failure = (promise) =>
    promise.then(
      () => ({ resolved: true }),
      (e) => ({ name: e?.name, code: e?.code, missing: e?.missing, message: String(e?.message), typed: awsig.isAwsigError(e, 'ERR_UNSUPPORTED_RUNTIME') }),
    )
  let awsig
  try {
    awsig = await import('/awsig.js')
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
    const request = { url: 'https://examplebucket.s3.amazonaws.com/a.txt', service: 's3', region: 'us-east-1', credentials }
    globalThis.awsigResult = {
      secureContext: globalThis.isSecureContext,
      subtle: typeof globalThis.crypto?.subtle,
      sign: await failure(awsig.sign(request)),
      presign: await failure(awsig.presign(request)),
      sigv4a: await failure(awsig.sign({ ...request, region: undefined, regionSet: ['*'], algorithm: awsig.sigv4a })),
    }
  } catch (error) {
    globalThis.awsigResult = { error: String(error?.stack ?? error) }
  }
</script>
`

/**
 * Loads `sign`, `presign` and SigV4a in a Chromium page that has no `crypto.subtle` and returns what each
 * call rejected with: `{ secureContext, subtle, sign, presign, sigv4a }`.
 */
export async function runWithoutWebCrypto({ executablePath = '/usr/bin/chromium', timeoutMs = 45_000 } = {}) {
  const bundle = await bundleForWeb(
    "export { isAwsigError, presign, sign } from 'awsig'\nexport { sigv4a } from 'awsig/sigv4a'",
  )
  const server = await serve(bundle, NO_WEBCRYPTO_PAGE)
  let browser
  try {
    const args = [...CHROMIUM_ARGS, '--host-resolver-rules=MAP awsig.test 127.0.0.1']
    browser = await chromium.launch({ executablePath, headless: true, args, timeout: timeoutMs })
    const page = await browser.newPage()
    page.setDefaultTimeout(timeoutMs)
    await page.goto(`http://awsig.test:${server.address().port}/`)
    return await (await page.waitForFunction(() => globalThis.awsigResult)).jsonValue()
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
