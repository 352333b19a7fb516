// The vector suite against the BUILT package (dist/) in Bun, Deno and headless Chromium: the same
// cases and checks as test/vectors.test.ts, through the package's own `exports` and `#crypto`
// conditions (node:crypto on Bun and Deno, WebCrypto in the browser bundle). `npm test` builds dist/
// before vitest runs.
//
// Runtimes come from devDependencies (@oven/bun-linux-x64, deno with @deno/linux-x64-glibc) and from
// Debian (`apt-get install -y chromium`). AWSIG_BUN, AWSIG_DENO and AWSIG_CHROMIUM override the paths.
// A missing runtime fails under CI=true and is skipped, with a warning, elsewhere.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, type TestContext } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist', 'index.js')
const RUNNER = join('test', 'runtimes', 'run-portable.mjs')
const TIMEOUT = 60_000
const require = createRequire(import.meta.url)

/** A file inside an installed package, or undefined when the package is not installed. */
function inPackage(name: string, file: string): string | undefined {
  try {
    return join(dirname(require.resolve(`${name}/package.json`)), file)
  } catch {
    return undefined
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command)
  }
  return undefined
}

function locate(candidates: (string | undefined)[]): string | undefined {
  return candidates.find((path): path is string => path !== undefined && existsSync(path))
}

const runtimes = {
  bun: {
    path: () => locate([process.env.AWSIG_BUN, inPackage('@oven/bun-linux-x64', 'bin/bun'), onPath('bun')]),
    install: 'npm ci (devDependency @oven/bun-linux-x64)',
  },
  deno: {
    // The platform package ships the binary; found there, it does not depend on deno's postinstall.
    path: () =>
      locate([
        process.env.AWSIG_DENO,
        inPackage('@deno/linux-x64-glibc', 'deno'),
        inPackage('deno', 'deno'),
        onPath('deno'),
      ]),
    install: 'npm ci (devDependency deno, with its optional dependency @deno/linux-x64-glibc)',
  },
  chromium: {
    path: () => locate([process.env.AWSIG_CHROMIUM, '/usr/bin/chromium']),
    install: 'apt-get update && apt-get install -y chromium',
  },
}

/** The runtime's binary; fails under CI, skips loudly elsewhere, when it is missing. */
function binary(ctx: TestContext, name: keyof typeof runtimes): string {
  expect(existsSync(DIST), 'dist/index.js is missing: run `npm run build` first (`npm test` does)').toBe(true)
  const path = runtimes[name].path()
  if (path !== undefined) return path
  const message = `${name} is not installed; install it with: ${runtimes[name].install}`
  if (process.env.CI === 'true') throw new Error(message)
  const bar = '!'.repeat(100)
  console.warn(`\n${bar}\nSKIPPING the ${name} run of the vector suite: ${message}\n${bar}\n`)
  ctx.skip(message)
  return ''
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

describe('vector suite on the built package in other runtimes', () => {
  it('Bun (node:crypto through the package conditions)', { timeout: TIMEOUT }, async (ctx) => {
    const bun = binary(ctx, 'bun')
    const result = await runPortable(bun, [])
    expect(result.backend).toBe(`file://${join(ROOT, 'dist/lib/crypto/node.js')}`)
    expect(result.ecdsaBackend).toBe(`file://${join(ROOT, 'dist/lib/crypto/ecdsa-node.js')}`)
    report(result, `#crypto -> ${result.backend}`)
  })

  it('Deno (node:crypto through the package conditions)', { timeout: TIMEOUT }, async (ctx) => {
    const deno = binary(ctx, 'deno')
    const result = await runPortable(deno, ['run', '--no-prompt', '--no-lock', `--allow-read=${ROOT}`])
    expect(result.backend).toBe(`file://${join(ROOT, 'dist/lib/crypto/node.js')}`)
    expect(result.ecdsaBackend).toBe(`file://${join(ROOT, 'dist/lib/crypto/ecdsa-node.js')}`)
    report(result, `#crypto -> ${result.backend}`)
  })

  it('headless Chromium (WebCrypto, bundled by esbuild for the browser)', { timeout: TIMEOUT }, async (ctx) => {
    const executablePath = binary(ctx, 'chromium')
    // Plain JS, also run on its own with `node test/runtimes/chromium.mjs`.
    const { runInChromium } = await import('./runtimes/chromium.mjs')
    const result = await runInChromium({ executablePath })
    for (const failure of result.failures) console.error(`FAIL ${failure}\n`)
    report(
      { runtime: result.browser, backend: 'web.js', passed: result.passed, failed: result.failed, ms: result.ms },
      `WebCrypto bundle, ${result.bundleBytes} bytes`,
    )
  })
})
