// A one-line progress bar on stderr (bytes, rate, ETA) for transfers over 1 MiB, only on a terminal.
import { Transform } from 'node:stream'

/** Transfers at least this large show a bar. */
export const PROGRESS_THRESHOLD = 1024 * 1024 // 1 MiB
const REDRAW_EVERY = 100 // ms

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--'
  const s = Math.round(seconds)
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}

export interface Progress {
  add(bytes: number): void
  done(): void
}

/**
 * A bar for `total` bytes (undefined when unknown), drawn on `stream`, or `undefined` when there should
 * be none: not a TTY, silent, or less than 1 MiB.
 */
export function createProgress(
  label: string,
  total: number | undefined,
  options: { silent: boolean; stream?: NodeJS.WriteStream },
): Progress | undefined {
  const stream = options.stream ?? process.stderr
  if (options.silent || !stream.isTTY || total === undefined || total < PROGRESS_THRESHOLD) return undefined
  const started = Date.now()
  let transferred = 0
  let drawn = 0
  const draw = () => {
    const elapsed = Math.max((Date.now() - started) / 1000, 0.001)
    const rate = transferred / elapsed
    const fraction = Math.min(transferred / total, 1)
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60))
    const filled = Math.round(fraction * width)
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`
    const eta = rate > 0 ? (total - transferred) / rate : Number.POSITIVE_INFINITY
    stream.write(
      `\r${label} ${String(Math.floor(fraction * 100)).padStart(3)}% [${bar}] ${size(transferred)} / ${size(total)}  ${size(rate)}/s  ETA ${duration(eta)}\x1b[K`,
    )
  }
  return {
    add(bytes) {
      transferred += bytes
      const now = Date.now()
      if (now - drawn >= REDRAW_EVERY) {
        drawn = now
        draw()
      }
    },
    done() {
      draw()
      stream.write('\n')
    },
  }
}

/** A pass-through stream that reports the bytes going through it. */
export function counting(progress: Progress): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      progress.add(chunk.length)
      callback(null, chunk)
    },
  })
}
