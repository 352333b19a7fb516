// The canonical request: one pure function of a parsed request, the names of the headers to sign and the
// payload hash. Signing, presigning, aws-chunked seeds and verification all build it here, so a verifier
// rebuilds exactly what a client signed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-canonical-request
import { canonicalHeaderValue, canonicalQuery, sortSmall } from './request.js'

/** A request as SigV4 canonicalises it; every part is already in its canonical encoding. */
export interface CanonicalInput {
  /** Upper-case method. */
  method: string
  /** The canonical path (see `canonicalPath`). */
  path: string
  /** Query pairs, RFC 3986-encoded, in any order (they are sorted here); or the canonical query string itself. */
  query: ReadonlyArray<readonly [string, string]> | string
  /** Lower-case header name -> values in the order received (repeated headers are joined with `,`). */
  headers: ReadonlyMap<string, readonly string[]>
  /** Lower-case names of the headers to sign, sorted (see {@link headerNamesToSign}). */
  signedHeaders: readonly string[]
  /** Hex SHA-256 of the payload, `UNSIGNED-PAYLOAD` or a `STREAMING-*` value. */
  payloadHash: string
  /** The `host` value when `headers` has none (the URL's authority, which the HTTP client sends). */
  host?: string | undefined
}

/** A header's values as signed (and as they must be sent): each trimmed and folded, joined with `,`. */
export function canonicalValues(values: readonly string[]): string {
  return values.length === 1 ? canonicalHeaderValue(values[0] as string) : values.map(canonicalHeaderValue).join(',')
}

/** The names to sign: every header given except those never signed, and `host`, sorted. */
export function headerNamesToSign(headers: ReadonlyMap<string, unknown>, unsigned: ReadonlySet<string>): string[] {
  const names = ['host']
  for (const name of headers.keys()) if (name !== 'host' && !unsigned.has(name)) names.push(name)
  return sortSmall(names, nameAfter)
}
const nameAfter = (a: string, b: string) => a > b

/** The canonical request, and the `;`-joined signed-header list that goes with it. */
export function canonicalRequest(input: CanonicalInput): { canonicalRequest: string; signedHeaders: string } {
  let block = ''
  let signedHeaders = ''
  for (const name of input.signedHeaders) {
    const values = input.headers.get(name)
    const value = values === undefined ? (name === 'host' ? (input.host ?? '') : '') : canonicalValues(values)
    block += `${name}:${value}\n`
    signedHeaders = signedHeaders === '' ? name : `${signedHeaders};${name}`
  }
  return {
    canonicalRequest: `${input.method}\n${input.path}\n${typeof input.query === 'string' ? input.query : canonicalQuery(input.query)}\n${block}\n${signedHeaders}\n${input.payloadHash}`,
    signedHeaders,
  }
}
