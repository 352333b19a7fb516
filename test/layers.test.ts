// The dependency order of src/, checked: a module imports only from layers below its own (or from its
// own folder), and universal code never imports Node-only code (`node:*`, `*.node.ts`, or a file that
// package.json reaches only through the `node`/`bun`/`deno` conditions). A new folder must be placed
// in LAYERS before anything in it passes. ARCHITECTURE.md explains the order.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const src = join(root, 'src')

/** Bottom to top. A unit is a folder under src/ or a file at its root. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts'], // the error classes every layer throws
  ['lib'], // helpers, AWS error parsing among them
  ['endpoint'], // reading service and region out of AWS hostnames
  ['sign'], // the engine
  ['sigv4a'], // an algorithm on the engine
  ['chunked'], // aws-chunked, payload hashing, checksums, CRCs
  ['event-stream'], // on the engine and chunked's CRCs
  ['verify'], // on the engine, chunked's decoder and event-stream's verifier
  ['index.ts'], // `awsig` itself
  ['protocols'], // wire-protocol builders, FetchLike, credentials sources
  ['client', 'credentials'],
  ['s3'], // S3's jobs, on the client
  ['cli'],
]
/** Folders that are Node-only as a whole. */
const NODE_ONLY_UNITS = new Set(['cli'])

// Group 1: `type ` of a type-only import; 2: a static specifier; 3: a dynamic `import()` specifier.
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

interface Violation {
  file: string
  imports: string
  why: string
}

function unitOf(file: string): string {
  const [first] = file.split('/')
  return first as string
}

function rankOf(unit: string): number | undefined {
  const rank = LAYERS.findIndex((layer) => layer.includes(unit))
  return rank === -1 ? undefined : rank
}

/**
 * Checks `files` (paths relative to src/, POSIX separators, to their source). `nodeOnly` are files the
 * package reaches only through Node conditions; `aliases` maps package imports (`#crypto`) to files.
 */
function checkLayers(
  files: ReadonlyMap<string, string>,
  nodeOnly: ReadonlySet<string>,
  aliases: Readonly<Record<string, string>>,
): Violation[] {
  const violations: Violation[] = []
  const isNodeOnly = (file: string) =>
    file.endsWith('.node.ts') || nodeOnly.has(file) || NODE_ONLY_UNITS.has(unitOf(file))
  for (const [file, text] of files) {
    const unit = unitOf(file)
    const rank = rankOf(unit)
    if (rank === undefined) {
      violations.push({ file, imports: '', why: `${unit} is in no layer: add it to LAYERS (and ARCHITECTURE.md)` })
      continue
    }
    // Examples in doc comments import what users import: only code counts.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    for (const match of code.matchAll(IMPORT)) {
      const specifier = (match[2] ?? match[3]) as string
      // Erased at build time (type-only) or loaded only when called (a dynamic import of a Node-only
      // file, which reaches Node through process.getBuiltinModule): no Node code runs or gets bundled
      // because of the import itself. Layers still apply.
      const runsNode = match[1] === undefined && match[3] === undefined
      if (specifier.startsWith('node:')) {
        if (!isNodeOnly(file) && match[1] === undefined) {
          violations.push({ file, imports: specifier, why: 'universal code imports a Node module' })
        }
        continue
      }
      let target: string | undefined = aliases[specifier]
      if (target === undefined && specifier.startsWith('.')) {
        target = normalize(join(dirname(file), specifier))
          .split('\\')
          .join('/')
          .replace(/\.js$/, '.ts')
      }
      if (target === undefined) continue // a package: the no-runtime-dependency rule is publint's and the build's
      if (runsNode && isNodeOnly(target) && !isNodeOnly(file)) {
        violations.push({ file, imports: target, why: 'universal code imports Node-only code' })
      }
      const targetUnit = unitOf(target)
      const targetRank = rankOf(targetUnit)
      if (targetUnit === unit) continue
      if (targetRank === undefined || targetRank >= rank) {
        violations.push({
          file,
          imports: target,
          why:
            targetRank === rank
              ? `${unit} imports ${targetUnit}, a sibling in the same layer`
              : `${unit} imports ${targetUnit}, a layer above it`,
        })
      }
    }
  }
  return violations
}

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(src, join(entry.parentPath, entry.name)).split('\\').join('/'))
}

/** Files that package.json maps only under a Node condition (`node`, `bun`, `deno`), as src/ paths. */
function nodeConditionFiles(): { nodeOnly: Set<string>; aliases: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  // dist/node/ is the same modules built for Node's loader (scripts/build.mjs).
  const toSrc = (target: string) => target.replace(/^\.\/dist\/(node\/)?/, '').replace(/\.(d\.ts|js)$/, '.ts')
  const universal = new Set<string>()
  const node = new Set<string>()
  const walk = (value: unknown, underNode: boolean) => {
    if (typeof value === 'string') (underNode ? node : universal).add(toSrc(value))
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        // `types` points the type checker at one build; it says nothing about what runs where.
        if (key !== 'types') walk(inner, underNode || ['node', 'bun', 'deno'].includes(key))
      }
    }
  }
  walk(pkg.exports, false)
  walk(pkg.imports, false)
  const aliases: Record<string, string> = {}
  // `#crypto` and the like: universal code may import them; the backend picked is the bundler's business.
  for (const name of Object.keys(pkg.imports ?? {})) aliases[name] = 'lib/crypto/types.ts'
  return { nodeOnly: new Set([...node].filter((file) => !universal.has(file))), aliases }
}

describe('layers', () => {
  it('src/ keeps the dependency order and keeps Node out of universal code', () => {
    const files = new Map(listSources(src).map((file) => [file, readFileSync(join(src, file), 'utf8')]))
    expect(files.size).toBeGreaterThan(30)
    const { nodeOnly, aliases } = nodeConditionFiles()
    expect(nodeOnly).toContain('credentials/node.ts')
    expect(checkLayers(files, nodeOnly, aliases)).toEqual([])
  })

  it('catches an upward import, a sibling import, Node in universal code and an unplaced folder', () => {
    const files = new Map([
      ['sign/sign.ts', "import { createClient } from '../client/client.js'"],
      ['client/client.ts', "import type { Env } from '../credentials/types.js'\nimport { x } from './local.js'"],
      ['credentials/env.ts', "import { readFile } from 'node:fs/promises'"],
      ['credentials/chain.ts', "export { loadSharedConfig } from './config.node.js'"],
      ['credentials/config.node.ts', "import { readFile } from 'node:fs/promises'"],
      ['client/local.ts', "import { typeOf } from '../lib/type-of.js'\nimport { sign } from '#crypto'"],
      ['client/lazy.ts', "import type { Agent } from 'node:http'\nconst t = () => import('./transport.node.js')"],
      ['client/transport.node.ts', "import http from 'node:http'"],
      ['client/eager.ts', "const h = () => import('node:http')"],
      ['mystery/index.ts', ''],
    ])
    const found = checkLayers(files, new Set(), { '#crypto': 'lib/crypto/types.ts' }).map((v) => `${v.file} ${v.why}`)
    expect(found).toEqual([
      'sign/sign.ts sign imports client, a layer above it',
      'client/client.ts client imports credentials, a sibling in the same layer',
      'credentials/env.ts universal code imports a Node module',
      'credentials/chain.ts universal code imports Node-only code',
      'client/eager.ts universal code imports a Node module',
      'mystery/index.ts mystery is in no layer: add it to LAYERS (and ARCHITECTURE.md)',
    ])
  })
})
