// CPU time per operation, the steadier measure on a shared machine: the CPU this process spends (all its
// threads, so WebCrypto's pool too) barely moves when other processes compete, where wall-clock samples
// swing by tens of percent. `rounds` rounds, order alternating, minimum per entry.
import { do_not_optimize } from 'mitata'

/**
 * `entries`: `{ label, fn, sync, iterations }` (asynchronous functions are awaited). Returns a Map from
 * label to nanoseconds of CPU per call. `collect`: run `gc()` (node --expose-gc) before each entry, so
 * that one entry's garbage is not collected on another's time.
 */
export async function cpuTimes(entries, rounds, { collect = false } = {}) {
  const cpu = new Map()
  for (let round = 0; round < rounds; round++) {
    for (const { label, fn, sync, iterations } of round % 2 ? [...entries].reverse() : entries) {
      if (collect) globalThis.gc?.()
      const start = process.cpuUsage()
      if (sync) for (let i = 0; i < iterations; i++) do_not_optimize(fn())
      else for (let i = 0; i < iterations; i++) do_not_optimize(await fn())
      const used = process.cpuUsage(start)
      const perOp = ((used.user + used.system) * 1000) / iterations
      cpu.set(label, Math.min(cpu.get(label) ?? Number.POSITIVE_INFINITY, perOp))
    }
  }
  return cpu
}
