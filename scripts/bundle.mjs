// What an entry costs a browser app: esbuild bundles ES module source for platform 'browser' (so the
// package's `#crypto` imports take their `default` branch: WebCrypto), minified, then gzip -9 and
// brotli -11. Shared by scripts/size-check.mjs (the budget in `npm test`) and bench/bundle-size.mjs.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'

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
