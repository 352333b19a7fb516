// The built layout (scripts/build.mjs): dist/ from one esbuild build with code splitting, dist/node/ the
// same code in a few files for Node's loader. Each layout holds every module once, so that a class or a
// cache made through one entry works through another; Node loads few files per entry; and dist/node/
// is what the `node` condition selects, with the node:crypto backend bundled in.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist/node/index.js')), 'run `npm run build` first (`npm test` does)').toBe(true)
})

/** Runs ES module source in a fresh `node` from the repository root (so `awsig` is the package itself). */
function node(source: string, args: string[] = []): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [...args, '--input-type=module', '-e', source],
      { cwd: ROOT },
      (error, stdout, stderr) =>
        error === null ? done(stdout.trim()) : fail(new Error(`${error.message}\n${stderr}`)),
    )
  })
}

/** The files of this package that `file` loads statically, itself included, and the other modules. */
function loads(file: string): { files: string[]; modules: string[] } {
  const files = new Set<string>()
  const modules = new Set<string>()
  const visit = (path: string) => {
    if (files.has(path)) return
    files.add(path)
    const text = readFileSync(path, 'utf8')
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gms)) {
      if (spec === undefined) continue
      if (spec.startsWith('.')) visit(resolve(dirname(path), spec))
      else modules.add(spec)
    }
  }
  visit(join(ROOT, file))
  return { files: [...files].map((f) => relative(ROOT, f)), modules: [...modules] }
}

const signAndCount = (awsig: string, client: string) => `
  const { SigningKeyCache, defaultKeyCache } = await import('${awsig}')
  const { createClient } = await import('${client}')
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const keyCache = new SigningKeyCache({ maxEntries: 4 })
  const client = createClient({ region: 'us-east-1', service: 'sqs', credentials, keyCache })
  await client.sign('https://sqs.us-east-1.amazonaws.com/')
  const before = defaultKeyCache.size
  await createClient({ region: 'eu-west-1', service: 'sqs', credentials }).sign('https://sqs.eu-west-1.amazonaws.com/')
  console.log(JSON.stringify([keyCache.size, defaultKeyCache.size - before]))`

describe('the build', () => {
  it('selects dist/node/ for every entry on Node', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
    const specs = Object.keys(pkg.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? 'awsig' : `awsig/${key.slice(2)}`))
    const resolved = JSON.parse(
      await node(`console.log(JSON.stringify(${JSON.stringify(specs)}.map((s) => import.meta.resolve(s))))`),
    ) as string[]
    expect(resolved).toHaveLength(specs.length)
    for (const url of resolved) expect(relative(ROOT, fileURLToPath(url))).toMatch(/^dist\/node\//)
  })

  it('shares one SigningKeyCache class and one default cache between awsig and awsig/client (dist/node/)', async () => {
    // A second copy of the class would throw on the private fields of the other copy's instance.
    expect(JSON.parse(await node(signAndCount('awsig', 'awsig/client')))).toEqual([1, 1])
  })

  it('shares them as well in dist/, the layout bundlers and browsers get', async () => {
    expect(JSON.parse(await node(signAndCount('./dist/index.js', './dist/client/index.js')))).toEqual([1, 1])
  })

  it('loads few files per entry on Node, node:crypto bundled in and no other node:* module in universal code', () => {
    const root = loads('dist/node/index.js')
    expect(root.files.sort()).toEqual(['dist/node/chunks/awsig.js', 'dist/node/chunks/core.js', 'dist/node/index.js'])
    expect(root.modules).toEqual(['node:crypto'])
    const client = loads('dist/node/client/index.js')
    expect(client.files.length).toBeLessThanOrEqual(3)
    expect(client.modules).toEqual(['node:crypto'])
    // Its own group is inlined in its entry file: no other file imports it.
    expect(loads('dist/node/credentials/node.js').files.sort()).toEqual([
      'dist/node/chunks/core.js',
      'dist/node/credentials/node.js',
    ])
  })

  it('gives awsig/client and awsig/credentials the core, not what only awsig needs (aws-chunked, checksums)', () => {
    for (const entry of ['dist/node/client/index.js', 'dist/node/credentials/node.js']) {
      const { files } = loads(entry)
      expect(files).toContain('dist/node/chunks/core.js')
      expect(files).not.toContain('dist/node/chunks/awsig.js')
    }
    expect(readFileSync(join(ROOT, 'dist/node/chunks/core.js'), 'utf8')).not.toMatch(/function signChunked\b/)
  })

  it('keeps #crypto an import in dist/, resolved by each runtime', () => {
    const { modules } = loads('dist/index.js')
    expect(modules).toContain('#crypto')
    expect(modules.filter((m) => m.startsWith('node:'))).toEqual([])
  })
})
