// The README's code cannot rot: every ```ts / ```js block is type-checked against the package's
// sources (each subpath mapped as package.json exports it), and blocks that state results in
// `// <expression> === <value>` comments are run and those results checked.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// Inside node_modules so that the snippets' own imports (undici, axios, got, ky) resolve; never shipped.
const WORK = join(ROOT, 'node_modules', '.cache', 'awsig-readme')

interface Block {
  /** 1-based line of the block's first code line in README.md. */
  line: number
  lang: 'ts' | 'js'
  code: string
}

function readmeBlocks(): Block[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js)\s*$/.exec(lines[i] as string)
    if (open === null) continue
    const start = i + 1
    while (i + 1 < lines.length && lines[i + 1] !== '```') i++
    blocks.push({ line: start + 1, lang: open[1] as 'ts' | 'js', code: lines.slice(start, i + 1).join('\n') })
    i++
  }
  return blocks
}

// The names the snippets use without defining them: what a reader already has in hand.
const AMBIENT = `
declare const credentials: import('awsig').Credentials
declare const accessKeyId: string
declare const secretAccessKey: string
declare const sessionToken: string
declare const roleArn: string
declare const sign: typeof import('awsig').sign
declare const options: import('awsig').SignOptions
declare const request: Omit<import('awsig').SignOptions, 'credentials'>
declare const client: import('awsig/client').Client
`

/** Each subpath as package.json exports it (the `node` condition where there is one), to its source. */
function subpathSources(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { node?: { types: string }; types?: string; default?: { types: string } }>
  }
  const paths: Record<string, string[]> = { '#crypto': [join(ROOT, 'src/lib/crypto/crypto.node.ts')] }
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue
    const types = target.node?.types ?? target.types ?? target.default?.types
    if (types === undefined) continue
    const source = types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts')
    paths[subpath === '.' ? 'awsig' : `awsig/${subpath.slice(2)}`] = [join(ROOT, source)]
  }
  return paths
}

const blocks = readmeBlocks()
// AWS's documentation example key pair.
const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

describe('README code blocks', () => {
  it('has the snippets the README promises (adapters, protocol helpers, send)', () => {
    const all = blocks.map((b) => b.code).join('\n')
    for (const name of [
      'createAxiosInterceptor',
      'createUndiciInterceptor',
      'createGotHook',
      'createKyHook',
      'createNodeHttpSigner',
      'uriPath',
      'greedy',
      'awsQuery',
      'awsJson',
      'xmlText',
      'queryString',
      'signChunked',
      'send(',
    ]) {
      expect(all, `a README code block using ${name}`).toContain(name)
    }
  })

  it('type-checks every ts/js block against the sources', { timeout: 120_000 }, async () => {
    rmSync(WORK, { recursive: true, force: true })
    mkdirSync(WORK, { recursive: true })
    const files: string[] = []
    for (const block of blocks) {
      const file = `readme-line-${block.line}.ts`
      // `export {}` makes each block a module, so the blocks' top-level names do not collide.
      writeFileSync(join(WORK, file), `${block.code}\nexport {}\n`)
      files.push(file)
    }
    writeFileSync(join(WORK, 'ambient.d.ts'), AMBIENT)
    const tsconfig = {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022', 'dom'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        paths: subpathSources(),
      },
      files: ['ambient.d.ts', ...files],
    }
    writeFileSync(join(WORK, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    writeFileSync(join(WORK, 'package.json'), '{ "type": "module" }\n')
    const output = await new Promise<string>((resolve) => {
      execFile(
        join(ROOT, 'node_modules', '.bin', 'tsc'),
        ['-p', join(WORK, 'tsconfig.json'), '--pretty', 'false'],
        { cwd: WORK, maxBuffer: 8 * 1024 * 1024 },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
      )
    })
    // Point each error at README.md's own line.
    const errors = output
      .split('\n')
      .filter((l) => l.includes('error TS'))
      .map((l) =>
        l.replace(/readme-line-(\d+)\.ts\((\d+),(\d+)\)/, (_m, start, line, col) => {
          return `README.md:${Number(start) + Number(line) - 1}:${col}`
        }),
      )
    expect(errors).toEqual([])
  })

  const checked = blocks.filter((b) => /^\s*\/\/ .+ === .+$/m.test(b.code))

  it('finds blocks with stated results', () => {
    expect(checked.length).toBeGreaterThan(0)
  })

  for (const block of checked) {
    it(`runs the block at README.md:${block.line} and gets the results it states`, async () => {
      const calls: Array<[string, unknown]> = []
      const stub = { fetch: async (url: string, init: unknown) => calls.push([url, init]) }
      // Each `// expr === value` comment becomes a check; imports of awsig go to its sources.
      const assertions = [...block.code.matchAll(/^\s*\/\/ (.+?) === (.+)$/gm)].map(
        ([, actual, wanted]) => `__checks.push([${JSON.stringify(actual)}, ${actual}, ${wanted}])`,
      )
      const source = `${block.code}\n${assertions.join('\n')}`
      // One bundle, awsig taken from its sources, so Node runs it as it is.
      const alias = Object.fromEntries(Object.entries(subpathSources()).map(([name, [path]]) => [name, path as string]))
      const file = join(WORK, `run-${block.line}.mjs`)
      mkdirSync(WORK, { recursive: true })
      await build({
        stdin: { contents: source, loader: block.lang, resolveDir: WORK, sourcefile: `README.md:${block.line}` },
        bundle: true,
        platform: 'node',
        format: 'esm',
        alias,
        outfile: file,
        logLevel: 'silent',
      })
      const checks: Array<[string, unknown, unknown]> = []
      // What the reader has in hand, and a fetch that records instead of going to AWS.
      const scope = globalThis as Record<string, unknown>
      const realFetch = globalThis.fetch
      Object.assign(scope, { __checks: checks, client: stub, credentials: EXAMPLE_CREDENTIALS })
      globalThis.fetch = (async (url: string, init: unknown) => {
        calls.push([String(url), init])
        return new Response('')
      }) as typeof fetch
      try {
        await import(/* @vite-ignore */ `${pathToFileURL(file).href}?t=${Date.now()}`)
      } finally {
        globalThis.fetch = realFetch
        for (const name of ['__checks', 'client', 'credentials']) delete scope[name]
      }
      expect(calls.length, 'the block sends what it builds').toBeGreaterThan(0)
      expect(checks.length).toBe(assertions.length)
      for (const [expression, actual, wanted] of checks) expect(actual, expression).toEqual(wanted)
    })
  }
})
