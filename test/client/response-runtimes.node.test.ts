// The node-http transport's response in Node, Bun and Deno (all three use node:http through it), run from
// the built package by test/client/fixtures/node-http-response.mjs: a body cancelled while the socket
// still delivers, and a body read in part before a body method.
// Under CI=true a missing Bun or Deno fails; elsewhere it skips loudly.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runtimeBinary } from '../support/runtimes.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCRIPT = join('test', 'client', 'fixtures', 'node-http-response.mjs')
const TIMEOUT = 60_000

function run(command: string, args: string[]): Promise<Record<string, Record<string, unknown>>> {
  expect(existsSync(join(ROOT, 'dist', 'node', 'client', 'index.js')), 'dist/ is missing: run `npm run build`').toBe(
    true,
  )
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' }
  return new Promise((resolve, reject) => {
    execFile(command, [...args, SCRIPT], { cwd: ROOT, env, timeout: TIMEOUT - 10_000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? ''
      try {
        if (error !== null) throw error
        resolve(JSON.parse(line))
      } catch (failure) {
        reject(new Error(`${command} ${SCRIPT} failed (${(failure as Error).message})\n${stdout}\n${stderr}`))
      }
    })
  })
}

const FETCH = {
  cancelled: { survived: true },
  cancelledBodyUsed: true,
  partlyRead: { bodyUsed: true, text: 'TypeError' },
}

describe('the node-http response in each runtime', () => {
  it('Node', { timeout: TIMEOUT }, async () => {
    expect(await run(process.execPath, [])).toEqual(FETCH)
  })

  it('Bun', { timeout: TIMEOUT }, async (ctx) => {
    const bun = runtimeBinary(ctx, 'bun', 'node-http response run')
    expect(await run(bun, [])).toEqual(FETCH)
  })

  // Deno's node:stream cannot tell that its web streams were read (isDisturbed): there the response
  // watches its body stream itself, and must say what fetch says.
  it('Deno', { timeout: TIMEOUT }, async (ctx) => {
    const deno = runtimeBinary(ctx, 'deno', 'node-http response run')
    expect(await run(deno, ['run', '--no-prompt', '--no-lock', '--allow-net', '--allow-read', '--allow-env'])).toEqual(
      FETCH,
    )
  })
})
