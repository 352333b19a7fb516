// Test helpers: check that the requests a program sends through msw, nock or undici's MockAgent are
// correctly signed, and fail with a readable explanation (a canonical-request diff) when one is not.
import { sha256Hex } from '#crypto'
import { InvalidInputError, VerificationError } from '../errors.js'
import { redactTokens } from '../lib/redact.js'
import { diffLines, render } from '../lib/signature-diff.js'
import { typeOf } from '../lib/type-of.js'
import { type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { EMPTY_SHA256, UNSIGNED_PAYLOAD } from '../sign/constants.js'
import type { HeadersInput } from '../sign/types.js'
import { readAuthorization } from './authorization.js'
import { readWhole, toReadableStream } from './body.js'
import { type RequestDescription, readRequest, type VerifiableRequest } from './input.js'
import { rebuild, type VerifiedRequest, type VerifyRequestOptions, verifyRequest } from './verify-request.js'

/** Options of {@link createSignatureChecker}: those of `verifyRequest`, `now` defaulting to the request's own time. */
export interface SignatureCheckerOptions extends VerifyRequestOptions {
  /**
   * Check the time too. Mocks often run with fake timers or recorded requests, so by default the clock
   * is the request's own `x-amz-date`.
   * @default false
   */
  checkTime?: boolean | undefined
}

/** A request as the mock libraries hand it over: method, absolute URL, headers and the body bytes. */
interface Intercepted {
  method: string
  url: string
  headers: HeadersInput
  body: Uint8Array | null
}

export interface SignatureChecker {
  /**
   * Verifies one request (the body is read whole: mocks carry small bodies). Throws a
   * {@link VerificationError} whose message explains the failure, with a canonical-request diff.
   */
  check(request: VerifiableRequest): Promise<VerifiedRequest>
  /** Every failure seen so far, in order (also those a mock library swallowed into a 500). */
  readonly failures: readonly VerificationError[]
  /** Throws the first failure seen, if any: for `afterEach`. */
  assertAllSigned(): void
  /**
   * An msw resolver that checks the request, then answers with `resolver` (default: an empty 200).
   * @example server.use(http.all('https://bucket.s3.amazonaws.com/*', checker.msw(() => HttpResponse.text('ok'))))
   */
  msw<Info extends { request: Request }, R>(resolver: (info: Info) => R | Promise<R>): (info: Info) => Promise<R>
  /** An msw resolver that checks the request and answers an empty 200. */
  msw<Info extends { request: Request }>(): (info: Info) => Promise<Response>
  /**
   * A nock (15+) reply function: checks the request, then answers `status`, `body` and `headers`.
   * @example nock('https://sqs.us-east-1.amazonaws.com').post('/').reply(checker.nock(200, '{}'))
   */
  nock(
    status?: number,
    body?: string,
    headers?: Record<string, string>,
  ): (request: Request) => Promise<[number, string, Record<string, string>]>
  /**
   * An undici dispatcher interceptor: compose it onto a `MockAgent` and every request is checked before
   * the mock answers; a request that is not correctly signed fails with the explanation.
   * @example const agent = new MockAgent(); setGlobalDispatcher(agent.compose(checker.undici()))
   */
  undici<D extends UndiciDispatch>(): (dispatch: D) => D
}

/** undici's `dispatch(options, handler)` (typed loosely, so that any undici version's fits). */
export type UndiciDispatch = (options: never, handler: never) => boolean
type Dispatch = (options: UndiciDispatchOptions, handler: UndiciHandler) => boolean
export interface UndiciDispatchOptions {
  origin?: string | URL | undefined
  path: string
  method: string
  headers?: unknown
  body?: unknown
  [key: string]: unknown
}
export interface UndiciHandler {
  onResponseError?: (controller: unknown, error: Error) => void
  onError?: (error: Error) => void
}

const encoder = new TextEncoder()

/**
 * A checker for the requests a test intercepts, with known test credentials.
 *
 * @example
 * const checker = createSignatureChecker({ credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } })
 * afterEach(() => checker.assertAllSigned())
 */
export function createSignatureChecker(options: SignatureCheckerOptions): SignatureChecker {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const failures: VerificationError[] = []

  async function checkIntercepted(request: Intercepted): Promise<VerifiedRequest> {
    const description: RequestDescription = { ...request, body: request.body }
    let now = options.now
    if (!options.checkTime) {
      // The request's own signing time: verification then checks everything but the clock.
      const time = requestTime(description, options.algorithms ?? [sigv4])
      if (time !== undefined) now = () => time
    }
    try {
      const verified = await verifyRequest(description, { ...options, now })
      // The body verifies only at its end: read it all here, so that a bad body fails the check too.
      if (verified.body === null) return verified
      const bytes = new Uint8Array(await new Response(verified.body).arrayBuffer())
      const trailers = verified.trailers
      return { ...verified, body: toReadableStream(bytes), trailers }
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error
      const explained = new VerificationError(
        error.code,
        `request not correctly signed: ${request.method} ${redactTokens(request.url)}\n${error.awsCode}: ${error.message}${await explain(description, error, { ...options, now })}`,
        {
          cause: error,
          awsCode: error.awsCode,
          status: error.status,
          canonicalRequest: error.canonicalRequest,
          stringToSign: error.stringToSign,
          accessKeyId: error.accessKeyId,
        },
      )
      failures.push(explained)
      throw explained
    }
  }

  const checker = {
    async check(request: VerifiableRequest): Promise<VerifiedRequest> {
      const received = readRequest(request)
      const body = received.body === null ? null : await readWhole(received.body, Number.MAX_SAFE_INTEGER)
      const url = `${received.url.protocol}//${received.url.host}${received.url.path}${received.url.query.length ? `?${received.url.query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`
      const headers = [...received.headers].flatMap(([name, values]) =>
        values.map((v) => [name, v] as [string, string]),
      )
      return checkIntercepted({ method: received.method, url, headers, body })
    },
    get failures() {
      return failures
    },
    assertAllSigned() {
      if (failures.length > 0) throw failures[0]
    },
    msw<Info extends { request: Request }, R>(resolver?: (info: Info) => R | Promise<R>) {
      return async (info: Info) => {
        await checker.check(info.request.clone())
        return resolver === undefined ? new Response(null, { status: 200 }) : resolver(info)
      }
    },
    nock(status = 200, body = '', headers: Record<string, string> = {}) {
      return async (request: Request): Promise<[number, string, Record<string, string>]> => {
        await checker.check(request.bodyUsed ? request : request.clone())
        return [status, body, headers]
      }
    },
    undici<D extends UndiciDispatch>() {
      const intercept =
        (dispatch: Dispatch): Dispatch =>
        (opts, handler) => {
          const fail = (error: Error) => {
            if (handler.onResponseError) handler.onResponseError(null, error)
            else handler.onError?.(error)
          }
          ;(async () => {
            const body = await bodyBytes(opts.body)
            const origin = String(opts.origin ?? '').replace(/\/$/, '')
            await checkIntercepted({
              method: opts.method,
              url: `${origin}${opts.path}`,
              headers: undiciHeaders(opts.headers, new URL(origin).host),
              body,
            })
            return body
          })().then(
            (body) => dispatch({ ...opts, body: body === null ? opts.body : body }, handler),
            (error: Error) => fail(error),
          )
          return true
        }
      return intercept as unknown as (dispatch: D) => D
    },
  }
  return checker as SignatureChecker
}

function undiciHeaders(headers: unknown, host: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out.push([String(headers[i]), String(headers[i + 1])])
  } else if (headers !== null && typeof headers === 'object') {
    const entries =
      Symbol.iterator in headers
        ? [...(headers as Iterable<[string, unknown]>)]
        : Object.entries(headers as Record<string, unknown>)
    for (const [name, value] of entries) {
      if (value === undefined || value === null) continue
      for (const v of Array.isArray(value) ? value : [value]) out.push([String(name), String(v)])
    }
  }
  if (!out.some(([name]) => name.toLowerCase() === 'host')) out.push(['host', host])
  return out
}

async function bodyBytes(body: unknown): Promise<Uint8Array | null> {
  if (body === undefined || body === null) return null
  if (typeof body === 'string') return encoder.encode(body)
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (typeof body === 'object' && (Symbol.asyncIterator in body || Symbol.iterator in body || 'getReader' in body)) {
    return readWhole(body as AsyncIterable<Uint8Array>, Number.MAX_SAFE_INTEGER)
  }
  throw new InvalidInputError('body', `cannot be read for checking, got ${typeOf(body)}`)
}

function requestTime(request: RequestDescription, algorithms: readonly SigningAlgorithm[]): number | undefined {
  try {
    return readAuthorization(readRequest(request), algorithms).time
  } catch {
    return undefined
  }
}

/**
 * Why a signature does not match, in words and as a canonical-request diff. The canonical request AWS
 * computes from the request received is compared with the one the signature does match, when one of the
 * usual mistakes explains it (path encoded once instead of twice or the other way, dot segments, another
 * payload hash).
 */
async function explain(request: RequestDescription, error: VerificationError, options: SignatureCheckerOptions) {
  if (error.code !== 'ERR_SIGNATURE_MISMATCH' || error.canonicalRequest === undefined) return ''
  const received = readRequest(request)
  const auth = readAuthorization(received, options.algorithms ?? [sigv4])
  const expected = error.canonicalRequest
  const payloadHash = expected.slice(expected.lastIndexOf('\n') + 1)
  const bodyHash =
    received.body === null ? EMPTY_SHA256 : await sha256Hex(await readWhole(received.body, Number.MAX_SAFE_INTEGER))
  const lookup = options.credentials
  const found =
    typeof lookup === 'function'
      ? await lookup(auth.accessKeyId, { sessionToken: auth.sessionToken, service: auth.service, region: auth.region })
      : (Array.isArray(lookup) ? lookup : [lookup]).find((c) => c.accessKeyId === auth.accessKeyId)
  if (!found) return ''
  const key = await auth.algorithm.key(
    { accessKeyId: auth.accessKeyId, secretAccessKey: found.secretAccessKey },
    auth.day,
    auth.region,
    auth.service,
    null,
  )
  const normalize = options.normalizePath
  const double = options.doubleEncodePath
  const s3 = expected.includes('\nx-amz-content-sha256:')
  const variants: Array<[string, Parameters<typeof rebuild>[3], string]> = [
    [
      'the path encoded once more (or once less) than AWS does',
      { normalizePath: normalize, doubleEncodePath: !(double ?? !s3) },
      payloadHash,
    ],
    [
      'dot segments resolved differently',
      { normalizePath: !(normalize ?? !s3), doubleEncodePath: double },
      payloadHash,
    ],
    ['another payload hash: the body as sent', { normalizePath: normalize, doubleEncodePath: double }, bodyHash],
    [
      'another payload hash: UNSIGNED-PAYLOAD',
      { normalizePath: normalize, doubleEncodePath: double },
      UNSIGNED_PAYLOAD,
    ],
    ['another payload hash: an empty body', { normalizePath: normalize, doubleEncodePath: double }, EMPTY_SHA256],
  ]
  for (const [why, rules, hash] of variants) {
    const { canonical, stringToSign } = await rebuild(received, auth, hash, rules)
    const signedOne = redactTokens(canonical)
    if (signedOne !== expected && (await auth.algorithm.verify(key, stringToSign, auth.signature))) {
      return `\nThe signature matches a canonical request with ${why} (- AWS computes, + the client signed):\n${render(diffLines(expected, signedOne))}`
    }
  }
  return `\nCanonical request AWS computes from the request received:\n${expected
    .split('\n')
    .map((line) => `    ${line}`)
    .join(
      '\n',
    )}\nNo usual mistake explains the signature: the secret does not belong to ${auth.accessKeyId}, or the request was changed after it was signed (a signed header, the path, the query or the body).`
}
