// Waiting on a promise that an AbortSignal cuts short: the streaming signers' reads and the client's
// wait for credentials alike.

/**
 * Waits for `promise`, or rejects with `reason(signal)` (by default the signal's own reason) as soon as
 * `signal` fires. The listener lives only as long as the wait, so a long stream does not pile up
 * listeners or promise reactions, and a signal that lives on keeps none.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  reason: (signal: AbortSignal) => unknown = (aborted) => aborted.reason,
): Promise<T> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.reject(reason(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
