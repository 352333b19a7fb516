// The signed requests of AWS's test suites (aws-c-auth layout) as verifyRequest receives them, with the
// verification options their context.json implies. Shared by the v4 and v4a verification tests.
import { readdirSync, readFileSync } from 'node:fs'
import type { RequestDescription, VerifyRequestOptions } from '../../src/verify/index.js'
import { parseRequest } from '../portable/cases.mjs'

const VECTORS = new URL('../vectors/', import.meta.url)

export const readVector = (path: string) => readFileSync(new URL(path, VECTORS), 'utf8')

export function vectorExists(path: string): boolean {
  try {
    readVector(path)
    return true
  } catch {
    return false
  }
}

/** The case folders under `path`, sorted. */
export const vectorDirs = (path: string) =>
  readdirSync(new URL(path, VECTORS), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()

interface Parsed {
  method: string
  target: string
  headers: Array<[string, string]>
  body: string | null
}

/** A suite request file as it arrived: URL from its Host header, every header (host included) as written. */
export function receivedRequest(text: string): RequestDescription & { target: string } {
  const request = parseRequest(text) as Parsed
  const host = (request.headers.find(([name]) => name.toLowerCase() === 'host') as [string, string])[1].trim()
  return {
    method: request.method,
    url: `https://${host}${request.target}`,
    headers: request.headers,
    body: request.body,
    target: request.target,
  }
}

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string }
  normalize: boolean
  double_uri_encode?: boolean
  region: string
  service: string
  timestamp: string
  omit_session_token?: boolean
}

/** A case folder's signed request (`header` or `query`), its credentials and the options to verify it. */
export function signedSuiteCase(dir: string, variant: 'header' | 'query') {
  const context = JSON.parse(readVector(`${dir}context.json`)) as Context
  const text = readVector(`${dir}${variant}-signed-request.txt`)
  const request = receivedRequest(text)
  // Raw spaces and UTF-8 in a request line are sent encoded once (see test/portable/cases.mjs).
  const rawPath = /[^\x21-\x7e]/.test(request.target.split('?')[0] as string)
  const credentials = {
    accessKeyId: context.credentials.access_key_id,
    secretAccessKey: context.credentials.secret_access_key,
    sessionToken: context.credentials.token,
  }
  const options = {
    credentials: [credentials],
    service: context.service,
    region: context.region,
    now: () => Date.parse(context.timestamp),
    normalizePath: context.normalize,
    doubleEncodePath: context.double_uri_encode === false || rawPath ? false : undefined,
    requireSignedSessionToken: context.omit_session_token !== true,
  } satisfies VerifyRequestOptions
  return { request, credentials, options, context, signature: /Signature=([0-9a-f]+)/.exec(text)?.[1] }
}
