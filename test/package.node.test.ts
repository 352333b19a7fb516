// The packed package is self-consistent: every source map it ships points at files it ships, and no
// file names a map that is not there. (awsig ships no maps: src/ is not in the package.)
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function packedFiles(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }, (error, stdout) => {
      if (error !== null) return reject(error)
      const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>
      resolve((pack?.files ?? []).map((f) => f.path))
    })
  })
}

describe('the packed package', () => {
  it('ships no source map that points outside it, and names no missing map', { timeout: 60_000 }, async () => {
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'run `npm run build` first (`npm test` does)').toBe(true)
    const files = await packedFiles()
    const shipped = new Set(files.map((f) => normalize(f)))
    expect(shipped.has(normalize('dist/index.js'))).toBe(true)
    const problems: string[] = []
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      if (file.endsWith('.map')) {
        const { sources } = JSON.parse(text) as { sources: string[] }
        for (const source of sources) {
          const target = normalize(join(dirname(file), source))
          if (!shipped.has(target)) problems.push(`${file} points at ${target}, which is not shipped`)
        }
      } else if (/\.(js|ts)$/.test(file)) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1]
        if (url !== undefined && !shipped.has(normalize(join(dirname(file), url)))) {
          problems.push(`${file} names ${url}, which is not shipped`)
        }
      }
    }
    expect(problems).toEqual([])
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
  })
})
