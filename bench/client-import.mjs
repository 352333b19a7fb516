// Cold import time of `awsig/client` against the AWS SDK's S3 and DynamoDB clients and aws4fetch: a
// fresh `node` process per run imports one module; the child times its own `import()`. Runs are
// interleaved so that background load spreads evenly. Reports the median and the ratio to awsig/client.
// Run: npm run build (in the repo root), then here: node client-import.mjs [runs]
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const RUNS = Number(process.argv[2] ?? 20)
const targets = ['awsig/client', 'aws4fetch', '@aws-sdk/client-s3', '@aws-sdk/client-dynamodb']
const script = (specifier) =>
  `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t))`

function run(specifier) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script(specifier)], { cwd: here })
  if (child.status !== 0) throw new Error(`importing ${specifier} failed: ${child.stderr}`)
  return Number(child.stdout.toString())
}

for (const target of targets) run(target) // warm the file cache
const samples = new Map(targets.map((t) => [t, []]))
for (let i = 0; i < RUNS; i++) for (const target of targets) samples.get(target).push(run(target))
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]
const base = median(samples.get('awsig/client'))
console.log(`cold import, median of ${RUNS} runs; node ${process.version}; load average ${loadavg()[0].toFixed(2)}\n`)
console.log('| module | import (ms) | vs awsig/client |')
console.log('| --- | ---: | ---: |')
for (const target of targets) {
  const ms = median(samples.get(target))
  console.log(`| ${target} | ${ms.toFixed(1)} | ${(ms / base).toFixed(1)}× |`)
}
