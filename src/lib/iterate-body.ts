// A stream body (a web ReadableStream or any async iterable) read one chunk at a time, for the transports
// that write it themselves: their own module, importing nothing, so that a lazily loaded transport can
// share it without importing what loads it.

/** A stream body's chunks, one at a time: `return()` releases the source (cancels a `ReadableStream`). */
export function iterateBody(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterator<Uint8Array> {
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    const reader = body.getReader()
    return {
      next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
      async return() {
        await reader.cancel().catch(() => {})
        return { done: true, value: undefined }
      },
    }
  }
  return (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
}
