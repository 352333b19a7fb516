// Builds dist/: esbuild writes the JavaScript, tsc the .d.ts files (source layout). One esbuild build with
// code splitting over every file package.json points at writes dist/ (what bundlers and browsers get:
// fine-grained chunks, which tree-shake file by file); the same output, its chunks folded into a few
// groups, is dist/node/, what Node, Bun and Deno load through the `node` condition: Node's ESM loader
// pays for every file it resolves and reads, and `awsig` loads 3 files there instead of 13.
// Run: npm run build   (`node scripts/build.mjs --layout` prints the groups and what each entry loads)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
const NODE_DIR = 'dist/node/'

/** Every .js file under `value` (a package.json field), as written there: ./dist/a/b.js */
function targetsOf(value, into = new Set()) {
  if (typeof value === 'string') {
    if (value.endsWith('.js')) into.add(value)
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) targetsOf(v, into)
  }
  return into
}

// `browser` names files that browser bundlers leave out (the client's node:http transport, loaded lazily):
// each must be a file of its own, at that path.
const allTargets = [...targetsOf([pkg.exports, pkg.imports, pkg.bin, pkg.main, Object.keys(pkg.browser ?? {})])].map(
  (t) => {
    if (!t.startsWith('./dist/')) throw new Error(`build: package.json points outside dist/: ${t}`)
    return t.slice(2)
  },
)

/** The entries Node loads from dist/node/, as their dist/ twin: dist/node/a.js -> dist/a.js */
const nodeTwins = () => allTargets.filter((t) => t.startsWith(NODE_DIR)).map((t) => `dist/${t.slice(NODE_DIR.length)}`)

/** The sources of the split build: every file package.json points at, dist/node/ ones by their twin. */
export const entryPoints = () =>
  [...new Set([...allTargets.filter((t) => !t.startsWith(NODE_DIR)), ...nodeTwins()])]
    .sort()
    .map((t) => `src/${t.slice('dist/'.length, -'.js'.length)}.ts`)

/** `#crypto` -> the dist files it may resolve to (one per runtime condition). */
const internalImports = new Map(
  Object.entries(pkg.imports).map(([key, value]) => [key, [...targetsOf(value)].map((t) => t.slice(2))]),
)
/** `#crypto` -> the file it resolves to on Node (the `node` condition): the node:crypto backends. */
const nodeBackends = new Map(Object.entries(pkg.imports).map(([key, value]) => [key, value.node.slice(2)]))

/**
 * The one esbuild build over ALL entry points with code splitting, so that a module shared by two entries
 * exists once (one `defaultKeyCache`, one `SigningKeyCache` class for `instanceof` and private fields).
 * `#crypto` and `#crypto-ecdsa` stay imports, resolved by the user's runtime through package.json's
 * `imports` conditions (node:crypto on Node, WebCrypto elsewhere); their targets are entries themselves.
 */
export function splitBuild() {
  return build({
    absWorkingDir: ROOT,
    entryPoints: entryPoints(),
    outbase: 'src',
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: [...internalImports.keys(), 'node:*'],
    chunkNames: 'chunks/[name]-[hash]',
    // Readable output, like tsc's; no source maps (src/ is not shipped).
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    write: false,
    logLevel: 'warning',
  })
}

/**
 * dist/node/: esbuild makes one chunk per set of entries sharing code (32 chunks, 13 files for `awsig`);
 * this folds them into a core group (what the three entries loaded most share) and one group per entry,
 * taken in turn, most used first (`awsig`, `awsig/client`, `awsig/credentials`, the other universal
 * entries, then the Node-only ones): an entry's group is every chunk it loads that no earlier group took,
 * so each entry loads the core, its own group and those of entries before it. The order keeps the graph acyclic (a group imports only earlier groups) and node:* imports out of
 * what universal entries load (Node-only entries go last); both are checked. The node:crypto backends
 * that `#crypto` picks on Node import nothing else (checked), so both layouts share them.
 * @param {import('esbuild').Metafile['outputs']} outputs
 */
export function planNodeLayout(outputs) {
  // Imports between outputs; `#crypto` as the node:crypto backend, which the Node layout bundles (it is
  // what `#crypto` resolves to wherever dist/node/ is loaded: both go by the `node` condition).
  const importsOf = (file, kinds) =>
    (outputs[file]?.imports ?? [])
      .filter((i) => kinds.includes(i.kind) && (!i.external || nodeBackends.has(i.path)))
      .map((i) => (i.external ? nodeBackends.get(i.path) : i.path))
  const staticImports = (file) => importsOf(file, ['import-statement'])
  const closure = (file, follow) => {
    const seen = new Set()
    const walk = (f) => {
      if (seen.has(f)) return
      seen.add(f)
      for (const d of follow(f)) walk(d)
    }
    walk(file)
    return seen
  }
  const backends = new Set(nodeBackends.values())
  const isEntry = (f) => outputs[f].entryPoint !== undefined && !backends.has(f)
  // The backends use node:crypto, on every runtime that loads dist/node/: not a Node-only import.
  const importsNode = (file) =>
    !backends.has(file) &&
    (outputs[file]?.imports ?? []).some(
      (i) => i.external && i.kind === 'import-statement' && i.path.startsWith('node:'),
    )
  const twins = nodeTwins()
  for (const twin of twins)
    if (!isEntry(twin))
      throw new Error(`build: package.json names ${NODE_DIR}${twin.slice(5)}, but ${twin} is not built`)
  // The entries of the Node layout, with the modules they load lazily (`import()`).
  const entries = [
    ...new Set(twins.flatMap((t) => [...closure(t, (f) => importsOf(f, ['import-statement', 'dynamic-import']))])),
  ].filter(isEntry)
  const isUniversal = (entry) => ![...closure(entry, staticImports)].some(importsNode)
  const rank = [
    'src/index.ts',
    'src/client/index.ts',
    'src/credentials/node.ts',
    'src/credentials/index.ts',
    ...entryPoints(),
  ]
  const order = (list) =>
    list.sort((a, b) => (rank.indexOf(outputs[a].entryPoint) >>> 0) - (rank.indexOf(outputs[b].entryPoint) >>> 0))
  const ordered = [...order(entries.filter(isUniversal)), ...order(entries.filter((e) => !isUniversal(e)))]

  /** chunk -> its group's file */
  const groupOf = new Map()
  const groups = []
  // First the core: every chunk that two of the entries loaded most (`awsig`, `awsig/client`, and
  // `awsig/credentials` on Node) load: signing, errors, the AWS error parser, XML, redaction. Each of
  // them loads the core and a group of its own, and none the code that only another one needs.
  const core = `${NODE_DIR}chunks/core.js`
  const loadedBy = new Map()
  for (const entry of entries.filter((e) => rank.slice(0, 3).includes(outputs[e].entryPoint))) {
    for (const f of closure(entry, staticImports)) if (!isEntry(f)) loadedBy.set(f, (loadedBy.get(f) ?? 0) + 1)
  }
  const coreChunks = [...loadedBy].filter(([, count]) => count >= 2).map(([f]) => f)
  for (const f of coreChunks) groupOf.set(f, core)
  groups.push({ name: core, owner: 'the core', members: coreChunks })
  for (const entry of ordered) {
    const taken = [...closure(entry, staticImports)].filter((f) => !isEntry(f) && !groupOf.has(f))
    if (taken.length === 0) continue
    const name = `${NODE_DIR}chunks/${groupName(outputs[entry].entryPoint)}.js`
    for (const f of taken) groupOf.set(f, name)
    groups.push({ name, owner: outputs[entry].entryPoint, members: taken })
  }
  // Some chunks move down to the core (which every entry loads), when every chunk they import is there
  // and none imports node:*: a chunk of `awsig/client` or `awsig/credentials` that another entry loads
  // too (retry's error codes, which `awsig/s3` needs), so that it does not load their group for it; and
  // a small one that imports no other chunk, so that a module loaded lazily (the client's node:http
  // transport) does not import the group that loads it (an import cycle).
  const [first] = groups
  const owner = new Map(groups.map((g) => [g.owner, g.name]))
  const hot = new Set(rank.slice(1, 3).map((source) => owner.get(source)))
  const groupsLoading = (f) =>
    new Set(entries.filter((e) => closure(e, staticImports).has(f)).map((e) => owner.get(outputs[e].entryPoint)))
  for (let moved = true; moved; ) {
    moved = false
    for (const group of groups.slice(1)) {
      for (const f of group.members.slice()) {
        const deps = staticImports(f).filter((d) => !isEntry(d))
        if (backends.has(f) || importsNode(f) || deps.some((d) => groupOf.get(d) !== first.name)) continue
        const loaders = groupsLoading(f)
        loaders.delete(undefined)
        loaders.delete(first.name)
        const shared = loaders.size >= 2 && [...loaders].some((g) => hot.has(g))
        if (!shared && (deps.length > 0 || outputs[f].bytes > 2048)) continue
        group.members.splice(group.members.indexOf(f), 1)
        first.members.push(f)
        groupOf.set(f, first.name)
        moved = true
      }
    }
  }
  const entryFile = (f) => `${NODE_DIR}${f.slice('dist/'.length)}`
  // A group that one entry alone imports goes into that entry's file (one file fewer to load): its
  // exports are then the entry's own, nothing internal shows.
  for (const group of groups) {
    const members = new Set(group.members)
    const importers = entries.filter((e) =>
      importsOf(e, ['import-statement', 'dynamic-import']).some((d) => members.has(d)),
    )
    const fromChunks = [...groupOf.keys()].some(
      (f) => !members.has(f) && importsOf(f, ['import-statement', 'dynamic-import']).some((d) => members.has(d)),
    )
    if (importers.length !== 1 || fromChunks) continue
    const [entry] = importers
    group.name = entryFile(entry)
    group.entry = entry
    for (const f of group.members) groupOf.set(f, group.name)
  }
  const finalOf = (f) => groupOf.get(f) ?? (f.startsWith('dist/') ? entryFile(f) : f)

  // Checks: no import cycle between files (static or lazy); no node:* where a universal entry loads.
  const edges = (kinds) => {
    const map = new Map()
    for (const f of [...entries, ...groupOf.keys()]) {
      const from = finalOf(f)
      const set = map.get(from) ?? new Set()
      for (const d of importsOf(f, kinds)) if (finalOf(d) !== from) set.add(finalOf(d))
      map.set(from, set)
    }
    return map
  }
  const all = edges(['import-statement', 'dynamic-import'])
  const state = new Map()
  const visit = (f, path) => {
    if (state.get(f) === 'done') return
    if (state.get(f) === 'open') throw new Error(`build: import cycle in ${NODE_DIR}: ${[...path, f].join(' -> ')}`)
    state.set(f, 'open')
    for (const d of all.get(f) ?? []) visit(d, [...path, f])
    state.set(f, 'done')
  }
  for (const f of all.keys()) visit(f, [])
  const statics = edges(['import-statement'])
  const withNode = new Set([...entries, ...groupOf.keys()].filter(importsNode).map(finalOf))
  const loads = (entry) => closure(finalOf(entry), (f) => statics.get(f) ?? [])
  for (const entry of entries.filter(isUniversal)) {
    const bad = [...loads(entry)].filter((f) => withNode.has(f))
    if (bad.length > 0) throw new Error(`build: universal ${entry} would load node:* modules through ${bad.join(', ')}`)
  }
  return { groups: groups.filter((g) => g.members.length > 0), entries, finalOf, loads }
}

/** src/index.ts -> awsig, src/client/index.ts -> client, src/credentials/node.ts -> credentials-node */
const groupName = (source) =>
  source === 'src/index.ts'
    ? 'awsig'
    : source
        .slice('src/'.length, -'.ts'.length)
        .replace(/\/index$/, '')
        .replace(/[/.]/g, '-')

const specifier = (fromFile, toFile) => {
  const spec = posix.relative(posix.dirname(fromFile), toFile)
  return spec.startsWith('.') ? spec : `./${spec}`
}

/** Builds both layouts; writes them to dist/ unless `write` is false. Returns the files and the plan. */
export async function buildJs({ write = true } = {}) {
  const result = await splitBuild()
  const { outputs } = result.metafile
  const text = new Map(result.outputFiles.map((f) => [relative(ROOT, f.path).split('\\').join('/'), f.text]))
  const plan = planNodeLayout(outputs)
  // dist/: the split build, but for the twins of dist/node/ entries that package.json does not name.
  const named = new Set(allTargets)
  const sources = new Set(entryPoints())
  const written = new Map(
    [...text].filter(([file]) => named.has(file) || !sources.has(outputs[file].entryPoint ?? '(a chunk)')),
  )

  // Two chunks of one group may export the same name (esbuild names exports per chunk): such an export
  // gets the chunk's hash as a suffix in the group, and every import of it is renamed.
  /** chunk -> (export -> its name in the group) */
  const aliases = new Map()
  for (const { members } of plan.groups) {
    const count = new Map()
    for (const m of members) for (const e of outputs[m].exports) count.set(e, (count.get(e) ?? 0) + 1)
    for (const m of members) {
      const suffix = posix.basename(m, '.js').replace(/\W/g, '_')
      aliases.set(m, new Map(outputs[m].exports.map((e) => [e, count.get(e) > 1 ? `${e}_${suffix}` : e])))
    }
  }
  /** `code` of `file` with its imports of other groups' chunks naming their exports as the groups do. */
  const renameBindings = (file, code, sameGroup = new Set()) =>
    code.replace(/^import \{([^}]*)\} from "([^"]+)";$/gm, (statement, list, spec) => {
      const target = nodeBackends.get(spec) ?? posix.join(posix.dirname(file), spec)
      const names = aliases.get(target)
      if (names === undefined || sameGroup.has(target)) return statement
      const items = list
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
        .map((item) => {
          const [name, local = name] = item.split(/\s+as\s+/)
          const alias = names.get(name)
          if (alias === undefined) throw new Error(`build: ${file} imports ${name}, which ${spec} does not export`)
          return alias === local ? alias : `${alias} as ${local}`
        })
      return `import { ${items.join(', ')} } from "${spec}";`
    })

  // Node layout entries: the same code, every import renamed to its file in dist/node/ (an entry with a
  // group inlined is written with the group).
  const inlined = new Set(plan.groups.map((g) => g.entry))
  for (const entry of plan.entries) {
    if (inlined.has(entry)) continue
    let code = renameBindings(entry, text.get(entry))
    const seen = new Set()
    for (const { path, external } of outputs[entry].imports) {
      if ((external && !nodeBackends.has(path)) || seen.has(path)) continue
      seen.add(path)
      const before = JSON.stringify(external ? path : specifier(entry, path))
      const target = external ? nodeBackends.get(path) : path
      if (!code.includes(before)) throw new Error(`build: ${entry} does not import ${before} as expected`)
      code = code.replaceAll(before, JSON.stringify(specifier(plan.finalOf(entry), plan.finalOf(target))))
    }
    written.set(plan.finalOf(entry), dropRedundantImports(code))
  }
  // Node layout groups: esbuild bundles the group's chunks into one module, every other import external.
  for (const { name, members, entry } of plan.groups) {
    const inGroup = new Set(members)
    // The module esbuild starts from: the entry's own code, or every export of the group's chunks.
    const base = entry === undefined ? 'dist/chunks' : posix.dirname(entry)
    const contents =
      entry === undefined
        ? members
            .map((m) => {
              const list = [...aliases.get(m)].map(([e, alias]) => (e === alias ? e : `${e} as ${alias}`))
              return `export { ${list.join(', ')} } from ${JSON.stringify(specifier('dist/chunks/group.js', m))}`
            })
            .join('\n')
        : renameBindings(entry, text.get(entry), inGroup)
    const merged = await build({
      stdin: { contents, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      minify: false,
      legalComments: 'none',
      charset: 'utf8',
      write: false,
      logLevel: 'warning',
      plugins: [
        {
          name: 'awsig-chunks',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === 'entry-point') return undefined
              const backend = nodeBackends.get(args.path)
              if (backend === undefined && !args.path.startsWith('.')) return { path: args.path, external: true }
              const from = args.namespace === 'chunk' ? posix.dirname(args.importer) : base
              const target = backend ?? posix.join(from, args.path)
              if (inGroup.has(target)) return { path: target, namespace: 'chunk' }
              if (!text.has(target)) throw new Error(`build: ${args.importer} imports ${args.path}, not an output`)
              return { path: specifier(name, plan.finalOf(target)), external: true }
            })
            b.onLoad({ filter: /.*/, namespace: 'chunk' }, (args) => ({
              contents: renameBindings(args.path, text.get(args.path), inGroup),
              loader: 'js',
            }))
          },
        },
      ],
    })
    written.set(name, dropRedundantImports(merged.outputFiles[0].text))
  }

  if (write) {
    for (const [file, code] of written) {
      mkdirSync(dirname(join(ROOT, file)), { recursive: true })
      writeFileSync(join(ROOT, file), code)
    }
  }
  return { plan, written, outputs }
}

/** `import "./x.js";` kept by esbuild for evaluation order, where the file also imports bindings from x. */
function dropRedundantImports(code) {
  const named = new Set([...code.matchAll(/^import [^;]*? from "([^"]+)";$/gms)].map((m) => m[1]))
  const seen = new Set()
  return code.replace(/^import "([^"]+)";\n/gm, (line, spec) => {
    if (named.has(spec) || seen.has(spec)) return ''
    seen.add(spec)
    return line
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { execFileSync } = await import('node:child_process')
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true })
  const { plan } = await buildJs()
  if (process.argv.includes('--layout')) {
    for (const { name, owner, members } of plan.groups)
      console.log(`${name}: ${members.length} chunks, first loaded by ${owner}`)
    for (const entry of plan.entries) console.log(`${plan.finalOf(entry)} loads ${[...plan.loads(entry)].length} files`)
  }
  // Declarations only: the shipped .d.ts files keep the source layout (stripInternal in the config).
  const tsc = join(ROOT, 'node_modules/.bin/tsc')
  execFileSync(tsc, ['-p', 'tsconfig.build.json', '--emitDeclarationOnly'], { cwd: ROOT, stdio: 'inherit' })
}
