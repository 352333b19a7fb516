// Runs worker.mjs in workerd through miniflare and measures the workerd process's peak RSS growth
// during one upload (Linux /proc: VmHWM after, reset with clear_refs before). Node-only test support.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url))

/** MiB of VmRSS or VmHWM of a process. */
function memory(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match[1]) / 1024
}

/** The workerd processes started by this process (miniflare spawns one). */
function workerdChildren() {
  const pids = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat)
      const ppid = Number(rest.split(' ')[1])
      if (comm === 'workerd' && ppid === process.pid) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

/**
 * Starts the worker. Resolves to `{ upload(config), dispose() }`, or throws when miniflare or esbuild is
 * missing (the caller decides whether that skips or fails).
 */
export async function startUploadWorker() {
  const [{ build }, { Miniflare }] = await Promise.all([import('esbuild'), import('miniflare')])
  // The browser/worker build of awsig: `#crypto` resolves to WebCrypto (no `node` condition).
  const bundle = await build({
    entryPoints: [WORKER],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  })
  const before = new Set(workerdChildren())
  const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: '2026-04-01' })
  await mf.ready
  const pid = workerdChildren().find((p) => !before.has(p))
  if (pid === undefined) throw new Error('could not find the workerd process miniflare started')

  const run = async (config) => {
    const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify(config) })
    return response.json()
  }
  return {
    pid,
    /** Warm-up, then the upload itself; adds `growthMiB`, `idleMiB`, `peakMiB` and `mibPerSecond`. */
    async upload(config) {
      const warmUp = await run({ ...config, key: `${config.key}.warm-up`, size: 256 * 1024 })
      const idle = memory(pid, 'VmRSS')
      writeFileSync(`/proc/${pid}/clear_refs`, '5')
      const result = await run(config)
      const peak = memory(pid, 'VmHWM')
      return {
        ...result,
        warmUpStatus: warmUp.status,
        transport: config.transport ?? 'auto',
        idleMiB: idle,
        peakMiB: peak,
        growthMiB: peak - idle,
        mibPerSecond: config.size / 2 ** 20 / result.seconds,
      }
    },
    dispose: () => mf.dispose(),
  }
}
