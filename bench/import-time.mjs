// Cold import time: a fresh `node` process per run that imports one package, against a bare `node`
// baseline. Reports the median over RUNS runs of (a) the whole process's wall time and (b) the time the
// `import()` itself takes, measured inside the child (less noisy: no process start-up in it).
// Runs are interleaved (round robin) so that background load spreads evenly over the targets.
// Run: npm run build (in the repo root), then here: node import-time.mjs [runs]
import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const RUNS = Number(process.argv[2] ?? 30)

const targets = [
  ['node (baseline, imports nothing)', null],
  ['node:crypto (what any node:crypto signer loads)', 'node:crypto'],
  ['awsig', 'awsig'],
  ['aws4fetch', 'aws4fetch'],
  ['aws4', 'aws4'],
  ['@smithy/signature-v4', '@smithy/signature-v4'],
]

// The child prints how long its import() took; the parent times the whole process.
const script = (specifier) =>
  specifier === null
    ? 'process.stdout.write("0")'
    : `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t))`

const samples = new Map(targets.map(([name]) => [name, { wall: [], inner: [] }]))
// One warm-up round: fills the OS file cache, so every measured run sees the same disk state.
for (const [, specifier] of targets) runChild(specifier)
for (let i = 0; i < RUNS; i++) {
  for (const [name, specifier] of targets) {
    const { wall, inner } = runChild(specifier)
    samples.get(name).wall.push(wall)
    samples.get(name).inner.push(inner)
  }
}

function runChild(specifier) {
  const start = process.hrtime.bigint()
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script(specifier)], {
    cwd: here,
    encoding: 'utf8',
  })
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  if (child.status !== 0) throw new Error(`importing ${specifier} failed: ${child.stderr}`)
  return { wall, inner: Number(child.stdout) }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const spread = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return `${s[Math.floor(s.length * 0.1)].toFixed(1)}–${s[Math.ceil(s.length * 0.9) - 1].toFixed(1)}`
}
const base = median(samples.get(targets[0][0]).wall)
console.log(
  `Cold import, ${RUNS} runs each, ${process.version}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}:\n`,
)
console.log('| import | process wall (median) | p10–p90 | over baseline | import() alone (median) | p10–p90 |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const [name, specifier] of targets) {
  const { wall, inner } = samples.get(name)
  const over = median(wall) - base
  console.log(
    `| ${name} | ${median(wall).toFixed(1)} ms | ${spread(wall)} | ${specifier === null ? '—' : `${over >= 0 ? '+' : ''}${over.toFixed(1)} ms`} | ${median(inner).toFixed(2)} ms | ${spread(inner)} |`,
  )
}
