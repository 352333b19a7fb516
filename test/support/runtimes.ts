// Where the other runtimes' binaries are: devDependencies (@oven/bun-linux-x64, deno with
// @deno/linux-x64-glibc, miniflare's workerd), Debian's chromium, or PATH. AWSIG_BUN, AWSIG_DENO,
// AWSIG_CHROMIUM and AWSIG_WORKERD override (miniflare itself runs the workerd it depends on).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import type { TestContext } from 'vitest'

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

export const runtimes = {
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
  workerd: {
    // miniflare (a devDependency) starts the binary of its dependency `workerd`, from this platform package.
    path: () => locate([process.env.AWSIG_WORKERD, inPackage('@cloudflare/workerd-linux-64', 'bin/workerd')]),
    install: 'npm ci (devDependency miniflare, with workerd and its platform package @cloudflare/workerd-linux-64)',
  },
}

export type RuntimeName = keyof typeof runtimes

/** The runtime's binary; fails under CI (`CI=true`), skips loudly elsewhere, when it is missing. */
export function runtimeBinary(ctx: TestContext, name: RuntimeName, what: string): string {
  const path = runtimes[name].path()
  if (path !== undefined) return path
  const message = `${name} is not installed; install it with: ${runtimes[name].install}`
  if (process.env.CI === 'true') throw new Error(message)
  const bar = '!'.repeat(100)
  console.warn(`\n${bar}\nSKIPPING the ${name} ${what}: ${message}\n${bar}\n`)
  ctx.skip(message)
  return ''
}
