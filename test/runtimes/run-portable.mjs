// Runs the portable vector suite against the BUILT package in whatever runtime executes this file
// (Bun, Deno; Node works too). Run it from the repository root so `awsig` resolves to this package
// through its own `exports` (self-reference), exactly as a user's import would.
//
// Prints one human line and one machine line (`AWSIG_RESULT {json}`), the failures on stderr, and
// exits non-zero when a case fails or nothing ran.
import * as awsig from 'awsig'
import * as eventStream from 'awsig/event-stream'
import * as awsigSigv4a from 'awsig/sigv4a'
import { loadCases, loadV4aCases } from '../portable/cases.mjs'
import { loadEventStreamCases } from '../portable/event-stream-cases.mjs'
import { runSuite } from '../portable/suite.mjs'

const runtime =
  typeof globalThis.Bun !== 'undefined'
    ? `bun ${globalThis.Bun.version}`
    : typeof globalThis.Deno !== 'undefined'
      ? `deno ${globalThis.Deno.version.deno}`
      : `node ${globalThis.process?.versions?.node}`

// Which crypto backend the package's `#crypto` import resolves to in this runtime. This file is inside
// the package, so the package's `imports` map and this runtime's conditions apply as they do to dist/.
const backendUrl = import.meta.resolve('#crypto')
const backend = backendUrl.slice(backendUrl.lastIndexOf('/') + 1)
const ecdsaBackendUrl = import.meta.resolve('#crypto-ecdsa')

const started = performance.now()
const cases = [...(await loadCases()), ...(await loadV4aCases()), ...(await loadEventStreamCases())]
const result = await runSuite({ ...awsig, ...awsigSigv4a, eventStream }, cases)
const ms = Math.round(performance.now() - started)

for (const failure of result.failures) console.error(`FAIL ${failure}\n`)
console.log(`${runtime} (#crypto -> ${backend}): ${result.passed} vectors passed, ${result.failed} failed in ${ms} ms`)
console.log(
  `AWSIG_RESULT ${JSON.stringify({ runtime, backend: backendUrl, ecdsaBackend: ecdsaBackendUrl, passed: result.passed, failed: result.failed, ms })}`,
)
if (result.failed > 0 || result.passed === 0) globalThis.process.exitCode = 1
