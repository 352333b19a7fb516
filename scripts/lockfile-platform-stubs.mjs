// Adds lockfile entries for platform-specific optional packages the registry mirror used here does not
// serve (e.g. @biomejs/cli-darwin-arm64). `npm install` leaves them out of package-lock.json, and then
// `npm ci` refuses the lockfile as out of sync. Each stub names the version, os and cpu the parent
// package declares, so npm skips it on other platforms and fetches it by version where it applies.
// Run after `npm install`: node scripts/lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', android: 'android', freebsd: 'freebsd' }
const CPU = ['arm64', 'x64', 'ia32', 'arm']
let added = 0
for (const [where, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (lock.packages[key] !== undefined || lock.packages[`${where}/${key}`] !== undefined) continue
    const parts = name.split('/').pop().split('-')
    const os = parts.find((p) => p in OS)
    const cpu = parts.find((p) => CPU.includes(p))
    if (os === undefined || cpu === undefined) throw new Error(`cannot tell the platform of ${name}`)
    const libc = parts.includes('musl')
      ? ['musl']
      : parts.includes('glibc') || (os === 'linux' && !parts.includes('musl'))
        ? ['glibc']
        : undefined
    lock.packages[key] = {
      version,
      cpu: [cpu],
      dev: entry.dev,
      ...(libc && os === 'linux' ? { libc } : {}),
      optional: true,
      os: [os],
    }
    added++
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
)
lock.packages = sorted
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`added ${added} platform stub(s) to package-lock.json`)
