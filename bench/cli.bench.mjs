// The `awsig` command as a whole process: (1) start-up of `awsig --version` against a bare `node -e ''`,
// (2) a signed GET of a large object to `-o` against `curl -o` from the same loopback server.
// Runs alternate A B A B so that background load falls on both alike; medians and the ratio are printed.
// Run: npm run build (in the repository root), then here: node cli.bench.mjs [startup|download|all] [runs]
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../dist/cli/main.node.js', import.meta.url))
const which = process.argv[2] ?? 'all'
const SIZE = Number(process.env.AWSIG_BENCH_BYTES ?? 1024 ** 3) // 1 GiB
const OUT_DIR = process.env.AWSIG_BENCH_DIR ?? '/dev/shm'

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function time(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}`))
      else resolve(performance.now() - started)
    })
  })
}

async function pair(name, a, b, runs) {
  const times = { a: [], b: [], ratio: [] }
  await a() // warm-up: file cache, JIT of the server
  await b()
  for (let i = 0; i < runs; i++) {
    const ta = await a()
    const tb = await b()
    times.a.push(ta)
    times.b.push(tb)
    times.ratio.push(ta / tb)
  }
  return { name, a: median(times.a), b: median(times.b), ratio: median(times.ratio), min: Math.min(...times.a) }
}

async function startup(runs = 20) {
  const result = await pair(
    'start-up',
    () => time(process.execPath, [BIN, '--version']),
    () => time(process.execPath, ['-e', '']),
    runs,
  )
  console.log(
    `awsig --version: median ${result.a.toFixed(1)} ms; node -e '': ${result.b.toFixed(1)} ms; difference ${(result.a - result.b).toFixed(1)} ms (goal <= 40 ms), ratio ${result.ratio.toFixed(3)} (${runs} runs each)`,
  )
}

async function download(runs = 5) {
  // A loopback "bucket" that serves SIZE bytes to any GET: fresh bytes on the wire each time, from one
  // 1 MiB buffer (the client side is what is measured, and both clients get the same server).
  const block = Buffer.alloc(1024 * 1024, 7)
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-length': String(SIZE), 'content-type': 'application/octet-stream' })
    let sent = 0
    const pump = () => {
      while (sent < SIZE) {
        const piece = SIZE - sent >= block.length ? block : block.subarray(0, SIZE - sent)
        sent += piece.length
        if (!response.write(piece)) return response.once('drain', pump)
      }
      response.end()
    }
    pump()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/bench-bucket/object`
  const out = join(OUT_DIR === '' ? tmpdir() : OUT_DIR, `awsig-bench-${process.pid}`)
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'us-east-1',
  }
  try {
    const result = await pair(
      'download',
      () => time(process.execPath, [BIN, '-s', '-f', '--service', 's3', '-o', out, url], env),
      () => time('curl', ['-s', '-f', '-o', out, url]),
      runs,
    )
    const mib = SIZE / 1024 / 1024
    console.log(
      `GET ${mib} MiB to -o: awsig ${result.a.toFixed(0)} ms (${((mib / result.a) * 1000).toFixed(0)} MiB/s), curl ${result.b.toFixed(0)} ms (${((mib / result.b) * 1000).toFixed(0)} MiB/s); awsig at ${((1 / result.ratio) * 100).toFixed(1)}% of curl's speed (goal >= 90%), ${runs} runs each`,
    )
  } finally {
    server.close()
    rmSync(out, { force: true })
  }
}

console.log(
  `node ${process.version}, ${cpus().length} cpus, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
const runs = process.argv[3] === undefined ? undefined : Number(process.argv[3])
if (which === 'startup' || which === 'all') await startup(runs)
if (which === 'download' || which === 'all') await download(runs)
