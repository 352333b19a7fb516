// Streamed uploads that really stream, end to end in every runtime: the BUILT package's signChunked
// over a real source, sent with awsig/client's `send` (its `auto` transport), to moto_server with
// signature checks on. Node, Bun and Deno upload a 1 GiB file (read with node:fs, a fresh array per
// 64 KiB piece) with peak RSS growth under 64 MiB; workerd (miniflare) uploads 64 MiB from a generator
// of fresh arrays. Each object is read back and compared by SHA-256.
//
// Scripts: test/support/streaming/upload.mjs (Node, Bun, Deno), worker.mjs + workerd.mjs (workerd).
// Under CI=true a missing moto_server, Bun, Deno or miniflare fails; elsewhere it skips loudly.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { sign } from '../../src/index.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'
import { runtimeBinary } from '../support/runtimes.js'
import { freshChunks } from '../support/streaming/fresh-chunks.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCRIPT = join('test', 'support', 'streaming', 'upload.mjs')
const GiB = 2 ** 30
const MiB = 2 ** 20
const LIMIT_MiB = 64
const BUCKET = 'streaming-uploads'
const TIMEOUT = 150_000 // moto takes 1 GiB at about 100 MiB/s on a loaded 2-core machine

interface UploadResult {
  status: number
  text: string
  transport: string
  warmUpStatus: number
  idleMiB: number
  peakMiB: number
  growthMiB: number
  mibPerSecond: number
}

let moto: Moto | null = null
const expectedHashes = new Map<number, Promise<string>>()
const SOURCE_FILE = join(tmpdir(), `awsig-streaming-${process.pid}.bin`)
let sourceFile: Promise<string> | undefined

beforeAll(async () => {
  moto = await startMoto()
  if (moto === null) return
  const response = await s3('PUT', `/${BUCKET}`)
  expect(response.status).toBe(200)
}, 60_000)

afterAll(async () => {
  await stopAllMoto()
  rmSync(SOURCE_FILE, { force: true })
})

/** Writes the 1 GiB source file once (the bytes freshChunks yields) and records its hash. */
function gibFile(): Promise<string> {
  sourceFile ??= (async () => {
    const digest = createHash('sha256')
    const out = createWriteStream(SOURCE_FILE)
    for await (const piece of freshChunks(GiB, { pieceSize: MiB })) {
      digest.update(piece)
      if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
    expectedHashes.set(GiB, Promise.resolve(digest.digest('hex')))
    return SOURCE_FILE
  })()
  return sourceFile
}

function requireMoto(ctx: TestContext): Moto {
  if (moto === null) ctx.skip('moto_server is not installed')
  return moto as Moto
}

async function s3(method: string, path: string): Promise<Response> {
  const server = moto as Moto
  const signed = await sign({
    method,
    url: `${server.endpoint}${path}`,
    service: 's3',
    region: server.region,
    credentials: server.credentials,
    payloadHash: 'UNSIGNED-PAYLOAD',
  })
  return fetch(signed.url, { method, headers: signed.headers })
}

/** SHA-256 of the bytes freshChunks yields for `size`: what the object must hash to. */
function expectedHash(size: number): Promise<string> {
  let hash = expectedHashes.get(size)
  if (hash === undefined) {
    hash = (async () => {
      const digest = createHash('sha256')
      for await (const piece of freshChunks(size)) digest.update(piece)
      return digest.digest('hex')
    })()
    expectedHashes.set(size, hash)
  }
  return hash
}

/** Reads the object back, hashing it as it streams in. */
async function storedObject(key: string): Promise<{ length: number; sha256: string }> {
  const response = await s3('GET', `/${BUCKET}/${key}`)
  expect(response.status).toBe(200)
  const digest = createHash('sha256')
  let length = 0
  for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
    digest.update(piece)
    length += piece.byteLength
  }
  return { length, sha256: digest.digest('hex') }
}

function config(server: Moto, key: string, size: number, file?: string, transport?: string) {
  return JSON.stringify({
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
    bucket: BUCKET,
    key,
    size,
    file,
    transport,
  })
}

/** Runs upload.mjs in a runtime from the repository root; returns its JSON line. */
function runUpload(command: string, args: string[], json: string): Promise<UploadResult> {
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' }
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args, SCRIPT, json],
      { cwd: ROOT, env, timeout: TIMEOUT - 10_000, maxBuffer: 4 * MiB },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? ''
        try {
          if (error !== null) throw error
          resolve(JSON.parse(line) as UploadResult)
        } catch (failure) {
          reject(new Error(`${command} ${SCRIPT} failed (${(failure as Error).message})\n${stdout}\n${stderr}`))
        }
      },
    )
  })
}

async function check(name: string, key: string, size: number, result: UploadResult): Promise<void> {
  console.log(
    `${name} (transport ${result.transport}): ${size / MiB} MiB uploaded at ${result.mibPerSecond.toFixed(0)} MiB/s, ` +
      `peak RSS ${result.peakMiB.toFixed(1)} MiB, ${result.growthMiB.toFixed(1)} MiB over idle`,
  )
  expect(result.warmUpStatus).toBe(200)
  expect({ status: result.status, text: result.text }).toEqual({ status: 200, text: '' })
  expect(result.growthMiB).toBeLessThan(LIMIT_MiB)
  const stored = await storedObject(key)
  expect(stored.length).toBe(size)
  expect(stored.sha256).toBe(await expectedHash(size))
}

function builtPackage(): void {
  expect(existsSync(join(ROOT, 'dist', 'client', 'index.js')), 'dist/ is missing: run `npm run build` first').toBe(true)
}

describe('signChunked + send: a 1 GiB file in flat memory, read back by SHA-256', () => {
  it('Node (node:http)', { timeout: TIMEOUT }, async (ctx) => {
    const server = requireMoto(ctx)
    builtPackage()
    const result = await runUpload(process.execPath, [], config(server, 'node.bin', GiB, await gibFile()))
    expect(result.transport).toBe('auto')
    await check('Node', 'node.bin', GiB, result)
  })

  it("Node, createClient's default transport (node:http), 256 MiB from the generator", {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const server = requireMoto(ctx)
    builtPackage()
    const size = 256 * MiB
    const result = await runUpload(process.execPath, [], config(server, 'node-client.bin', size, undefined, 'client'))
    expect(result.transport).toBe('client')
    await check('Node createClient', 'node-client.bin', size, result)
  })

  it('Bun (its fetch)', { timeout: TIMEOUT }, async (ctx) => {
    const server = requireMoto(ctx)
    builtPackage()
    const bun = runtimeBinary(ctx, 'bun', 'streaming upload')
    await check('Bun', 'bun.bin', GiB, await runUpload(bun, [], config(server, 'bun.bin', GiB, await gibFile())))
  })

  it('Deno (node:http)', { timeout: TIMEOUT }, async (ctx) => {
    const server = requireMoto(ctx)
    builtPackage()
    const deno = runtimeBinary(ctx, 'deno', 'streaming upload')
    // --allow-all: Deno grants /proc/self (peak RSS) to nothing less.
    const args = ['run', '--no-prompt', '--no-lock', '--allow-all']
    await check('Deno', 'deno.bin', GiB, await runUpload(deno, args, config(server, 'deno.bin', GiB, await gibFile())))
  })

  it('workerd, through miniflare (fetch with a FixedLengthStream), 64 MiB with send and with createClient', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const server = requireMoto(ctx)
    builtPackage()
    let worker: Awaited<ReturnType<typeof import('../support/streaming/workerd.mjs').startUploadWorker>>
    try {
      const { startUploadWorker } = await import('../support/streaming/workerd.mjs')
      worker = await startUploadWorker()
    } catch (error) {
      const message = `miniflare/workerd could not start (${(error as Error).message}); install it with npm ci`
      if (process.env.CI === 'true') throw new Error(message, { cause: error })
      console.warn(`\n${'!'.repeat(100)}\nSKIPPING the workerd streaming upload: ${message}\n${'!'.repeat(100)}\n`)
      ctx.skip(message)
      return
    }
    try {
      const size = 64 * MiB
      const result = (await worker.upload(JSON.parse(config(server, 'workerd.bin', size)))) as UploadResult
      await check('workerd', 'workerd.bin', size, result)
      // createClient's default transport for a plain stream body: fetch through a FixedLengthStream too.
      const viaClient = JSON.parse(config(server, 'workerd-client.bin', size, undefined, 'client'))
      await check('workerd createClient', 'workerd-client.bin', size, (await worker.upload(viaClient)) as UploadResult)
    } finally {
      await worker.dispose()
    }
  })
})
