// Headers in every shape HTTP clients use (records, pairs, undici's flat arrays, `Headers`,
// AxiosHeaders): read into pairs, look one up, turn a response's into a record.

/**
 * Response or request headers as any HTTP client gives them: an object with a `get(name)` method
 * (fetch's `Headers`, axios's `AxiosHeaders`) or a record of names to values (node:http, got); names in any case.
 */
export type HeadersLike = { get(name: string): unknown } | Readonly<Record<string, unknown>> | object

/**
 * Header pairs from any shape: a record (array values repeat the header), a flat
 * `[name, value, name, value]` array (undici), `[name, value]` pairs, or `Headers`. `undefined`, `null`
 * and `false` values (axios's way of removing a header) are left out.
 */
export function headerPairsOf(input: unknown): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  const add = (name: unknown, value: unknown) => {
    if (value === undefined || value === null || value === false) return
    if (Array.isArray(value)) for (const v of value) add(name, v)
    else pairs.push([String(name), typeof value === 'string' ? value : String(value)])
  }
  if (input == null) return pairs
  if (Array.isArray(input)) {
    if (input.length > 0 && !Array.isArray(input[0])) {
      // undici's flat form; names and values may be Buffers.
      for (let i = 0; i + 1 < input.length; i += 2) add(String(input[i]), String(input[i + 1]))
    } else for (const entry of input as unknown[][]) add(entry[0], entry[1])
  } else if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of input as Iterable<[unknown, unknown]>) add(name, value)
  } else if (typeof input === 'object') {
    // AxiosHeaders keeps its values behind toJSON().
    const toJSON = (input as { toJSON?: unknown }).toJSON
    const record = typeof toJSON === 'function' ? (toJSON.call(input) as Record<string, unknown>) : input
    for (const [name, value] of Object.entries(record as Record<string, unknown>)) {
      if (typeof value !== 'function') add(name, value)
    }
  }
  return pairs
}

/** Whether `headers` (any shape) has `name` (lower case). */
export function hasHeader(headers: unknown, name: string): boolean {
  return headerPairsOf(headers).some(([key]) => key.toLowerCase() === name)
}

/** The value of header `name` (lower case) from any shape, repeated values joined with `, `. */
export function headerValue(headers: HeadersLike | undefined, name: string): string | undefined {
  if (headers == null) return undefined
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): unknown }).get(name)
    if (value == null || value === false) return undefined
    return Array.isArray(value) ? value.join(', ') : String(value)
  }
  const record = headers as Record<string, unknown>
  let value = record[name]
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === name) {
        value = record[key]
        break
      }
    }
  }
  if (value == null) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}

/** Every header as a record with lower-case names, repeated values joined with `, `. */
export function headerRecord(headers: HeadersLike | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (
    headers != null &&
    typeof (headers as Headers).forEach === 'function' &&
    typeof (headers as Headers).get === 'function'
  ) {
    ;(headers as Headers).forEach((value, key) => {
      out[key.toLowerCase()] = value
    })
    return out
  }
  for (const [key, value] of headerPairsOf(headers)) {
    const name = key.toLowerCase()
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`
  }
  return out
}
