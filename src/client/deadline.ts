// The deadline of one attempt: a timer that aborts the fetch, combined with the caller's signal
// without leaving listeners on it.

/** One attempt's deadline. */
export interface Deadline {
  /** The signal to hand to fetch: the caller's, the timer's, or both combined. */
  readonly signal: AbortSignal | undefined
  /** Whether the timer fired. */
  readonly timedOut: boolean
  /** Stops the timer; `keepForwarding` leaves the caller's signal wired (for a body still to be read). */
  settle(keepForwarding: boolean): void
}

const NO_DEADLINE: Deadline = { signal: undefined, timedOut: false, settle() {} }

/**
 * Starts a deadline of `timeout` ms (`0`: none) for a fetch that also follows `signal`. When it fires,
 * the fetch is aborted with `reason()`.
 */
export function startDeadline(timeout: number, signal: AbortSignal | undefined, reason: () => unknown): Deadline {
  if (timeout <= 0) return signal === undefined ? NO_DEADLINE : { signal, timedOut: false, settle() {} }
  let timedOut = false
  const controller = new AbortController()
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(reason())
  }, timeout)
  let combined: AbortSignal = controller.signal
  let forward: (() => void) | undefined
  if (signal !== undefined) {
    if (typeof AbortSignal.any === 'function') {
      // The caller's signal may serve many requests: no listener of ours stays on it. The combined
      // signal follows it for as long as fetch holds it, the body download included.
      combined = AbortSignal.any([signal, controller.signal])
    } else {
      // Runtimes without AbortSignal.any: forward by hand (kept after success, for the body).
      forward = () => controller.abort(signal.reason)
      signal.addEventListener('abort', forward, { once: true })
    }
  }
  return {
    signal: combined,
    get timedOut() {
      return timedOut
    },
    settle(keepForwarding) {
      clearTimeout(timer)
      if (!keepForwarding && forward !== undefined) signal?.removeEventListener('abort', forward)
    },
  }
}
