// Cold start on Node, as a Lambda or a CLI pays it: a fresh `node` process per launch that loads a module
// and does one piece of work, against bare `node -e ''`. Reports the median wall time of RUNS launches per
// case (interleaved round robin, so background load spreads evenly) and each case's cost over the
// node:crypto + one HMAC floor, the goals of issue 14: awsig + one `sign` within 5 ms of that floor,
// awsig/client and awsig/credentials within 10 ms. aws4fetch + one sign is there to show what loading any
// one small package costs over that floor. The "lower bound" case is what any layout of `awsig` could
// reach at best: esbuild bundles only `sign` and `presign` (the node condition) into one file, installed
// as a package of its own in a temporary directory, so it is resolved by name as `awsig` is.
// Run: npm run build (in the repo root), then here: node cold-start.mjs [runs]   (npm run bench:cold-start)
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = fileURLToPath(new URL('.', import.meta.url))
const RUNS = Number(process.argv[2] ?? 20)
const signOnly = mkdtempSync(join(tmpdir(), 'awsig-cold-start-'))
process.on('exit', () => rmSync(signOnly, { recursive: true, force: true }))
mkdirSync(join(signOnly, 'node_modules/sign-only'), { recursive: true })
writeFileSync(
  join(signOnly, 'node_modules/sign-only/package.json'),
  JSON.stringify({ name: 'sign-only', type: 'module', exports: { '.': { node: './index.js' } } }),
)
const { metafile } = await build({
  stdin: { contents: "export { sign, presign, presignRequest } from 'awsig'", resolveDir: here },
  metafile: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: join(signOnly, 'node_modules/sign-only/index.js'),
  logLevel: 'warning',
})
const signOnlyKB = Math.round(Object.values(metafile.outputs)[0].bytes / 1024)
const credentials = "{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }"

// [name, ES module source run with `node --input-type=module -e`, goal over the floor in ms or null, cwd]
const cases = [
  ["bare `node -e ''`", '', null],
  [
    'node:crypto + one HMAC (floor)',
    "const { createHmac } = await import('node:crypto'); createHmac('sha256', 'k').update('x').digest('hex')",
    null,
  ],
  ["import('awsig')", "await import('awsig')", null],
  [
    "import('awsig') + one sign",
    `const { sign } = await import('awsig'); await sign({ url: 'https://sqs.us-east-1.amazonaws.com/', service: 'sqs', region: 'us-east-1', credentials: ${credentials} })`,
    5,
  ],
  [
    `lower bound: one ${signOnlyKB} KB file of only sign/presign + one sign`,
    `const { sign } = await import('sign-only'); await sign({ url: 'https://sqs.us-east-1.amazonaws.com/', service: 'sqs', region: 'us-east-1', credentials: ${credentials} })`,
    null,
    signOnly,
  ],
  // For comparison: what one small package costs over the floor (one file, resolved through node_modules),
  // and with its first signature (aws4fetch signs with WebCrypto, which Node loads on first use).
  ["import('aws4fetch') (peer)", "await import('aws4fetch')", null],
  [
    "import('aws4fetch') + one sign (peer)",
    `const { AwsV4Signer } = await import('aws4fetch'); const c = ${credentials}; await new AwsV4Signer({ url: 'https://sqs.us-east-1.amazonaws.com/', service: 'sqs', region: 'us-east-1', ...c }).sign()`,
    null,
  ],
  ["import('awsig/client')", "await import('awsig/client')", 10],
  ["import('awsig/credentials')", "await import('awsig/credentials')", 10],
  [
    'awsig/client: createClient + one sign',
    `const { createClient } = await import('awsig/client'); await createClient({ region: 'us-east-1', service: 'sqs', credentials: ${credentials} }).sign('https://sqs.us-east-1.amazonaws.com/')`,
    10,
  ],
]

function launch(source, cwd = here) {
  const started = process.hrtime.bigint()
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (child.status !== 0) throw new Error(`launch failed (${child.status}): ${child.stderr}`)
  return ms
}

const median = (values) => {
  const sorted = values.slice().sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const samples = cases.map(() => [])
for (const [, source, , cwd] of cases) launch(source, cwd) // warm-up: the OS file cache
const loadBefore = loadavg()[0]
for (let run = 0; run < RUNS; run++) {
  for (const [i, [, source, , cwd]] of cases.entries()) samples[i].push(launch(source, cwd))
}
const medians = samples.map(median)
const floor = medians[1]

console.log(
  `Cold start, median of ${RUNS} launches each (interleaved); node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}\n`,
)
console.log('| launch | median wall (ms) | over bare node | over node:crypto + HMAC | goal | met |')
console.log('| --- | ---: | ---: | ---: | --- | --- |')
cases.forEach(([name, , goal], i) => {
  const over = medians[i] - floor
  const verdict = goal === null ? '' : over <= goal ? 'yes' : 'no'
  console.log(
    `| ${name} | ${medians[i].toFixed(1)} | ${(medians[i] - medians[0]).toFixed(1)} | ${i < 2 ? '' : over.toFixed(1)} | ${goal === null ? '' : `≤ ${goal} ms`} | ${verdict} |`,
  )
})
