// awsig/event-stream: decoding throughput against @smithy/eventstream-codec (the AWS SDK's codec),
// memory over 1 GiB of frames, and the cost of signing a message against the cryptography it needs.
// Medians of interleaved rounds in one process (a shared machine is noisy).
// Run: npm run build (in the repo root), then here:
//   node --expose-gc event-stream.bench.mjs              all three parts
//   node --expose-gc event-stream.bench.mjs decode       [--rounds n]
//   node --expose-gc event-stream.bench.mjs memory       [--size MiB]  (default 1024)
//   node --expose-gc event-stream.bench.mjs sign         [--rounds n]
import { createHash, createHmac, hash as oneShotHash } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
// The splitter the SDK puts before the codec (exported by @smithy/core, which the codec depends on).
import { getChunkedStream } from '@smithy/core/event-streams'
import { EventStreamCodec, MessageDecoderStream } from '@smithy/eventstream-codec'
import {
  createEventSigner,
  createEventStreamDecoder,
  decodeEventStream,
  encodeEventMessage,
} from '../dist/event-stream/index.js'
import { sigv4 } from '../dist/index.js'
import { importInternal } from './internal.mjs'

// One chain step with no API around it: createChain is internal, bundled from src/.
const { createChain } = await importInternal('sign/chain.ts')

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const part = ['decode', 'memory', 'sign'].find((p) => args[0] === p) ?? 'all'
const ROUNDS = option('rounds', 7)
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
)

// A typical response event: Bedrock/S3 Select style headers and a payload of `size` bytes.
function message(size, i = 0) {
  const payload = new Uint8Array(size)
  for (let j = 0; j < size; j++) payload[j] = (i * 31 + j * 7) & 0xff
  return {
    headers: { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
    payload,
  }
}

/** `count` frames of `size`-byte payloads, as one buffer, and as the 64 KiB reads a socket would give. */
function corpus(size, totalBytes) {
  const frames = []
  let total = 0
  for (let i = 0; total < totalBytes; i++) {
    const f = encodeEventMessage(message(size, i))
    frames.push(f)
    total += f.length
  }
  const bytes = new Uint8Array(total)
  let o = 0
  for (const f of frames) {
    bytes.set(f, o)
    o += f.length
  }
  const reads = []
  for (let i = 0; i < bytes.length; i += 64 * 1024) reads.push(bytes.subarray(i, i + 64 * 1024))
  return { frames, bytes, reads }
}

function time(fn) {
  const start = process.hrtime.bigint()
  const result = fn()
  return { ns: Number(process.hrtime.bigint() - start), result }
}
async function timeAsync(fn) {
  const start = process.hrtime.bigint()
  const result = await fn()
  return { ns: Number(process.hrtime.bigint() - start), result }
}

async function decodeBench() {
  console.log('\n## Decoding throughput (MB/s of frames; medians of %d interleaved rounds)\n', ROUNDS)
  console.log(
    'Same task: 64 KiB reads (frames cut anywhere) to messages. "smithy SDK pipeline" is what the AWS SDK runs (getChunkedStream + MessageDecoderStream + EventStreamCodec); "smithy codec.decode, frames pre-cut" gives smithy each frame already cut out, which no real stream does (a lower bound on its cost).\n',
  )
  const rows = []
  for (const [label, size, total] of [
    ['100 B payloads', 100, 16 * MiB],
    ['64 KiB payloads', 64 * 1024, 64 * MiB],
  ]) {
    const { frames, bytes, reads } = corpus(size, total)
    const cases = {
      'smithy SDK pipeline (async)': async () => {
        let n = 0
        const source = (async function* () {
          yield* reads
        })()
        const stream = new MessageDecoderStream({ inputStream: getChunkedStream(source), decoder: codec })
        for await (const m of stream) n += m.body.length
        return n
      },
      'smithy codec.decode, frames pre-cut (sync)': () => {
        let n = 0
        for (const f of frames) n += codec.decode(f).body.length
        return n
      },
      'awsig decodeEventStream (async)': async () => {
        let n = 0
        for await (const m of decodeEventStream(reads)) n += m.payload.length
        return n
      },
      'awsig createEventStreamDecoder (sync)': () => {
        const d = createEventStreamDecoder()
        let n = 0
        for (const r of reads) for (const m of d.push(r)) n += m.payload.length
        d.end()
        return n
      },
    }
    const runs = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
    for (let round = 0; round < ROUNDS + 1; round++) {
      let expected
      for (const [name, fn] of Object.entries(cases)) {
        globalThis.gc?.()
        const { ns, result } = await timeAsync(fn)
        if (expected !== undefined && result !== expected) throw new Error(`${name} disagrees`)
        expected = result
        if (round > 0) runs[name].push(ns) // round 0 warms up
      }
    }
    const mbps = (ns) => (bytes.length / 1e6 / (ns / 1e9)).toFixed(0)
    const pipeline = median(runs['smithy SDK pipeline (async)'])
    const precut = median(runs['smithy codec.decode, frames pre-cut (sync)'])
    for (const [name, ns] of Object.entries(runs)) {
      const m = median(ns)
      rows.push({
        messages: label,
        decoder: name,
        'MB/s': mbps(m),
        'messages/s': Math.round(frames.length / (m / 1e9)).toLocaleString('en'),
        'vs SDK pipeline': `${(pipeline / m).toFixed(2)}x`,
        'vs pre-cut codec': `${(precut / m).toFixed(2)}x`,
      })
    }
  }
  console.table(rows)
}

async function memoryBench() {
  const size = option('size', 1024) * MiB
  console.log(`\n## Memory over ${size / MiB} MiB of frames through decodeEventStream\n`)
  for (const [label, payload] of [
    ['64 KiB payloads', 64 * 1024],
    ['100 B payloads', 100],
  ]) {
    // One 4 MiB block of frames, served as fresh 64 KiB reads (each read is new memory, as from a socket).
    const { bytes } = corpus(payload, 4 * MiB)
    const usable = bytes.length
    // Whole passes over the block (it holds whole frames), so the stream ends between two messages.
    async function* source() {
      for (let sent = 0; sent < size; ) {
        for (let offset = 0; offset < usable; offset += 64 * 1024) {
          const piece = bytes.slice(offset, Math.min(offset + 64 * 1024, usable))
          sent += piece.length
          yield piece
        }
      }
    }
    globalThis.gc?.()
    const before = process.memoryUsage()
    let peakRss = before.rss
    let peakHeap = before.heapUsed
    let messages = 0
    let decoded = 0
    const started = performance.now()
    for await (const m of decodeEventStream(source())) {
      messages++
      decoded += m.payload.length
      if ((messages & 1023) === 0) {
        const now = process.memoryUsage()
        peakRss = Math.max(peakRss, now.rss)
        peakHeap = Math.max(peakHeap, now.heapUsed)
      }
    }
    const seconds = (performance.now() - started) / 1000
    console.log(
      `${label}: ${messages.toLocaleString('en')} messages, ${(decoded / MiB).toFixed(0)} MiB of payload in ${seconds.toFixed(1)} s; ` +
        `RSS ${(before.rss / MiB).toFixed(0)} MiB before, peak ${(peakRss / MiB).toFixed(0)} MiB (+${((peakRss - before.rss) / MiB).toFixed(0)}); ` +
        `heap peak +${((peakHeap - before.heapUsed) / MiB).toFixed(0)} MiB`,
    )
  }
}

async function signBench() {
  console.log('\n## Signing one message (ns per message; medians of %d interleaved rounds)\n', ROUNDS)
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const date = new Date('2024-05-01T12:34:56Z')
  const scope = '20240501/us-east-1/transcribe/aws4_request'
  const rawKey = (() => {
    const h = (k, d) => createHmac('sha256', k).update(d).digest()
    return h(h(h(h(`AWS4${credentials.secretAccessKey}`, '20240501'), 'us-east-1'), 'transcribe'), 'aws4_request')
  })()
  const preparedKey = sigv4.key(credentials, '20240501', 'us-east-1', 'transcribe', null)
  const rows = []
  for (const [label, size, n] of [
    ['100 B message', 100, 100_000],
    ['64 KiB message', 64 * 1024, 3_000],
  ]) {
    const object = message(size)
    const inner = encodeEventMessage(object)
    const dateHash = createHash('sha256').update('x').digest('hex')
    let previous = 'e1d8e8c8815e60969f2a34765c9a15945ffc0badbaa4b7e3b163ea19131e949b'
    const cases = {
      // The floor, as node:crypto's plain API does it: HMAC of the string to sign + SHA-256 of the message.
      'floor: createHmac + hash(message)': () => {
        for (let i = 0; i < n; i++) {
          const payloadHash = oneShotHash('sha256', inner, 'hex')
          previous = createHmac('sha256', rawKey)
            .update(`AWS4-HMAC-SHA256-PAYLOAD\n20240501T123456Z\n${scope}\n${previous}\n${dateHash}\n${payloadHash}`)
            .digest('hex')
        }
      },
      // The same with awsig's prepared-key HMAC (one chain step of createChain): the stricter floor.
      'floor: chain step (prepared HMAC) + hash(message)': () => {
        const chain = createChain(sigv4, preparedKey, '20240501T123456Z', scope, previous)
        for (let i = 0; i < n; i++) {
          const payloadHash = oneShotHash('sha256', inner, 'hex')
          chain.sign('payload', `${dateHash}\n${payloadHash}`)
        }
      },
      'awsig createEventSigner().sign(bytes)': () => {
        const signer = createEventSigner({ credentials, region: 'us-east-1', service: 'transcribe', seed: previous })
        for (let i = 0; i < n; i++) signer.sign(inner, date)
      },
      // The message as headers and payload: awsig encodes it too (and then knows its CRC).
      'awsig createEventSigner().sign({ headers, payload })': () => {
        const signer = createEventSigner({ credentials, region: 'us-east-1', service: 'transcribe', seed: previous })
        for (let i = 0; i < n; i++) signer.sign(object, date)
      },
    }
    // The key derivation (first use of these credentials) is asynchronous: let it finish first, so
    // that the loops measure the synchronous path every later message takes.
    const warm = createEventSigner({ credentials, region: 'us-east-1', service: 'transcribe', seed: previous })
    if (!((await warm.sign(inner, date)) instanceof Uint8Array)) throw new Error('no envelope')
    if (warm.sign(inner, date) instanceof Promise) throw new Error('signing is not synchronous after warm-up')
    const runs = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
    for (let round = 0; round < ROUNDS + 1; round++) {
      for (const [name, fn] of Object.entries(cases)) {
        globalThis.gc?.()
        const { ns } = time(fn)
        if (round > 0) runs[name].push(ns / n)
      }
    }
    const floor1 = median(runs['floor: createHmac + hash(message)'])
    const floor2 = median(runs['floor: chain step (prepared HMAC) + hash(message)'])
    for (const [name, xs] of Object.entries(runs)) {
      const m = median(xs)
      rows.push({
        message: label,
        case: name,
        'ns/message': m.toFixed(0),
        'vs createHmac floor': `${(m / floor1).toFixed(2)}x`,
        'vs chain-step floor': `${(m / floor2).toFixed(2)}x`,
      })
    }
  }
  console.table(rows)
}

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
)
if (part === 'all' || part === 'decode') await decodeBench()
if (part === 'all' || part === 'sign') await signBench()
if (part === 'all' || part === 'memory') await memoryBench()
