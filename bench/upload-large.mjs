// A very large uploadObject (6 GiB by default) to a loopback S3 stand-in in another process, which
// reassembles the object in part order and hashes it (SHA-256 with node:crypto, CRC-64/NVME with aws-crt),
// holding only the parts that arrive ahead of their turn. The client checks: the stand-in's SHA-256 equals
// the generator's, the full-object CRC-64/NVME that uploadObject sent equals aws-crt's, and peak RSS growth
// stays below concurrency x partSize + 32 MiB.
// Run: npm run build (in the repo root), then here: node upload-large.mjs [--size MiB] [--part MiB] [--concurrency n]
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}

async function sink() {
  const { checksums } = await import('aws-crt')
  const sha = createHash('sha256')
  let crc
  let next = 1
  const waiting = new Map()
  let size = 0
  const take = (bytes) => {
    sha.update(bytes)
    crc = checksums.crc64nvme(bytes, crc)
    size += bytes.length
  }
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url, 'http://x')
      const q = url.searchParams
      if (req.method === 'POST' && q.has('uploads')) {
        res.writeHead(200)
        return res.end('<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>')
      }
      if (req.method === 'PUT') {
        waiting.set(Number(q.get('partNumber')), Buffer.concat(chunks))
        while (waiting.has(next)) {
          take(waiting.get(next))
          waiting.delete(next++)
        }
        res.writeHead(200, { etag: `"p${q.get('partNumber')}"` })
        return res.end()
      }
      if (req.method === 'POST') {
        const crcBase64 = Buffer.from(crc.buffer, crc.byteOffset, crc.byteLength).toString('base64')
        const report = {
          size,
          sha256: sha.digest('hex'),
          crc64nvme: crcBase64,
          sent: req.headers['x-amz-checksum-crc64nvme'],
        }
        console.log(JSON.stringify({ report }))
        res.writeHead(200)
        return res.end('<CompleteMultipartUploadResult><ETag>"done"</ETag></CompleteMultipartUploadResult>')
      }
      res.writeHead(204)
      res.end()
    })
  })
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
}

async function main() {
  const size = option('size', 6144) * MiB
  const partSize = option('part', 8) * MiB
  const concurrency = option('concurrency', 2)
  const { createClient } = await import('../dist/client/index.js')
  const { uploadObject } = await import('../dist/s3/index.js')
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'sink'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = []
  let wake
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (text) => {
    lines.push(...text.trim().split('\n'))
    wake?.()
  })
  const nextLine = async () => {
    while (lines.length === 0) await new Promise((resolve) => (wake = resolve))
    return JSON.parse(lines.shift())
  }
  const { port } = await nextLine()
  console.log(
    `node ${process.version}, ${cpus()[0]?.model} x${cpus().length}, load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  )

  // Deterministic bytes from a ring of 8 buffers refilled in turn (xorshift), so the source makes no garbage.
  const piece = MiB
  const ring = Array.from({ length: 8 }, () => new Uint8Array(piece))
  const expected = createHash('sha256')
  async function* source() {
    let x = 1
    let n = 0
    for (let sent = 0; sent < size; sent += piece) {
      const out = ring[n++ % ring.length].subarray(0, Math.min(piece, size - sent))
      for (let i = 0; i < out.length; i++) {
        x ^= x << 13
        x ^= x >>> 17
        x ^= x << 5
        out[i] = x
      }
      expected.update(out)
      yield out
    }
  }

  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const client = createClient({ credentials, region: 'us-east-1', service: 's3' })
  // Node loads its fetch (undici) on first use: warm it up so its code is not counted as upload memory.
  await (await fetch(`http://127.0.0.1:${port}/warm-up`)).text()
  globalThis.gc?.()
  const idle = process.memoryUsage().rss
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  const start = performance.now()
  const result = await uploadObject({
    client,
    url: `http://127.0.0.1:${port}/bucket/huge.bin`,
    body: source(),
    partSize,
    concurrency,
    checksum: 'crc64nvme',
  })
  const seconds = (performance.now() - start) / 1000
  clearInterval(sampler)
  const { report } = await nextLine()
  if (args.includes('--diagnose')) {
    const mb = (n) => `${(n / MiB).toFixed(1)} MiB`
    const before = process.memoryUsage()
    globalThis.gc?.()
    const after = process.memoryUsage()
    console.log(
      `memory at the end: rss ${mb(before.rss)}, heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} after gc, arrayBuffers ${mb(before.arrayBuffers)} -> ${mb(after.arrayBuffers)}`,
    )
  }
  child.kill()
  const growth = (peak - idle) / MiB
  const bound = (concurrency * partSize) / MiB + 32
  const checks = {
    size: report.size === size && result.size === size,
    sha256: report.sha256 === expected.digest('hex'),
    crc64nvme: report.crc64nvme === report.sent && report.sent === result.checksum.value,
    rss: growth < bound,
  }
  console.log(
    `${size / MiB} MiB, parts of ${partSize / MiB} MiB, concurrency ${concurrency}: ${seconds.toFixed(1)} s (${(size / MiB / seconds).toFixed(0)} MiB/s), ${result.parts} parts, peak RSS growth ${growth.toFixed(1)} MiB (bound ${bound} MiB)`,
  )
  console.log(`checks: ${JSON.stringify(checks)}`)
  if (!Object.values(checks).every(Boolean)) process.exit(1)
}

if (args[0] === 'sink') await sink()
else await main()
