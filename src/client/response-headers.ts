// A response's headers as fetch shows them (immutable `Headers`), read from node:http's raw headers without
// undici's `Headers`: on Node, the first `Headers` made loads undici (some 9 MB), which the node-http
// transport otherwise never needs. `instanceof Headers` is false; `new Headers(h)` makes a real one.

import { INSPECT } from '../lib/redact.js'

// https://fetch.spec.whatwg.org/#concept-header-name (a `token`, RFC 9110)
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

function checkName(name: string): string {
  const text = String(name)
  if (!HEADER_NAME.test(text)) throw new TypeError(`Headers: invalid header name ${JSON.stringify(text)}`)
  return text.toLowerCase()
}

/**
 * The `Headers` fetch gives a response: `get` joins a repeated header's values with `, `, iteration is
 * sorted by lower-case name with each `set-cookie` on its own, and `append`, `set` and `delete` throw a
 * `TypeError` (fetch's response headers are immutable).
 */
export class ResponseHeaders implements Headers {
  readonly #values = new Map<string, string>()
  readonly #cookies: string[] = []
  #sorted: Array<[string, string]> | undefined

  /** `raw`: `[name, value, name, value...]` as received (node:http's `rawHeaders`). */
  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase()
      const value = raw[i + 1] as string
      const previous = this.#values.get(name)
      this.#values.set(name, previous === undefined ? value : `${previous}, ${value}`)
      if (name === 'set-cookie') this.#cookies.push(value)
    }
  }

  get(name: string): string | null {
    return this.#values.get(checkName(name)) ?? null
  }

  has(name: string): boolean {
    return this.#values.has(checkName(name))
  }

  getSetCookie(): string[] {
    return [...this.#cookies]
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#entries()) callback.call(thisArg, value, key, this)
  }

  entries(): HeadersIterator<[string, string]> {
    return this.#entries()
      .map(([key, value]): [string, string] => [key, value])
      .values()
  }

  keys(): HeadersIterator<string> {
    return this.#entries()
      .map(([key]) => key)
      .values()
  }

  values(): HeadersIterator<string> {
    return this.#entries()
      .map(([, value]) => value)
      .values()
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries()
  }

  append(): void {
    throw new TypeError('Headers: immutable (a response’s headers cannot be changed)')
  }

  set(): void {
    this.append()
  }

  delete(): void {
    this.append()
  }

  /** `Object.prototype.toString` gives `[object Headers]`, as for fetch's (some libraries test for it). */
  get [Symbol.toStringTag](): string {
    return 'Headers'
  }

  /** Node's `util.inspect`: the headers as a record. */
  [INSPECT](): Record<string, string> {
    return Object.fromEntries(this.#values)
  }

  /** fetch's "sort and combine": by lower-case name, each `set-cookie` value its own entry. */
  #entries(): Array<[string, string]> {
    if (this.#sorted === undefined) {
      const sorted: Array<[string, string]> = []
      for (const name of [...this.#values.keys()].sort()) {
        if (name === 'set-cookie') for (const cookie of this.#cookies) sorted.push([name, cookie])
        else sorted.push([name, this.#values.get(name) as string])
      }
      this.#sorted = sorted
    }
    return this.#sorted
  }
}
