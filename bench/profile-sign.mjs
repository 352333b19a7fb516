// Where awsig's sign() and presign() spend their time: runs one case in a loop in a child process under
// V8's sampling profiler (`node --cpu-prof`, 20 µs interval) and prints self time per function and
// inclusive time of awsig's functions. Self time includes whatever V8 inlined into the function.
// The .cpuprofile stays in the temp directory for Chrome DevTools.
// Run: node profile-sign.mjs [dynamodb-sign|s3-sign|dynamodb-presign|s3-presign] [iterations]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { presign, sign } from '../dist/index.js'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const date = new Date('2024-05-01T12:34:56Z')
const region = 'us-east-1'
const DDB_URL = 'https://dynamodb.us-east-1.amazonaws.com/'
const S3_URL = 'https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/a%20b.jpg'
const body = JSON.stringify({
  TableName: 'Music',
  Key: { Artist: { S: 'No One You Know' }, SongTitle: { S: 'Call Me Today' } },
})
const headers = () => ({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' })
// Option objects written out in full, as in sign.bench.mjs (a spread would measure the spread too).
const CASES = {
  'dynamodb-sign': () =>
    sign({ method: 'POST', url: DDB_URL, headers: headers(), body, service: 'dynamodb', region, credentials, date }),
  's3-sign': () => sign({ url: S3_URL, service: 's3', region, credentials, date }),
  'dynamodb-presign': () =>
    presign({
      method: 'POST',
      url: DDB_URL,
      headers: headers(),
      body,
      service: 'dynamodb',
      region,
      credentials,
      date,
      expiresIn: 3600,
    }),
  's3-presign': () => presign({ url: S3_URL, service: 's3', region, credentials, date, expiresIn: 3600 }),
}

if (process.argv[2] === '--child') {
  const run = CASES[process.argv[3]]
  const iterations = Number(process.argv[4])
  for (let i = 0; i < 20_000; i++) await run() // warm up: JIT, key cache
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) await run()
  process.stdout.write(String(Number(process.hrtime.bigint() - start) / iterations))
  process.exit(0)
}

const name = process.argv[2] ?? 's3-sign'
const iterations = Number(process.argv[3] ?? 300_000)
if (CASES[name] === undefined) throw new Error(`unknown case ${name}: one of ${Object.keys(CASES).join(', ')}`)
const dir = mkdtempSync(join(tmpdir(), 'awsig-profile-'))
const child = spawnSync(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    '--cpu-prof-interval=20',
    fileURLToPath(import.meta.url),
    '--child',
    name,
    String(iterations),
  ],
  { encoding: 'utf8' },
)
if (child.status !== 0) throw new Error(child.stderr)
const file = join(dir, readdirSync(dir)[0])
const profile = JSON.parse(readFileSync(file, 'utf8'))

// Self time per node, then per function (name + file:line), and inclusive time for awsig's functions.
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const selfTime = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  selfTime.set(profile.samples[i], (selfTime.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const label = (n) => {
  const { functionName, url, lineNumber } = n.callFrame
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules|bench)\//, '$1/')
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim()
}
const self = new Map()
const inclusive = new Map()
let total = 0
for (const [id, t] of selfTime) {
  total += t
  const l = label(byId.get(id))
  self.set(l, (self.get(l) ?? 0) + t)
  const seen = new Set() // count each function once per stack
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const fl = label(byId.get(cur))
    if (!seen.has(fl)) {
      seen.add(fl)
      inclusive.set(fl, (inclusive.get(fl) ?? 0) + t)
    }
  }
}
// The profile also covers start-up and warm-up: shares are of the whole profile, ns/op of the timed loop.
const perOp = Number(child.stdout)
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`
console.log(`${name}: ${iterations} iterations, ${perOp.toFixed(0)} ns/op under the profiler; profile: ${file}\n`)
console.log('Self time, top 30:')
for (const [l, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${pct(t)}  ${l}`)
console.log("\nInclusive time of awsig's functions:")
for (const [l, t] of [...inclusive].sort((a, b) => b[1] - a[1])) {
  if (l.includes('dist/') && t / total > 0.005) console.log(`${pct(t)}  ${l}`)
}
