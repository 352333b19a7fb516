// S3 answers SignatureDoesNotMatch with the canonical request and string to sign it computed; next
// to ours, a line diff points at the header, path or query parameter that differs. In lib/ because the
// client (AWS's answer) and verification (a received request) both explain mismatches with it.
import { redactTokens } from './redact.js'

type Op = readonly [' ' | '-' | '+', string]

/** Line diff by longest common subsequence: canonical requests are a dozen lines, so O(n·m) is nothing. */
export function diffLines(ours: string, theirs: string): Op[] {
  const a = ours.split('\n')
  const b = theirs.split('\n')
  const n = a.length
  const m = b.length
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as number[]
    const next = lcs[i + 1] as number[]
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push([' ', a[i] as string])
      i++
      j++
    } else if ((lcs[i + 1]?.[j] as number) >= (lcs[i]?.[j + 1] as number)) ops.push(['-', a[i++] as string])
    else ops.push(['+', b[j++] as string])
  }
  while (i < n) ops.push(['-', a[i++] as string])
  while (j < m) ops.push(['+', b[j++] as string])
  return ops
}

// Lines whose difference may be invisible (spaces at the ends, control or non-ASCII characters) are quoted.
const NEEDS_QUOTES = /^\s|\s$|[^\x20-\x7e]/

/** A diff as text, one line per line: `  - ours`, `  + theirs`, `    same`. */
export function render(ops: readonly Op[]): string {
  return ops
    .map(([mark, line]) => `  ${mark} ${mark !== ' ' && NEEDS_QUOTES.test(line) ? JSON.stringify(line) : line}`)
    .join('\n')
}

/**
 * A readable explanation of a signature mismatch: where our canonical request (or string to sign)
 * differs from the one AWS computed, lines prefixed `-` (ours) and `+` (AWS's).
 */
export function explainSignatureMismatch(
  ours: { canonicalRequest: string; stringToSign: string },
  theirs: { canonicalRequest?: string | undefined; stringToSign?: string | undefined },
): string | undefined {
  const oursCanonical = redactTokens(ours.canonicalRequest)
  if (theirs.canonicalRequest !== undefined) {
    const theirsCanonical = redactTokens(theirs.canonicalRequest)
    if (theirsCanonical !== oursCanonical) {
      return `The canonical request AWS computed differs from ours (- ours, + AWS):\n${render(diffLines(oursCanonical, theirsCanonical))}`
    }
  }
  if (theirs.stringToSign !== undefined && theirs.stringToSign !== ours.stringToSign) {
    return `The string to sign AWS computed differs from ours (- ours, + AWS):\n${render(diffLines(ours.stringToSign, theirs.stringToSign))}`
  }
  if (theirs.canonicalRequest !== undefined || theirs.stringToSign !== undefined) {
    return 'AWS computed the same canonical request and string to sign as we did: the secret access key does not belong to the access key id (or was mistyped).'
  }
  return undefined
}
