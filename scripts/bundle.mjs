// What an entry costs a browser app: esbuild bundles ES module source for platform 'browser' (so the
// package's `#crypto` imports take their `default` branch: WebCrypto), minified, then gzip -9 and
// brotli -11. Shared by scripts/size-check.mjs (the budget in `npm test`) and bench/bundle-size.mjs.
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { splitBuild } from './build.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * Bundles `contents`, resolving imports from `resolveDir`. Returns the minified code, the metafile's
 * input files, the minified bytes each input contributes, and the three sizes in bytes.
 * @param {string} contents
 * @param {{ resolveDir: string }} options
 */
export async function measureBundle(contents, { resolveDir }) {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser', // conditions: browser, import, default: never `node`
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  const output = Object.values(result.metafile.outputs)[0]
  return {
    code,
    inputs: Object.keys(result.metafile.inputs),
    /** @type {[string, number][]} */
    contributions: Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput]),
    min: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  }
}

/** Code that only some entries may contain, recognised by the source files it comes from. */
export const KINDS = {
  sigv4a: /^src\/sigv4a\/|^src\/lib\/crypto\/(ecdsa-|p256)/,
  'aws-chunked': /^src\/chunked\/(sign|decode)-chunked\.ts$/,
  'event-stream': /^src\/event-stream\//,
  verification: /^src\/verify\/|^src\/event-stream\/verify\.ts$/,
}

/** dist/ file -> the source files with bytes in it, from the build's own metafile (same chunk names). */
let sourcesOf

/**
 * The kinds of code in a bundle (`measureBundle`'s result), each with the sources found: every dist/
 * file that puts bytes in the bundle counts as all of its sources. An esbuild chunk holds the code that
 * one set of entries shares, so the code of a kind only an entry's importers share is never in a chunk
 * that other code is taken from. Files outside dist/ (other packages) have no kind.
 * @param {{ contributions: [string, number][] }} result
 * @returns {Promise<Map<string, string[]>>}
 */
export async function kindsIn(result) {
  if (sourcesOf === undefined) {
    const { metafile } = await splitBuild()
    sourcesOf = new Map(
      Object.entries(metafile.outputs).map(([file, { inputs }]) => [
        file,
        Object.entries(inputs)
          .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
          .map(([source]) => source),
      ]),
    )
  }
  const found = new Map()
  for (const [path, bytes] of result.contributions) {
    const file = relative(ROOT, resolve(path)).split('\\').join('/')
    if (bytes === 0 || !file.startsWith('dist/')) continue
    const sources = sourcesOf.get(file)
    if (sources === undefined) throw new Error(`${file} is not an output of the build: rebuild (npm run build)`)
    for (const source of sources) {
      for (const [kind, pattern] of Object.entries(KINDS)) {
        if (pattern.test(source)) found.set(kind, [...(found.get(kind) ?? []), `${source} (in ${file})`])
      }
    }
  }
  return found
}
