// Random SigV4a requests for the differential tests in test/sigv4a/: the shared request generators
// (request-cases.ts) plus a region set, signed by awsig with explicit path rules.
import fc from 'fast-check'
import type { PresignOptions, SignOptions } from '../../src/index.js'
import { sigv4a } from '../../src/sigv4a/index.js'
import { bodyInput, type Case, headersInput } from './request-cases.js'

/** `['*']`, one region, two, or random region names. */
export const regionSetArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>(['*']),
  fc.constant<string[]>(['us-east-1']),
  fc.constant<string[]>(['us-east-1', 'us-west-2']),
  fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 1, maxLength: 3 }),
)

/**
 * SigV4a's streaming values in place of SigV4's (a SigV4a request cannot sign a body framed for SigV4).
 */
export function forSigv4a(c: Case): Case {
  if (c.payload.kind === 'hash' && c.payload.payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256')) {
    return {
      ...c,
      payload: { kind: 'hash', payloadHash: c.payload.payloadHash.replace('HMAC-SHA256', 'ECDSA-P256-SHA256') },
    }
  }
  return c
}

/**
 * awsig's options for the case with `algorithm: sigv4a`, S3's path rules (no normalisation, single
 * encoding) or everyone else's given explicitly, so that the references get the same rules.
 */
export function sigv4aOptions(c: Case, regionSet: string[], s3Rules: boolean): SignOptions & PresignOptions {
  return {
    method: c.method,
    url: c.urlForm === 'URL' ? new URL(c.url) : c.url,
    headers: headersInput(c).input,
    service: c.service,
    regionSet,
    algorithm: sigv4a,
    credentials: c.credentials,
    date: c.date,
    normalizePath: !s3Rules,
    doubleEncodePath: !s3Rules,
    ...(c.payload.kind === 'hash' ? { payloadHash: c.payload.payloadHash } : { body: bodyInput(c.payload) }),
  }
}
