// Bundles the BUILT package the way a browser or Cloudflare Worker user gets it: esbuild, platform
// 'browser', `awsig` resolved from this repository (self-reference through its `exports`), so the
// package's `#crypto` and `#crypto-ecdsa` imports take their `default` branch (WebCrypto). Checks that
// the WebCrypto backends, and not the node:crypto ones, are inside. Shared by chromium.mjs, workerd.mjs
// and the Worker tests.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The vector suite's view of the package: awsig, awsig/sigv4a and awsig/event-stream (as `eventStream`). */
export const SUITE_EXPORTS =
  "export * from 'awsig'\nexport * from 'awsig/sigv4a'\nexport * as eventStream from 'awsig/event-stream'"

/**
 * Bundles `contents` (ES module source, resolved from the repository root) with the given export
 * `conditions` (esbuild adds `browser` for the platform). Returns the bundle's text. `backend` is the
 * `#crypto` file the conditions must select: `web.js`, or `pure.js` with the `react-native` condition.
 * @param {string} contents
 * @param {{ conditions?: string[], backend?: string }} [options]
 * @returns {Promise<string>}
 */
export async function bundleForWeb(contents, { conditions = [], backend = 'web.js' } = {}) {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].text
  const inputs = Object.keys(result.metafile.inputs)
  const has = (file) => inputs.some((p) => p.endsWith(file))
  const sigv4a = inputs.some((p) => p.includes('dist/sigv4a/'))
  if (!has(`dist/lib/crypto/${backend}`) || (sigv4a && !has('dist/lib/crypto/ecdsa-web.js'))) {
    throw new Error(`the bundle lacks the ${backend} and WebCrypto ECDSA backends; inputs: ${inputs.join(', ')}`)
  }
  if (has('dist/lib/crypto/crypto.node.js') || has('dist/lib/crypto/ecdsa.node.js') || code.includes('node:crypto')) {
    throw new Error(`the bundle contains the node:crypto backend; inputs: ${inputs.join(', ')}`)
  }
  if (!inputs.some((p) => p.startsWith('dist/'))) {
    throw new Error(`the bundle was not built from dist/; inputs: ${inputs.join(', ')}`)
  }
  return code
}
