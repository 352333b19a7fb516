// awsig/verify: verifying a header-signed request against signing it (goal: at most 1.2x), and verifying
// an aws-chunked body against raw node:crypto SHA-256 over the same payload (goal: at least 85%), with peak
// RSS while a 1 GiB body streams through. Medians of interleaved rounds (a shared machine is noisy).
// Run: npm run build (in the repo root), then here:
//   node --expose-gc verify.bench.mjs            all parts
//   node verify.bench.mjs header                 [--rounds n] [--kind get|post|mix]
//   node --expose-gc verify.bench.mjs chunked    [--size MiB] [--rounds n]
//   node verify.bench.mjs rss                    1 GiB streamed through signChunked -> verifyRequest
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { sign, signChunked } from '../dist/index.js'
import { verifyRequest } from '../dist/verify/index.js'

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const part = ['header', 'chunked', 'rss', 'rss-child'].find((p) => args[0] === p) ?? 'all'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const date = new Date('2024-05-01T12:34:56Z')
const now = () => date.getTime()
const encoder = new TextEncoder()
const cpuMs = ({ user, system }) => (user + system) / 1000
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function header() {
  const rounds = option('rounds', 40)
  const n = 1000
  // A typical S3 GET and a JSON POST: the same inputs for sign and for verify.
  const kind = args.includes('--kind') ? args[args.indexOf('--kind') + 1] : 'mix' // get | post | mix
  const inputs = Array.from({ length: n }, (_, i) =>
    kind === 'get' || (kind === 'mix' && i % 2 === 0)
      ? {
          method: 'GET',
          url: `https://bucket.s3.us-east-1.amazonaws.com/photos/2024/img-${i}.jpg?versionId=v${i}`,
          service: 's3',
        }
      : {
          method: 'POST',
          url: 'https://dynamodb.us-east-1.amazonaws.com/',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
          body: `{"TableName":"t","Key":{"id":{"S":"${i}"}}}`,
          service: 'dynamodb',
        },
  )
  const signed = []
  for (const input of inputs) {
    const s = await sign({ ...input, region: 'us-east-1', credentials, date })
    // A server receives the body as bytes.
    signed.push({
      method: s.method,
      url: s.url,
      headers: s.headers,
      body: input.body === undefined ? null : encoder.encode(input.body),
    })
  }
  const options = { credentials, region: 'us-east-1', now }
  const signTimes = []
  const verifyTimes = []
  // Round 0 warms the JIT up and is not counted.
  for (let round = 0; round <= rounds; round++) {
    let t = performance.now()
    for (const input of inputs) await sign({ ...input, region: 'us-east-1', credentials, date })
    const signTime = (performance.now() - t) / n
    t = performance.now()
    // The verified body is a stream made when first read; reading it is the server's own I/O.
    for (const request of signed) await verifyRequest(request, options)
    if (round === 0) continue
    signTimes.push(signTime)
    verifyTimes.push((performance.now() - t) / n)
  }
  const s = median(signTimes) * 1000
  const v = median(verifyTimes) * 1000
  const ratio = median(verifyTimes.map((t, i) => t / signTimes[i]))
  // Under load the fastest round of each is the least disturbed one.
  const best = Math.min(...verifyTimes) / Math.min(...signTimes)
  const what = {
    get: 'S3 GETs',
    post: 'DynamoDB POSTs with a body',
    mix: 'half S3 GET, half DynamoDB POST with a body',
  }[kind]
  console.log(`header-signed requests (${what}), ${n} per round, ${rounds} rounds`)
  console.log(`  sign:   ${s.toFixed(2)} µs/request`)
  console.log(`  verify: ${v.toFixed(2)} µs/request`)
  console.log(
    `  verify / sign = ${ratio.toFixed(2)}x (median of the rounds' ratios), ${best.toFixed(2)}x (fastest rounds); goal <= 1.2x`,
  )
}

/** The aws-chunked encoding of `size` bytes, kept as 1 MiB pieces, and its signed headers. */
async function encodeBody(size, mode) {
  const block = new Uint8Array(MiB)
  for (let i = 0, x = 1; i < block.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    block[i] = x
  }
  const payload = function* () {
    for (let sent = 0; sent < size; sent += MiB) yield block
  }
  const signed = await signChunked({
    method: 'PUT',
    url: 'https://b.s3.amazonaws.com/big',
    service: 's3',
    region: 'us-east-1',
    credentials,
    date,
    body: payload(),
    contentLength: size,
    mode,
  })
  const pieces = []
  for await (const piece of signed.body) pieces.push(piece)
  // Re-cut into 1 MiB pieces, as a socket would deliver them.
  const total = pieces.reduce((n, p) => n + p.length, 0)
  const whole = new Uint8Array(total)
  let offset = 0
  for (const p of pieces) {
    whole.set(p, offset)
    offset += p.length
  }
  const cut = []
  for (let at = 0; at < total; at += MiB) cut.push(whole.subarray(at, Math.min(total, at + MiB)))
  return { headers: signed.headers, url: signed.url, pieces: cut }
}

async function chunked() {
  const size = option('size', 256) * MiB
  const rounds = option('rounds', 7)
  console.log(
    `\naws-chunked bodies, ${size / MiB} MiB payload in 64 KiB chunks, received in 1 MiB pieces, ${rounds} rounds`,
  )
  for (const mode of ['signed', 'signed-trailer', 'unsigned-trailer']) {
    const { headers, url, pieces } = await encodeBody(size, mode)
    const raw = []
    const verify = []
    const cpuRatios = []
    // Round 0 warms the JIT up and is not counted.
    for (let round = 0; round <= rounds; round++) {
      globalThis.gc?.()
      let t = performance.now()
      // The floor: SHA-256 over the very bytes the verifier reads (the received encoded body).
      let cpu = process.cpuUsage()
      const hash = createHash('sha256')
      for (const piece of pieces) hash.update(piece)
      hash.digest()
      const rawTime = performance.now() - t
      const rawCpu = cpuMs(process.cpuUsage(cpu))
      globalThis.gc?.()
      t = performance.now()
      cpu = process.cpuUsage()
      const verified = await verifyRequest({ method: 'PUT', url, headers, body: pieces }, { credentials, now })
      let received = 0
      for await (const piece of verified.body) received += piece.length
      if (received !== size) throw new Error(`decoded ${received} bytes`)
      const verifyCpu = cpuMs(process.cpuUsage(cpu))
      if (round === 0) continue
      raw.push(rawTime)
      verify.push(performance.now() - t)
      cpuRatios.push(rawCpu / verifyCpu)
    }
    const ratio = median(raw.map((r, i) => r / (verify[i] ?? r)))
    const rawMiBs = size / MiB / (median(raw) / 1000)
    const verifyMiBs = size / MiB / (median(verify) / 1000)
    console.log(
      `  ${mode.padEnd(16)} verify ${verifyMiBs.toFixed(0)} MiB/s, raw SHA-256 ${rawMiBs.toFixed(0)} MiB/s: ${(100 * ratio).toFixed(0)}% (median of pairs; by CPU time ${(100 * median(cpuRatios)).toFixed(0)}%; goal >= 85%)`,
    )
  }
}

/** Peak RSS while 1 GiB streams from signChunked straight into verifyRequest, in a fresh process. */
async function rss() {
  const size = option('size', 1024)
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'rss-child', '--size', String(size)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  for await (const piece of child.stdout) out += piece
  console.log(`\n${out.trim()}`)
}

async function rssChild() {
  const size = option('size', 1024) * MiB
  const block = new Uint8Array(MiB).fill(7)
  const source = function* () {
    for (let sent = 0; sent < size; sent += MiB) yield block
  }
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  const t = performance.now()
  const signed = await signChunked({
    method: 'PUT',
    url: 'https://b.s3.amazonaws.com/big',
    service: 's3',
    region: 'us-east-1',
    credentials,
    date,
    body: source(),
    contentLength: size,
    checksum: 'crc32',
  })
  const verified = await verifyRequest(
    { method: 'PUT', url: signed.url, headers: signed.headers, body: signed.body },
    { credentials, now },
  )
  let received = 0
  for await (const piece of verified.body) received += piece.length
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  if (received !== size) throw new Error(`decoded ${received} bytes`)
  console.log(
    `${size / MiB} MiB signed (signed-trailer, crc32) and verified in one stream: peak RSS ${((peak - base) / MiB).toFixed(0)} MiB above the start (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  )
}

console.log(
  `node ${process.version}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
if (part === 'rss-child') await rssChild()
else {
  if (part === 'all' || part === 'header') await header()
  if (part === 'all' || part === 'chunked') await chunked()
  if (part === 'all' || part === 'rss') await rss()
}
