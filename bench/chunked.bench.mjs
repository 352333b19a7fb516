// aws-chunked encoding: throughput against raw node:crypto SHA-256 over the same bytes, peak RSS
// at growing sizes, and an upload over loopback HTTP. Ratios in one process, medians of interleaved
// rounds (a shared machine is noisy).
// Run: npm run build (in the repo root), then here:
//   node --expose-gc chunked.bench.mjs                 all three parts, 1 GiB
//   node --expose-gc chunked.bench.mjs throughput      [--size MiB] [--rounds n] [--only <case name part>]
//   node chunked.bench.mjs rss                         64 MiB, 1 GiB and 4 GiB, each in a fresh process
//   node chunked.bench.mjs http                        [--size MiB]
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer, request } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { signChunked } from '../dist/index.js'

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const part = ['throughput', 'rss', 'http', 'rss-child', 'sink-child'].find((p) => args[0] === p) ?? 'all'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const request0 = {
  method: 'PUT',
  service: 's3',
  region: 'us-east-1',
  credentials,
  date: new Date('2024-05-01T12:34:56Z'),
}

// One MiB of pseudo-random bytes, served again and again as views: an in-memory source that holds
// 1 MiB whatever the total.
const block = new Uint8Array(MiB)
for (let i = 0, x = 1; i < block.length; i++) {
  x ^= x << 13
  x ^= x >>> 17
  x ^= x << 5
  block[i] = x
}

/** Views of `block`, `pieceSize` bytes each (1 MiB must be a multiple), `total` bytes in all. */
function* views(total, pieceSize) {
  for (let sent = 0; sent < total; sent += pieceSize) {
    const offset = sent % MiB
    yield block.subarray(offset, offset + Math.min(pieceSize, total - sent))
  }
}

/** Fresh arrays, as a file or socket gives them (each piece is new memory), `pieceSize` bytes each. */
function* copies(total, pieceSize) {
  for (let sent = 0; sent < total; sent += pieceSize) {
    const offset = sent % MiB
    yield block.slice(offset, offset + Math.min(pieceSize, total - sent))
  }
}

async function encodeToNull(total, options, source = views(total, MiB)) {
  const signed = await signChunked({
    ...request0,
    url: 'https://bucket.s3.amazonaws.com/key',
    body: source,
    contentLength: total,
    ...options,
  })
  const reader = signed.body.getReader()
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    length += value.length
  }
  if (length !== signed.contentLength) throw new Error(`encoded ${length} bytes, expected ${signed.contentLength}`)
}

const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1]

function rawSha256Of(source) {
  const hash = createHash('sha256')
  for (const piece of source) hash.update(piece)
  hash.digest()
}

// Each case runs right after its floor (raw SHA-256 over the same source), and the ratio is taken
// per pair: on a shared machine the load changes from second to second, not within a pair.
async function throughput() {
  const size = option('size', 1024) * MiB
  const rounds = option('rounds', 5)
  const floorViews = () => rawSha256Of(views(size, MiB))
  const floorCopies = () => rawSha256Of(copies(size, 16 * 1024))
  const cases = [
    ['signed, 64 KiB chunks (default)', floorViews, () => encodeToNull(size, { mode: 'signed' })],
    ['signed, 1 MiB chunks', floorViews, () => encodeToNull(size, { mode: 'signed', chunkSize: MiB })],
    [
      'signed, 64 KiB chunks, from 16 KiB fresh arrays (copy path)',
      floorCopies,
      () => encodeToNull(size, { mode: 'signed' }, copies(size, 16 * 1024)),
    ],
    [
      'signed-trailer + CRC32C, 64 KiB',
      floorViews,
      () => encodeToNull(size, { mode: 'signed-trailer', checksum: 'crc32c' }),
    ],
    [
      'signed-trailer + CRC32, 64 KiB',
      floorViews,
      () => encodeToNull(size, { mode: 'signed-trailer', checksum: 'crc32' }),
    ],
    [
      'unsigned-trailer + CRC32, 64 KiB',
      floorViews,
      () => encodeToNull(size, { mode: 'unsigned-trailer', checksum: 'crc32' }),
    ],
    [
      'unsigned-trailer + CRC32C, 64 KiB',
      floorViews,
      () => encodeToNull(size, { mode: 'unsigned-trailer', checksum: 'crc32c' }),
    ],
  ]
  // --only <text>: just the cases whose name contains it (JIT feedback then sees one mode only).
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
  if (only !== undefined) cases.splice(0, cases.length, ...cases.filter(([name]) => name.includes(only)))
  const results = cases.map(() => ({ floor: [], time: [], ratio: [] }))
  await encodeToNull(16 * MiB, { mode: 'signed-trailer', checksum: 'crc32c' }) // warm up
  const timed = async (run) => {
    globalThis.gc?.()
    const start = performance.now()
    await run()
    return performance.now() - start
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, floor, run]] of cases.entries()) {
      const f = await timed(floor)
      const t = await timed(run)
      results[i].floor.push(f)
      results[i].time.push(t)
      results[i].ratio.push(f / t)
    }
  }
  const rate = (ms) => (size / MiB / (ms / 1000)).toFixed(0)
  console.log(
    `\nthroughput, ${size / MiB} MiB to a null sink, in-memory source (1 MiB views unless said); medians of ${rounds} pairs`,
  )
  console.log(
    '| case | MiB/s | raw SHA-256, same source, MiB/s | ratio (median of pairs) |\n| --- | ---: | ---: | ---: |',
  )
  for (const [i, [name]] of cases.entries()) {
    const r = results[i]
    console.log(
      `| ${name} | ${rate(median(r.time))} | ${rate(median(r.floor))} | ${(median(r.ratio) * 100).toFixed(0)}% |`,
    )
  }
}

// Peak RSS: each size in a fresh process, which reports its idle RSS (after imports and a warm-up)
// and the peak of the whole run (resourceUsage().maxRSS).
async function rssChild(sizeMiB, kind) {
  await encodeToNull(8 * MiB, { mode: 'signed-trailer', checksum: 'crc32c' })
  globalThis.gc?.()
  const idle = process.memoryUsage().rss
  const idlePeak = process.resourceUsage().maxRSS * 1024
  const size = sizeMiB * MiB
  const source = kind === 'copies' ? copies(size, 16 * 1024) : views(size, MiB)
  const start = performance.now()
  await encodeToNull(size, { mode: 'signed-trailer', checksum: 'crc32c' }, source)
  const seconds = (performance.now() - start) / 1000
  const peak = process.resourceUsage().maxRSS * 1024
  console.log(JSON.stringify({ idle, idlePeak, peak, seconds }))
}

function runChild(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...argv], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`exit ${code}`)),
    )
  })
}

async function rss() {
  console.log('\npeak RSS while encoding (signed-trailer + CRC32C, 64 KiB chunks), fresh process per row')
  console.log(
    '| size | source | idle RSS | peak RSS | peak - idle | MiB/s |\n| --- | --- | ---: | ---: | ---: | ---: |',
  )
  for (const kind of ['views', 'copies']) {
    for (const sizeMiB of [64, 1024, 4096]) {
      const r = await runChild(['rss-child', String(sizeMiB), kind])
      const mb = (n) => `${(n / MiB).toFixed(1)} MiB`
      const label = kind === 'views' ? '1 MiB views' : '16 KiB fresh arrays'
      const rate = (sizeMiB / r.seconds).toFixed(0)
      console.log(
        `| ${sizeMiB >= 1024 ? `${sizeMiB / 1024} GiB` : `${sizeMiB} MiB`} | ${label} | ${mb(r.idle)} | ${mb(r.peak)} | ${mb(r.peak - r.idle)} | ${rate} |`,
      )
    }
  }
}

// Loopback HTTP: a sink server in its own process (so its memory is not counted) that reads and
// counts the body; the client signs and sends with fetch and with node:http.
async function sinkChild() {
  const server = createServer((req, res) => {
    let length = 0
    req.on('data', (chunk) => {
      length += chunk.length
    })
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ length }))
    })
  })
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
}

async function http() {
  const size = option('size', 1024) * MiB
  const sink = spawn(process.execPath, [fileURLToPath(import.meta.url), 'sink-child'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise((resolve) =>
    sink.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk)).port)),
  )
  const url = `http://127.0.0.1:${port}/bucket/key`
  const clients = {
    fetch: async (signed) => {
      const response = await fetch(signed.url, {
        method: 'PUT',
        headers: signed.headers,
        body: signed.body,
        duplex: 'half',
      })
      return JSON.parse(await response.text()).length
    },
    'node:http': (signed) =>
      new Promise((resolve, reject) => {
        const req = request(signed.url, { method: 'PUT', headers: signed.headers }, (res) => {
          let text = ''
          res.on('data', (chunk) => {
            text += chunk
          })
          res.on('end', () => resolve(JSON.parse(text).length))
        })
        req.on('error', reject)
        pipeline(Readable.fromWeb(signed.body), req).catch(reject)
      }),
  }
  console.log(`\nupload of ${size / MiB} MiB over loopback HTTP to a sink server (separate process)`)
  console.log('| client | mode | MiB/s | client peak RSS - idle (sampled every 10 ms) |\n| --- | --- | ---: | ---: |')
  const plain = (size) => {
    const source = views(size, MiB)
    const body = new ReadableStream({
      pull(controller) {
        const { done, value } = source.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
    })
    return { url, headers: { 'content-length': String(size) }, body, contentLength: size }
  }
  try {
    for (const [name, send] of Object.entries(clients)) {
      // The same bytes unsigned and unframed: what the client and the loopback can do at best.
      const start = performance.now()
      const received = await send(plain(size))
      if (received !== size) throw new Error(`sink got ${received} of ${size} bytes`)
      console.log(
        `| ${name} | baseline: same bytes, no signing, no framing | ${(size / MiB / ((performance.now() - start) / 1000)).toFixed(0)} | |`,
      )
      for (const [mode, checksum] of [
        ['signed', undefined],
        ['signed-trailer', 'crc32c'],
        ['unsigned-trailer', 'crc32'],
      ]) {
        globalThis.gc?.()
        const idle = process.memoryUsage().rss
        let peak = idle
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss)
        }, 10)
        const start = performance.now()
        const signed = await signChunked({
          ...request0,
          url,
          body: views(size, MiB),
          contentLength: size,
          mode,
          checksum,
        })
        const received = await send(signed)
        const seconds = (performance.now() - start) / 1000
        clearInterval(sampler)
        peak = Math.max(peak, process.memoryUsage().rss)
        if (received !== signed.contentLength) throw new Error(`sink got ${received} of ${signed.contentLength} bytes`)
        const label = `${mode}${checksum ? ` + ${checksum.toUpperCase()}` : ''}`
        console.log(
          `| ${name} | ${label} | ${(size / MiB / seconds).toFixed(0)} | ${((peak - idle) / MiB).toFixed(1)} MiB |`,
        )
      }
    }
  } finally {
    sink.kill()
  }
}

if (part === 'rss-child') await rssChild(Number(args[1]), args[2])
else if (part === 'sink-child') await sinkChild()
else {
  console.log(
    `node ${process.version}, ${cpus()[0]?.model} x${cpus().length}, load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  )
  if (part === 'all' || part === 'throughput') await throughput()
  if (part === 'all' || part === 'rss') await rss()
  if (part === 'all' || part === 'http') await http()
}
