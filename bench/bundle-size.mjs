// Browser bundle size: what `import { sign, presign } from 'awsig'` adds to an app, against aws4fetch's
// AwsV4Signer. esbuild, minified, platform browser, so `#crypto` resolves to the WebCrypto backend;
// gzip at level 9 (node:zlib). Also checks that `sideEffects: false` lets unused exports go. The
// bundling is scripts/bundle.mjs, shared with the budget check in `npm test` (`npm run size`, every entry).
// Run: npm run build (in the repo root), then here: node bundle-size.mjs
import { fileURLToPath } from 'node:url'
import { kindsIn, measureBundle } from '../scripts/bundle.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
// Resolved from bench/: `awsig` is the file:.. dependency (the built package), aws4fetch the peer.
const bundle = (contents) => measureBundle(contents, { resolveDir: here })

const entries = [
  ['awsig: { sign, presign }', "export { sign, presign } from 'awsig'"],
  ['awsig: { sign }', "export { sign } from 'awsig'"],
  ['awsig: everything (export *)', "export * from 'awsig'"],
  ["awsig: import 'awsig' (nothing used)", "import 'awsig'"],
  [
    'awsig + awsig/sigv4a: { sign } + { sigv4a }',
    "export { sign } from 'awsig'; export { sigv4a } from 'awsig/sigv4a'",
  ],
  ['aws4fetch: { AwsV4Signer }', "export { AwsV4Signer } from 'aws4fetch'"],
  ['aws4fetch: everything (export *)', "export * from 'aws4fetch'"],
]

const results = new Map()
for (const [name, contents] of entries) results.set(name, await bundle(contents))

// The point of the `#crypto` conditions: a browser bundle must not contain the node:crypto backend.
const main = results.get('awsig: { sign, presign }')
const nodeBackend = main.inputs.filter((f) => /lib\/crypto\/crypto\.node\.js$/.test(f) || f.startsWith('node:'))
const webBackend = main.inputs.filter((f) => /lib\/crypto\/web\.js$/.test(f))
if (nodeBackend.length > 0 || webBackend.length === 0) {
  console.error(`Wrong crypto backend in the browser bundle: ${main.inputs.join(', ')}`)
  process.exit(1)
}
// SigV4a is reachable only from awsig/sigv4a: nothing of it in a bundle that does not import that subpath
// (found by the sources of each dist/ file, chunks included).
for (const name of ['awsig: { sign, presign }', 'awsig: { sign }', 'awsig: everything (export *)']) {
  const leaked = (await kindsIn(results.get(name))).get('sigv4a') ?? []
  if (leaked.length > 0) {
    console.error(`${name} bundles SigV4a code: ${leaked.join(', ')}`)
    process.exit(1)
  }
}
if (!(await kindsIn(results.get('awsig + awsig/sigv4a: { sign } + { sigv4a }'))).has('sigv4a')) {
  console.error('the SigV4a check no longer sees SigV4a code where it is imported')
  process.exit(1)
}
// `sideEffects: false`: importing the package for nothing must bundle nothing.
const empty = results.get("awsig: import 'awsig' (nothing used)")
if (empty.min > 0) {
  console.error(`import 'awsig' alone bundles ${empty.min} bytes: sideEffects: false is not honoured`)
  process.exit(1)
}

console.log('Bundle size (esbuild --bundle --minify --platform=browser --format=esm; gzip -9; brotli -11):\n')
console.log('| entry | minified | gzip -9 | brotli |')
console.log('| --- | --- | --- | --- |')
for (const [name, r] of results) console.log(`| ${name} | ${r.min} B | ${r.gzip} B | ${r.brotli} B |`)

const awsigGzip = main.gzip
const peerGzip = results.get('aws4fetch: { AwsV4Signer }').gzip
console.log(
  `\nawsig { sign, presign } is ${awsigGzip} B gzipped, aws4fetch AwsV4Signer ${peerGzip} B: ratio ${(awsigGzip / peerGzip).toFixed(2)}x`,
)
console.log(`crypto backend bundled: ${webBackend.join(', ')} (node.js backend absent: yes)`)
console.log("sideEffects: false honoured: yes (import 'awsig' alone bundles 0 B)")
console.log('\nWhat { sign, presign } pulls in (minified bytes per file, before compression):\n')
for (const [file, bytes] of main.contributions.sort((a, b) => b[1] - a[1])) {
  console.log(`  ${String(bytes).padStart(6)} B  ${file.replace(/^.*?node_modules\/awsig\//, 'awsig/')}`)
}

// How much of the size is message text: every string literal (and template text) longer than 12
// characters, mostly the errors' messages naming each field and its problem, blanked, then gzipped. The
// blanked bundle must still parse (esbuild), or the lexer went wrong.
const { build } = await import('esbuild')
const { gzipSync } = await import('node:zlib')
const { blankLiterals } = await import('./literals.mjs')
console.log('\nWithout message text (string literals and template text > 12 characters blanked), gzip -9:\n')
for (const name of ['awsig: { sign }', 'awsig: { sign, presign }', 'aws4fetch: { AwsV4Signer }']) {
  const code = new TextDecoder().decode(results.get(name).code)
  const { text, blanked } = blankLiterals(code)
  await build({ stdin: { contents: text, loader: 'js' }, write: false, logLevel: 'silent' })
  const gzip = gzipSync(text, { level: 9 }).byteLength
  console.log(`  ${name}: ${gzip} B (${blanked} of ${code.length} minified bytes blanked)`)
}
