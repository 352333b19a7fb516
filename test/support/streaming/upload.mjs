// One streamed upload, run by test/client/streaming-upload.node.test.ts and bench/streaming-memory.mjs
// in Node, Bun or Deno: signChunked over a fresh-chunk source, sent with awsig/client's `send`, against
// the BUILT package. Prints one JSON line: status, response text, transport, peak RSS growth, MiB/s.
//
// Usage: <runtime> test/support/streaming/upload.mjs '<json>' where json is
// { endpoint, region, credentials, bucket, key, size, chunkSize?, pieceSize?, file?, transport? }:
// the source is `file` (read with node:fs, 64 KiB pieces) when given, else freshChunks(size).
// transport: see upload-once.mjs.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs'
import { freshChunks } from './fresh-chunks.mjs'
import { uploadOnce } from './upload-once.mjs'

const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2)
const config = JSON.parse(args[0])
const transport = config.transport ?? 'auto'

/** MiB from /proc/self/status: VmRSS (now) or VmHWM (peak since the last reset). */
function memory(field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))
  return Number(match[1]) / 1024
}

function upload(key, size) {
  const source = config.file && size === config.size ? createReadStream(config.file) : freshChunks(size, config)
  return uploadOnce(config, key, size, source)
}

// Warm up (modules, connection, JIT) so that the baseline holds everything but the upload itself.
const warmUp = await upload(`${config.key}.warm-up`, 256 * 1024)
const idle = memory('VmRSS')
writeFileSync('/proc/self/clear_refs', '5') // resets VmHWM to the current RSS
const started = performance.now()
const result = await upload(config.key, config.size)
const seconds = (performance.now() - started) / 1000
const peak = memory('VmHWM')
console.log(
  JSON.stringify({
    ...result,
    warmUpStatus: warmUp.status,
    transport,
    idleMiB: idle,
    peakMiB: peak,
    growthMiB: peak - idle,
    mibPerSecond: config.size / 2 ** 20 / seconds,
  }),
)
