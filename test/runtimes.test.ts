// The vector suite against the BUILT package (dist/) in Bun, Deno, headless Chromium and workerd: the same
// cases and checks as test/vectors.test.ts, through the package's own `exports` and `#crypto`
// conditions (node:crypto on Bun and Deno, WebCrypto in the browser bundle). `npm test` builds dist/
// before vitest runs.
//
// Runtimes come from devDependencies (@oven/bun-linux-x64, deno with @deno/linux-x64-glibc) and from
// Debian (`apt-get install -y chromium`); workerd comes with miniflare. AWSIG_BUN, AWSIG_DENO,
// AWSIG_CHROMIUM and AWSIG_WORKERD override the paths.
// A missing runtime fails under CI=true and is skipped, with a warning, elsewhere.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, type TestContext } from 'vitest'
import { type RuntimeName, runtimeBinary } from './support/runtimes.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist', 'index.js')
const RUNNER = join('test', 'runtimes', 'run-portable.mjs')
const TIMEOUT = 60_000
/** The runtime's binary; fails under CI, skips loudly elsewhere, when it is missing. */
function binary(ctx: TestContext, name: RuntimeName): string {
  expect(existsSync(DIST), 'dist/index.js is missing: run `npm run build` first (`npm test` does)').toBe(true)
  return runtimeBinary(ctx, name, 'run of the vector suite')
}

interface Result {
  runtime: string
  backend: string
  ecdsaBackend?: string
  passed: number
  failed: number
  ms: number
}

/** Runs test/runtimes/run-portable.mjs in a runtime from the repository root; returns its result line. */
function runPortable(command: string, args: string[]): Promise<Result> {
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' }
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args, RUNNER],
      { cwd: ROOT, env, timeout: TIMEOUT - 5_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('AWSIG_RESULT '))
        if (error !== null || line === undefined) {
          reject(new Error(`${command} ${args.join(' ')} ${RUNNER} failed (${error?.message})\n${stdout}\n${stderr}`))
        } else {
          resolve(JSON.parse(line.slice('AWSIG_RESULT '.length)) as Result)
        }
      },
    )
  })
}

function report(result: Result, extra: string): void {
  console.log(
    `${result.runtime} (${extra}): ${result.passed} vectors passed, ${result.failed} failed in ${result.ms} ms`,
  )
  expect(result.failed).toBe(0)
  expect(result.passed).toBeGreaterThan(0)
}

/** `report` for a run of the suite bundled by esbuild (WebCrypto): prints its failures first. */
function reportBundle(
  result: Omit<Result, 'backend'> & { failures: string[]; bundleBytes: number },
  backend = 'web.js',
): void {
  for (const failure of result.failures) console.error(`FAIL ${failure}\n`)
  const kind = backend === 'web.js' ? 'WebCrypto' : 'plain-JavaScript'
  report({ ...result, backend }, `${kind} bundle, ${result.bundleBytes} bytes`)
}

describe('vector suite on the built package in other runtimes', () => {
  it('Bun (node:crypto through the package conditions)', { timeout: TIMEOUT }, async (ctx) => {
    const bun = binary(ctx, 'bun')
    const result = await runPortable(bun, [])
    expect(result.backend).toBe(`file://${join(ROOT, 'dist/lib/crypto/crypto.node.js')}`)
    expect(result.ecdsaBackend).toBe(`file://${join(ROOT, 'dist/lib/crypto/ecdsa.node.js')}`)
    report(result, `#crypto -> ${result.backend}`)
  })

  it('Deno (node:crypto through the package conditions)', { timeout: TIMEOUT }, async (ctx) => {
    const deno = binary(ctx, 'deno')
    const result = await runPortable(deno, ['run', '--no-prompt', '--no-lock', `--allow-read=${ROOT}`])
    expect(result.backend).toBe(`file://${join(ROOT, 'dist/lib/crypto/crypto.node.js')}`)
    expect(result.ecdsaBackend).toBe(`file://${join(ROOT, 'dist/lib/crypto/ecdsa.node.js')}`)
    report(result, `#crypto -> ${result.backend}`)
  })

  it('headless Chromium (WebCrypto, bundled by esbuild for the browser)', { timeout: TIMEOUT }, async (ctx) => {
    const executablePath = binary(ctx, 'chromium')
    // Plain JS, also run on its own with `node test/runtimes/chromium.mjs`.
    const { runInChromium } = await import('./runtimes/chromium.mjs')
    const result = await runInChromium({ executablePath })
    reportBundle({ ...result, runtime: result.browser })
  })

  it('workerd (Cloudflare Workers; WebCrypto, bundled by esbuild with the workerd conditions)', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    binary(ctx, 'workerd')
    const { runInWorkerd } = await import('./runtimes/workerd.mjs')
    const result = await runInWorkerd()
    expect(result.runtime).toMatch(/^workerd \d/)
    reportBundle(result)
  })

  it('a runtime without crypto.subtle, on the react-native condition (plain-JavaScript SHA-256 and HMAC)', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const executablePath = binary(ctx, 'chromium')
    const { runPureJsWithoutWebCrypto } = await import('./runtimes/chromium.mjs')
    const result = await runPureJsWithoutWebCrypto({ executablePath })
    reportBundle({ ...result, runtime: `${result.browser}, no crypto.subtle, react-native condition` }, 'pure.js')
    expect(result.passed).toBeGreaterThanOrEqual(100) // AWS's SigV4 suites and the event-stream vectors
  })

  it('the browser bundle without crypto.subtle (a plain-HTTP page): UnsupportedRuntimeError', {
    timeout: TIMEOUT,
  }, async (ctx) => {
    const executablePath = binary(ctx, 'chromium')
    const { runWithoutWebCrypto } = await import('./runtimes/chromium.mjs')
    const result = await runWithoutWebCrypto({ executablePath })
    // The page really lacks WebCrypto, or the test proves nothing.
    expect(result).toMatchObject({ secureContext: false, subtle: 'undefined' })
    for (const call of ['sign', 'presign', 'sigv4a'] as const) {
      expect(result[call], call).toMatchObject({
        name: 'UnsupportedRuntimeError',
        code: 'ERR_UNSUPPORTED_RUNTIME',
        missing: 'crypto.subtle',
        typed: true,
      })
      expect(result[call]?.message).not.toContain('wJalrXUtnFEMI')
    }
  })
})
