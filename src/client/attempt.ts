// One attempt of a client request: sign, send, and classify what came back (a response to return,
// or a failure for the retry decision).
import { AwsError, type AwsigError, NetworkError, TimeoutError } from '../errors.js'
import { MAX_BODY, readAwsError } from '../lib/aws-error.js'
import { redactUrl } from '../lib/redact.js'
import type { FetchInit, FetchLike, ResponseLike } from '../protocols/fetch.js'
import type { SignedRequest } from '../sign/types.js'
import type { PreparedBody } from './body.js'
import { startDeadline } from './deadline.js'

/** What an attempt needs besides the signature: how to send, and where the request goes. */
export interface AttemptContext<R extends ResponseLike> {
  fetch: FetchLike<R>
  method: string
  /** The URL as given, for the error's signature diff and redaction (errors show it redacted). */
  url: string
  /** The caller's fetch options other than the client's own, if any. */
  passThrough: Readonly<Record<string, unknown>> | undefined
  body: PreparedBody
  timeout: number
  signal: AbortSignal | undefined
  /** With `throwOnError: false` an error response may be returned: its body is read from a copy. */
  throwOnError: boolean
  now: () => number
}

/** A response to return (status under 300, or 304), or a failure with the response that carried it. */
export type AttemptResult<R> = { response: R; failure?: undefined } | { response: R | undefined; failure: AwsigError }

/** Sends one signed attempt (`attempt` is its number, 1-based). Throws the caller's abort reason. */
export async function sendAttempt<R extends ResponseLike>(
  ctx: AttemptContext<R>,
  signed: SignedRequest,
  attempt: number,
): Promise<AttemptResult<R>> {
  const { method, signal, timeout } = ctx
  const next = ctx.body.next()
  const sendBody = next instanceof Promise ? await next : next
  const { passThrough } = ctx
  const init: FetchInit =
    passThrough === undefined
      ? { method: signed.method, headers: signed.headers }
      : { ...passThrough, method: signed.method, headers: signed.headers }
  if (sendBody !== undefined) init.body = sendBody as NonNullable<FetchInit['body']>
  if (ctx.body.isStream) init.duplex = 'half'
  // Where the attempt went, as errors show it: made only for an error.
  const where = () => ({ method, url: redactUrl(ctx.url), attempts: attempt })
  const deadline = startDeadline(timeout, signal, () => new TimeoutError({ timeout, ...where() }))
  if (deadline.signal !== undefined) init.signal = deadline.signal

  let response: R
  try {
    response = await ctx.fetch(signed.url, init)
  } catch (error) {
    deadline.settle(false)
    if (signal?.aborted) throw signal.reason
    const shown = where()
    const failure = deadline.timedOut
      ? new TimeoutError({ timeout, ...shown, cause: error })
      : new NetworkError(`${method} ${shown.url}: no response (${describeFailure(error)})`, { ...shown, cause: error })
    return { response: undefined, failure }
  }
  const { status } = response
  const service = serviceOf(signed.credentialScope)
  let inBody: string | undefined
  if (status === 200 && service === 's3' && mayFailAfter200(signed)) {
    // The copy's answer (or the completion's) is read here, from a copy of the response, as the SDKs do.
    const text = await response.clone().text()
    if (signed.method === 'POST' && text.trim() === '') {
      // A completion without a body is S3's dropped request, as the SDKs read it: the object may not exist.
      deadline.settle(false)
      if (signal?.aborted) throw signal.reason
      const failure = new AwsError({
        status,
        awsCode: 'InternalError',
        awsMessage: 'S3 answered 200 with an empty body (an aborted request)',
        requestId: response.headers.get('x-amz-request-id') ?? undefined,
        service,
        ...where(),
      })
      return { response, failure }
    }
    if (S3_ERROR_DOCUMENT.test(text)) inBody = text
  }
  if ((status < 300 || status === 304) && inBody === undefined) {
    deadline.settle(true)
    return { response }
  }
  // A response that may be returned (throwOnError: false) is read from a copy, which keeps it whole.
  const readFrom = ctx.throwOnError || inBody !== undefined ? response : response.clone()
  const error = await readAwsError(
    {
      status,
      statusText: response.statusText,
      headers: response.headers,
      // A small body of announced length is read whole (the node-http transport holds it already, and
      // needs no web stream); any other, only as far as the error keeps it (a proxy's may never end).
      body:
        inBody !== undefined || announcesSmallBody(response.headers)
          ? undefined
          : (readFrom as { body?: unknown }).body,
      text: inBody !== undefined ? async () => inBody : () => readFrom.text(),
    },
    { service, method, url: ctx.url, attempts: attempt, signed, now: ctx.now() },
  )
  deadline.settle(false)
  if (signal?.aborted) throw signal.reason
  return { response, failure: deadline.timedOut ? new TimeoutError({ timeout, ...where(), cause: error }) : error }
}

// S3 sends the 200 of CopyObject, UploadPartCopy and CompleteMultipartUpload before the work is done,
// and an error document in the body when it fails (a completion, no body at all when it was dropped).
const S3_ERROR_DOCUMENT = /^\s*(?:<\?xml[^>]*\?>\s*)?<Error[\s>]/

function mayFailAfter200(signed: SignedRequest): boolean {
  if (signed.method === 'PUT') return signed.headers['x-amz-copy-source'] !== undefined
  return signed.method === 'POST' && /[?&]uploadId=/.test(signed.url)
}

/** The service of a credential scope (`day/region/service/aws4_request`, or SigV4a's `day/service/...`). */
function serviceOf(scope: string): string | undefined {
  const parts = scope.split('/')
  return parts[parts.length - 2]
}

/** Whether `content-length` says the body is at most what an error keeps (not compressed: fetch inflates). */
function announcesSmallBody(headers: ResponseLike['headers']): boolean {
  const encoding = headers.get('content-encoding')
  return (
    (encoding === null || encoding === 'identity') && Number(headers.get('content-length') ?? Number.NaN) <= MAX_BODY
  )
}

/** The fetch error in a line: the system code (`ECONNREFUSED`...) and the innermost message. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const detail = cause !== undefined && typeof cause.message === 'string' ? cause.message : message
  return typeof code === 'string' && !detail.includes(code) ? `${code}: ${detail}` : detail
}

/** Cancels a response's body that will not be read (a body already read or locked is left as it is). */
export function discardBody(response: ResponseLike): void {
  try {
    ;(response as { body?: { cancel?(): Promise<void> } | null }).body?.cancel?.()?.catch?.(() => {})
  } catch {
    // a body that cannot be cancelled holds nothing to release
  }
}
