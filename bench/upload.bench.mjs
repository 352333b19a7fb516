// uploadObject (awsig/s3): a multipart upload to a loopback S3 stand-in that discards bodies, against
// the single-stream signed aws-chunked upload (signChunked) of the same bytes, and against
// @aws-sdk/lib-storage's Upload on the same job. Each case runs in a fresh process so that its peak RSS
// is its own; the sink runs in another process.
// Run: npm run build (in the repo root), then here:
//   node upload.bench.mjs [--size MiB] [--part MiB] [--rounds n]
//   node upload.bench.mjs --size 6144 --only uploadObject      (the 6 GiB run; RSS check included)
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : args[i + 1]
}
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

// 1 MiB of pseudo-random bytes served as fresh copies, as a file or socket gives them.
const block = new Uint8Array(MiB)
for (let i = 0, x = 1; i < block.length; i++) {
  x ^= x << 13
  x ^= x >>> 17
  x ^= x << 5
  block[i] = x
}
async function* source(total) {
  for (let sent = 0; sent < total; sent += MiB) yield block.slice(0, Math.min(MiB, total - sent))
}

// The sink: enough of S3's multipart API for both clients; bodies are counted and dropped.
function sink() {
  let uploads = 0
  let received = 0
  const server = createServer((req, res) => {
    req.on('data', (chunk) => {
      received += chunk.length
    })
    req.on('end', () => {
      const url = new URL(req.url, 'http://x')
      const key = url.pathname.split('/').slice(2).join('/')
      const xml = (body) => {
        res.writeHead(200, { 'content-type': 'application/xml' })
        res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`)
      }
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        return xml(
          `<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>${key}</Key><UploadId>u${++uploads}</UploadId></InitiateMultipartUploadResult>`,
        )
      }
      if (req.method === 'POST') {
        return xml(
          `<CompleteMultipartUploadResult><Location>http://x/${key}</Location><Bucket>bucket</Bucket><Key>${key}</Key><ETag>"e-1"</ETag></CompleteMultipartUploadResult>`,
        )
      }
      if (req.method === 'GET' && url.pathname === '/received') {
        res.writeHead(200)
        return res.end(String(received))
      }
      res.writeHead(200, { etag: '"e"' })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
}

/** One case in this process: prints { seconds, peak, idle } as JSON. */
async function runCase(name, endpoint, size, partSize) {
  const url = `${endpoint}/bucket/big.bin`
  globalThis.gc?.()
  const idle = process.memoryUsage().rss
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  const start = performance.now()
  if (name === 'signChunked') {
    const { signChunked } = await import('../dist/index.js')
    const signed = await signChunked({
      method: 'PUT',
      url,
      service: 's3',
      region: 'us-east-1',
      credentials,
      body: source(size),
      contentLength: size,
    })
    const response = await fetch(signed.url, {
      method: 'PUT',
      headers: signed.headers,
      body: signed.body,
      duplex: 'half',
    })
    await response.text()
  } else if (name.startsWith('uploadObject')) {
    const { createClient } = await import('../dist/client/index.js')
    const { uploadObject } = await import('../dist/s3/index.js')
    const client = createClient({ credentials, region: 'us-east-1', service: 's3' })
    const concurrency = Number(name.split(' c=')[1]?.split(' ')[0] ?? 2)
    const streamParts = !name.includes('bytes')
    const unsignedPayload = name.includes('unsigned')
    const result = await uploadObject({
      client,
      url,
      body: source(size),
      partSize,
      concurrency,
      streamParts,
      unsignedPayload,
    })
    if (result.size !== size) throw new Error(`uploaded ${result.size} of ${size}`)
  } else if (name.startsWith('lib-storage')) {
    const { S3Client } = await import('@aws-sdk/client-s3')
    const { Upload } = await import('@aws-sdk/lib-storage')
    const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials })
    const queueSize = Number(name.split(' c=')[1] ?? 2)
    const upload = new Upload({
      client,
      params: { Bucket: 'bucket', Key: 'big.bin', Body: Readable.from(source(size)) },
      partSize,
      queueSize,
    })
    await upload.done()
  }
  const seconds = (performance.now() - start) / 1000
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().rss)
  console.log(JSON.stringify({ seconds, peak, idle }))
}

async function main() {
  const size = Number(option('size', 2048)) * MiB
  const partSize = Number(option('part', 8)) * MiB
  const rounds = Number(option('rounds', 1))
  const only = option('only', '')
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), 'sink'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise((resolve) =>
    server.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk)).port)),
  )
  const endpoint = `http://127.0.0.1:${port}`
  console.log(
    `node ${process.version}, ${cpus()[0]?.model} x${cpus().length}, load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  )
  console.log(
    `\n${size / MiB} MiB to a loopback sink (separate process), parts of ${partSize / MiB} MiB; each case in a fresh process`,
  )
  console.log('| case | MiB/s | peak RSS - idle |\n| --- | ---: | ---: |')
  const cases = [
    'signChunked',
    'uploadObject c=2',
    'uploadObject c=2 bytes',
    'uploadObject c=2 unsigned',
    'uploadObject c=4',
    'lib-storage c=2',
    'lib-storage c=4',
  ].filter((c) => c.includes(only) && (only !== '' || !c.includes('unsigned')))
  const results = {}
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of cases) {
        const child = spawn(
          process.execPath,
          ['--expose-gc', fileURLToPath(import.meta.url), 'case', name, endpoint, String(size), String(partSize)],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        )
        let out = ''
        child.stdout.on('data', (chunk) => {
          out += chunk
        })
        const code = await new Promise((resolve) => child.on('exit', resolve))
        if (code !== 0) throw new Error(`${name} exited with ${code}`)
        const r = JSON.parse(out.trim().split('\n').at(-1))
        results[name] = [...(results[name] ?? []), r]
      }
    }
  } finally {
    server.kill()
  }
  const median = (xs) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]
  const rate = {}
  for (const [name, rs] of Object.entries(results)) {
    rate[name] = size / MiB / median(rs.map((r) => r.seconds))
    const growth = median(rs.map((r) => r.peak - r.idle)) / MiB
    console.log(`| ${name} | ${rate[name].toFixed(0)} | ${growth.toFixed(1)} MiB |`)
  }
  if (rate.signChunked && rate['uploadObject c=2']) {
    console.log(
      `\nuploadObject c=2 / signChunked single stream: ${((100 * rate['uploadObject c=2']) / rate.signChunked).toFixed(0)}%`,
    )
  }
}

if (args[0] === 'sink') sink()
else if (args[0] === 'case') await runCase(args[1], args[2], Number(args[3]), Number(args[4]))
else await main()
