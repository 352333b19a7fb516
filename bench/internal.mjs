// An internal module of awsig for benchmarks that time one step below the public API: the build has no
// file per source module, so this bundles src/<path> with esbuild (Node conditions, the node:crypto
// backend from dist/) into a temporary file and imports it. It holds its own copy of what it imports.
// Run `npm run build` in the repository root first (the backend comes from dist/).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

/** `await importInternal('sign/chain.ts')`: the module's exports. */
export async function importInternal(path) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${path}`, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  })
  const file = join(mkdtempSync(join(tmpdir(), 'awsig-bench-')), `${path.replace(/\W/g, '-')}.mjs`)
  writeFileSync(file, result.outputFiles[0].text)
  return import(pathToFileURL(file).href)
}
