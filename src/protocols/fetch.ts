// The one `FetchLike`: the fetch-compatible function the client and the credentials providers send
// with, and the parts of its init and response they use.

/** The parts of a fetch `Response` awsig reads. Any fetch's response has them. */
export interface ResponseLike {
  readonly status: number
  readonly statusText: string
  readonly headers: { get(name: string): string | null; forEach(callback: (value: string, key: string) => void): void }
  text(): Promise<string>
  clone(): { text(): Promise<string> }
}

/**
 * The init awsig passes to `fetch`: the (signed) method and headers, the body (bytes, text, form
 * parameters or a stream, with `duplex: 'half'`), the signal, and the caller's other fetch options.
 */
export interface FetchInit extends Omit<RequestInit, 'body' | 'headers' | 'method'> {
  method: string
  headers: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer> | URLSearchParams | ReadableStream<Uint8Array>
  duplex?: 'half'
}

/**
 * A fetch-compatible function: the global `fetch`, undici's, a wrapped or mocked one. (Declared as a
 * method so that fetches typed with another `RequestInit`, such as undici's, are accepted.)
 */
export type FetchLike<R extends ResponseLike = Response> = {
  fetch(url: string, init: FetchInit): Promise<R>
}['fetch']
