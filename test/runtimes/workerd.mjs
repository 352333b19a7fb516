// Runs the portable vector suite against the BUILT package in workerd (Cloudflare Workers' runtime,
// started by miniflare from node_modules), the way a Worker author gets it: esbuild bundles a Worker
// that imports `awsig` from this repository with the `workerd`/`worker`/`browser` conditions, so
// `#crypto` takes its `default` branch (WebCrypto). The cases go to the Worker as JSON in one POST.
//
// As a script: `node test/runtimes/workerd.mjs` prints the result and exits non-zero on failures.
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { loadCases, loadV4aCases } from '../portable/cases.mjs'
import { loadEventStreamCases } from '../portable/event-stream-cases.mjs'
import { bundleForWeb } from './web-bundle.mjs'

/** The conditions esbuild's and wrangler's Workers builds use (esbuild adds `browser`). */
export const WORKERD_CONDITIONS = ['workerd', 'worker']

const WORKER = `import * as awsig from 'awsig'
import * as eventStream from 'awsig/event-stream'
import * as sigv4a from 'awsig/sigv4a'
import { runSuite } from './test/portable/suite.mjs'
export default {
  async fetch(request) {
    if (typeof globalThis.process?.versions?.node === 'string') throw new Error('Node is visible in the Worker')
    const cases = await request.json()
    return Response.json(await runSuite({ ...awsig, ...sigv4a, eventStream }, cases))
  },
}
`

/**
 * Runs `runSuite` from test/portable/suite.mjs inside workerd. Returns
 * `{ passed, failed, failures, runtime, bundleBytes, ms }`.
 */
export async function runInWorkerd({ cases } = {}) {
  const started = performance.now()
  const allCases = cases ?? [...(await loadCases()), ...(await loadV4aCases()), ...(await loadEventStreamCases())]
  const script = await bundleForWeb(WORKER, { conditions: WORKERD_CONDITIONS })
  const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
  try {
    const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify(allCases) })
    if (response.status !== 200) throw new Error(`the Worker answered ${response.status}: ${await response.text()}`)
    const result = await response.json()
    const { version } = await import('workerd/package.json', { with: { type: 'json' } }).then((m) => m.default)
    return {
      ...result,
      runtime: `workerd ${version}`,
      bundleBytes: script.length,
      ms: Math.round(performance.now() - started),
    }
  } finally {
    await mf.dispose()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runInWorkerd()
  for (const failure of result.failures) console.error(`FAIL ${failure}\n`)
  console.log(
    `${result.runtime} (WebCrypto bundle, ${result.bundleBytes} bytes): ${result.passed} vectors passed, ${result.failed} failed in ${result.ms} ms`,
  )
  if (result.failed > 0 || result.passed === 0) process.exitCode = 1
}
