// The size budget, run by `npm test` (after the build): every public entry point of the BUILT package,
// bundled for the browser as an app bundles it (esbuild, minified, WebCrypto backend), gzip -9, must stay
// within its budget in scripts/size-budget.json; and SigV4a, streaming (aws-chunked, event-stream) and
// verification code must not land in a bundle whose entry does not offer it. Prints every size.
// Run: npm run build && npm run size   (`--json` prints the measurements as JSON instead; `--update`
// rewrites every budget to today's size + 3%: a deliberate change, reviewed in the JSON's diff)
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { kindsIn, measureBundle } from './bundle.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const budget = JSON.parse(readFileSync(new URL('./size-budget.json', import.meta.url), 'utf8'))

/** Every subpath's full export list, and the two imports most apps make. */
const subpaths = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'awsig' : `awsig/${key.slice(2)}`))
const entries = [
  ['awsig { sign }', "export { sign } from 'awsig'"],
  ['awsig { sign, presign }', "export { sign, presign } from 'awsig'"],
  ...subpaths.map((spec) => [`${spec} (export *)`, `export * from '${spec}'`]),
]

const problems = []
const rows = []
for (const name of Object.keys(budget.entries)) {
  if (!entries.some(([entry]) => entry === name)) problems.push(`${name}: a budget for an entry that does not exist`)
}
for (const [name, contents] of entries) {
  const limit = budget.entries[name]
  const result = await measureBundle(contents, { resolveDir: ROOT })
  rows.push({ name, min: result.min, gzip: result.gzip, brotli: result.brotli, budget: limit?.gzip })
  if (limit === undefined) {
    problems.push(`${name}: no budget in scripts/size-budget.json (today ${result.gzip} B gzipped)`)
    continue
  }
  if (result.gzip > limit.gzip) problems.push(`${name}: ${result.gzip} B gzipped, over its budget of ${limit.gzip} B`)
  // Files that put bytes in the output: the metafile lists every file parsed, tree-shaken or not.
  for (const [kind, sources] of await kindsIn(result)) {
    if (!limit.may.includes(kind))
      problems.push(`${name}: bundles ${kind} code it does not offer: ${sources.join(', ')}`)
  }
  // The node:crypto backends (other *.node.js files, such as the client's lazily loaded node:http
  // transport, reach Node through process.getBuiltinModule and may be bundled), and dist/node/, the
  // layout only the `node` condition selects.
  const nodeOnly = result.inputs.filter((file) => /^dist\/lib\/crypto\/.*\.node\.js$|^dist\/node\//.test(file))
  if (nodeOnly.length > 0) {
    problems.push(`${name}: the browser bundle contains Node's build: ${nodeOnly.join(', ')}`)
  }
}
// The leak check can fail: SigV4a code imported next to `sign` is found, in whatever chunk it lives.
const canary = await kindsIn(
  await measureBundle("export { sign } from 'awsig'\nexport * from 'awsig/sigv4a'", { resolveDir: ROOT }),
)
if (!canary.has('sigv4a')) problems.push('the leak check no longer sees SigV4a code in a bundle that imports it')
// `sideEffects: false`: importing an entry for nothing bundles nothing.
for (const spec of subpaths) {
  const { min } = await measureBundle(`import '${spec}'`, { resolveDir: ROOT })
  if (min > 0) problems.push(`import '${spec}' alone bundles ${min} B: sideEffects: false is not honoured`)
}

// For comparison, in the same run (not budgeted): aws4fetch, the usual choice in browsers and Workers.
const peer = await measureBundle("export { AwsV4Signer } from 'aws4fetch'", { resolveDir: ROOT })
rows.push({ name: 'aws4fetch { AwsV4Signer } (peer, no budget)', min: peer.min, gzip: peer.gzip, brotli: peer.brotli })

if (process.argv.includes('--update')) {
  for (const r of rows.filter((row) => !row.name.startsWith('aws4fetch'))) {
    budget.entries[r.name] = { gzip: Math.ceil((r.gzip * 1.03) / 10) * 10, may: budget.entries[r.name]?.may ?? [] }
  }
  for (const name of Object.keys(budget.entries)) {
    if (!entries.some(([entry]) => entry === name)) delete budget.entries[name]
  }
  // Arrays on one line, as biome formats them.
  const text = JSON.stringify(budget, null, 2).replace(
    /\[\s*([^\]]*?)\s*\]/g,
    (_, items) => `[${items.replace(/,\s+/g, ', ')}]`,
  )
  writeFileSync(new URL('./size-budget.json', import.meta.url), `${text}\n`)
  console.log("scripts/size-budget.json updated: every budget is today's size + 3%")
  process.exit(0)
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 2))
} else {
  console.log('Bundle size (esbuild --bundle --minify --platform=browser --format=esm; gzip -9; brotli -11):\n')
  console.log('| entry | minified | gzip -9 | budget (gzip) | brotli |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const r of rows) console.log(`| ${r.name} | ${r.min} B | ${r.gzip} B | ${r.budget ?? '-'} B | ${r.brotli} B |`)
}
if (problems.length > 0) {
  console.error(`\nsize check FAILED:\n  ${problems.join('\n  ')}`)
  process.exitCode = 1
} else if (!process.argv.includes('--json')) {
  console.log(`\nsize check passed: ${entries.length} entries within budget, no code where it is not imported`)
}
