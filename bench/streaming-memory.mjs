// Peak memory and throughput of a streamed upload (signChunked) per runtime and transport, end to end:
// moto_server with signature checks as the server, a real source (a file read with node:fs, or a
// generator of fresh arrays), the transport included. Each row is a fresh process: the runtime runs
// test/support/streaming/upload.mjs (workerd: worker.mjs under miniflare) against the BUILT package.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/streaming-memory.mjs [--size MiB] [--source file|generator|both] [--only runtime,...]
// Prints a Markdown table: runtime, transport, source, status, MiB/s, peak RSS growth over idle.
import { execFile } from 'node:child_process'
import { createWriteStream, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { launchMoto } from '../examples/moto.mjs'
import { freshChunks } from '../test/support/streaming/fresh-chunks.mjs'
import { startUploadWorker } from '../test/support/streaming/workerd.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SCRIPT = join('test', 'support', 'streaming', 'upload.mjs')
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    'workerd-size': { type: 'string', default: '64' },
    source: { type: 'string', default: 'both' },
    only: { type: 'string', default: 'node,bun,deno,workerd' },
  },
})
const MiB = 2 ** 20
const size = Number(values.size) * MiB
const workerdSize = Number(values['workerd-size']) * MiB
const only = new Set(values.only.split(','))
const sources = values.source === 'both' ? ['file', 'generator'] : [values.source]

const BUN = join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun')
const DENO = join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno')
// 'fetch-plain' is the runtime's own fetch with duplex: 'half' and nothing else: what a user without
// send() would write. The others go through send().
const RUNS = [
  ['node', process.execPath, [], ['fetch-plain', 'node-http']],
  ['bun', BUN, [], ['fetch-plain', 'node-http']],
  ['deno', DENO, ['run', '--no-prompt', '--no-lock', '--allow-all'], ['fetch-plain', 'node-http']],
]

const moto = await launchMoto({ enforce: true })
const rows = []
const file = join(tmpdir(), `awsig-bench-${process.pid}.bin`)
try {
  const { sign } = await import('../dist/index.js')
  const bucket = await sign({
    method: 'PUT',
    url: `${moto.endpoint}/bench`,
    service: 's3',
    region: moto.region,
    credentials: moto.credentials,
  })
  await (await fetch(bucket.url, { method: 'PUT', headers: bucket.headers })).text()
  if (sources.includes('file')) {
    const out = createWriteStream(file)
    for await (const piece of freshChunks(size, { pieceSize: MiB })) {
      if (!out.write(piece)) await new Promise((resolve) => out.once('drain', resolve))
    }
    await new Promise((resolve) => out.end(resolve))
  }
  const base = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials, bucket: 'bench' }

  for (const [name, command, args, transports] of RUNS) {
    if (!only.has(name)) continue
    for (const source of sources) {
      for (const transport of transports) {
        const config = { ...base, key: `${name}-${transport}-${source}`, size, transport }
        if (source === 'file') config.file = file
        const result = await run(command, [...args, SCRIPT, JSON.stringify(config)])
        rows.push({ runtime: name, transport, source, size, ...result })
        console.error(line(rows.at(-1)))
      }
    }
  }
  if (only.has('workerd')) {
    const worker = await startUploadWorker()
    try {
      for (const transport of ['fetch-plain', 'auto']) {
        const config = { ...base, key: `workerd-${transport}`, size: workerdSize, transport }
        const result = await worker.upload(config)
        rows.push({ runtime: 'workerd', transport, source: 'generator', size: workerdSize, ...result })
        console.error(line(rows.at(-1)))
      }
    } finally {
      await worker.dispose()
    }
  }
} finally {
  rmSync(file, { force: true })
  await moto.stop()
}

console.log('| runtime | transport | source | size | status | MiB/s | peak RSS − idle |')
console.log('| --- | --- | --- | ---: | --- | ---: | ---: |')
for (const row of rows) console.log(line(row))

function line(row) {
  const status = row.status === 200 ? '200' : `${row.status} ${/<Code>([^<]+)/.exec(row.text ?? '')?.[1] ?? ''}`
  const speed = row.status === 200 ? row.mibPerSecond.toFixed(0) : '–'
  return `| ${row.runtime} | ${row.transport} | ${row.source} | ${row.size / MiB} MiB | ${status} | ${speed} | ${row.growthMiB.toFixed(1)} MiB |`
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: ROOT, maxBuffer: 4 * MiB, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? ''
        try {
          if (error !== null) throw error
          resolve(JSON.parse(last))
        } catch (failure) {
          reject(new Error(`${command} failed: ${failure.message}\n${stdout}\n${stderr}`))
        }
      },
    )
  })
}
