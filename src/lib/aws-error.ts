// AWS error responses, whatever the protocol, into one AwsError: for the client, the STS and SSO
// providers, event-stream responses and the CLI alike.
// https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html#error-response-serialization
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#operation-error-serialization
// https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html#operation-error-serialization
// https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization
import { AwsError } from '../errors.js'
import { type HeadersLike, headerRecord, headerValue } from './headers.js'
import { parseHttpDate } from './http-date.js'
import { redactTokens, redactUrl } from './redact.js'
import { explainSignatureMismatch } from './signature-diff.js'
import { xmlText } from './xml.js'

export type { HeadersLike }

/** An error response: what `parseAwsError` needs. */
export interface ErrorResponse {
  status: number
  statusText?: string | undefined
  headers?: HeadersLike | undefined
  /** The body, read already: text or bytes (UTF-8). */
  body?: string | Uint8Array | ArrayBuffer | null | undefined
}

/** Where the request went, to put in the error. Everything optional. */
export interface ErrorContext {
  service?: string | undefined
  method?: string | undefined
  /** Auth query parameters are redacted before it is stored. */
  url?: string | undefined
  attempts?: number | undefined
  /** Our signature's workings, for the S3 SignatureDoesNotMatch diff (a `SignedRequest` fits). */
  signed?: { canonicalRequest: string; stringToSign: string } | undefined
  /** Clock for an HTTP-date `Retry-After`. @default Date.now() */
  now?: number | undefined
  cause?: unknown
}

export const MAX_BODY = 64 * 1024 // 64 KiB kept on the error: error bodies are small, HTML pages from proxies are not

// What the SDKs call an error with no code in the body (S3 HEAD, a proxy's HTML page).
const STATUS_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  411: 'LengthRequired',
  412: 'PreconditionFailed',
  413: 'RequestEntityTooLarge',
  416: 'InvalidRange',
  429: 'TooManyRequests',
  500: 'InternalError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
}

/**
 * Milliseconds to wait that the response asks for: `x-amz-retry-after` (milliseconds) or `Retry-After`
 * (seconds, or an HTTP date taken relative to the response's `Date`, else to `now`). `undefined` when
 * it asks for nothing readable.
 */
export function retryAfterMs(headers: HeadersLike | undefined, now = Date.now()): number | undefined {
  const amz = headerValue(headers, 'x-amz-retry-after')
  if (amz !== undefined && /^\s*\d+\s*$/.test(amz)) return Number(amz)
  const value = headerValue(headers, 'retry-after')?.trim()
  if (value === undefined || value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = parseHttpDate(value, now)
  if (date === undefined) return undefined
  // Measured against the server's own clock when it sends one: a skewed local clock does not matter then.
  const serverNow = parseHttpDate(headerValue(headers, 'date'), now)
  return Math.max(0, date - (serverNow ?? now))
}

/** `aws.protocols#...#ThrottlingException:http://...` → `ThrottlingException` */
function sanitizeCode(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined
  let code = raw.trim()
  const colon = code.indexOf(':')
  if (colon !== -1) code = code.slice(0, colon)
  const hash = code.lastIndexOf('#')
  if (hash !== -1) code = code.slice(hash + 1)
  return code === '' ? undefined : code
}

function stringField(obj: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = obj[name]
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
}

/** The fields of an AWS error body and headers, whatever the protocol. */
export interface ErrorFields {
  code?: string | undefined
  message?: string | undefined
  requestId?: string | undefined
  hostId?: string | undefined
  fault?: string | undefined
  canonicalRequest?: string | undefined
  stringToSign?: string | undefined
}

function readJsonError(text: string): ErrorFields {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    // Truncated or malformed: the fields that did arrive are still worth having.
    const type = /"(?:__type|code|Code)"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1]
    const message = /"(?:message|Message|errorMessage)"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1]
    return { code: sanitizeCode(type), message: message === undefined ? undefined : unescapeJson(message) }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {}
  const obj = body as Record<string, unknown>
  // A query service (STS, SNS, IAM...) asked for JSON nests the XML form's fields:
  // {"Error":{"Code","Message","Type"},"RequestId"}.
  const nested = obj.Error
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const error = nested as Record<string, unknown>
    return {
      code: sanitizeCode(stringField(error, 'Code')),
      message: stringField(error, 'Message'),
      requestId: stringField(obj, 'RequestId'),
      fault: stringField(error, 'Type'),
    }
  }
  return {
    // `error` and `error_description`: the OAuth form of SSO OIDC.
    code: sanitizeCode(stringField(obj, 'code', 'Code', '__type', '__Type', 'error')),
    message: stringField(obj, 'message', 'Message', 'errorMessage', 'ErrorMessage', 'error_description'),
    requestId: stringField(obj, 'RequestId', 'requestId'),
  }
}

function unescapeJson(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string
  } catch {
    return text
  }
}

function readXmlError(text: string): ErrorFields {
  // Query protocol: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>;
  // EC2: <Response><Errors><Error>...</Error></Errors><RequestID/></Response>; S3: <Error><Code/>...</Error>.
  return {
    code: sanitizeCode(xmlText(text, 'Code')),
    message: xmlText(text, 'Message'),
    requestId: xmlText(text, 'RequestId') ?? xmlText(text, 'RequestID'),
    hostId: xmlText(text, 'HostId'),
    fault: xmlText(text, 'Type'),
    canonicalRequest: xmlText(text, 'CanonicalRequest'),
    stringToSign: xmlText(text, 'StringToSign'),
  }
}

/**
 * The code, message, request id and fault of an AWS error response of any protocol, from its headers
 * (`x-amzn-errortype`, `x-amzn-query-error`, request id headers) and body (XML, JSON, or neither).
 * What the client's `AwsError` and the credentials providers' STS and SSO errors are built from.
 */
export function readErrorFields(headers: HeadersLike | undefined, text: string): ErrorFields {
  const trimmed = text.trimStart()
  let parsed: ErrorFields = {}
  if (trimmed.startsWith('{')) parsed = readJsonError(trimmed)
  else if (trimmed.startsWith('<')) parsed = readXmlError(trimmed)
  const queryError = headerValue(headers, 'x-amzn-query-error')
  return {
    ...parsed,
    code: sanitizeCode(headerValue(headers, 'x-amzn-errortype')) ?? parsed.code,
    requestId:
      headerValue(headers, 'x-amzn-requestid') ??
      headerValue(headers, 'x-amz-request-id') ??
      headerValue(headers, 'x-amzn-request-id') ??
      parsed.requestId,
    fault: parsed.fault ?? (queryError?.includes(';') ? queryError.slice(queryError.indexOf(';') + 1) : undefined),
  }
}

function bodyText(body: ErrorResponse['body']): string {
  if (body == null) return ''
  if (typeof body === 'string') return body
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body)
  return new TextDecoder().decode(bytes)
}

/**
 * Turns an AWS error response of any protocol into an {@link AwsError}: S3 and query XML (`<Code>`),
 * JSON 1.0/1.1 (`__type`), REST-JSON (`x-amzn-errortype`, `code`), and bodies that are empty, truncated
 * or not AWS's at all (the code then comes from the status: `NotFound`, `ServiceUnavailable`...).
 *
 * @example
 * const response = await fetch(signed.url, { headers: signed.headers })
 * if (!response.ok) throw parseAwsError({ status: response.status, headers: response.headers, body: await response.text() })
 */
export function parseAwsError(response: ErrorResponse, context: ErrorContext = {}): AwsError {
  const { status, headers } = response
  // What is kept is all that is read: the lenient XML reader is slow on megabytes of markup.
  const whole = bodyText(response.body)
  const text = whole.length > MAX_BODY ? whole.slice(0, MAX_BODY) : whole
  const trimmed = text.trimStart()
  const parsed = readErrorFields(headers, text)
  let code = parsed.code
  let message = parsed.message
  if (code === undefined) {
    code = STATUS_CODES[status] ?? `Http${status}`
    if (message === undefined) {
      const snippet = trimmed.slice(0, 200).replace(/\s+/g, ' ')
      const statusText = response.statusText ? ` ${response.statusText}` : ''
      message =
        snippet === ''
          ? `HTTP ${status}${statusText} with no body`
          : `HTTP ${status}${statusText} with a body that is not an AWS error: ${snippet}${trimmed.length > 200 ? '…' : ''}`
    }
  }
  const { requestId, fault } = parsed
  const signatureDiff =
    context.signed !== undefined && (parsed.canonicalRequest !== undefined || parsed.stringToSign !== undefined)
      ? explainSignatureMismatch(context.signed, parsed)
      : undefined
  const kept = redactTokens(text)
  return new AwsError({
    status,
    awsCode: code,
    awsMessage: message ?? '(no message)',
    requestId,
    extendedRequestId: headerValue(headers, 'x-amz-id-2') ?? parsed.hostId,
    fault,
    service: context.service,
    method: context.method,
    url: context.url === undefined ? undefined : redactUrl(context.url),
    headers: headerRecord(headers),
    body: kept === '' ? undefined : kept,
    retryAfter: retryAfterMs(headers, context.now),
    attempts: context.attempts,
    canonicalRequest: parsed.canonicalRequest === undefined ? undefined : redactTokens(parsed.canonicalRequest),
    stringToSign: parsed.stringToSign,
    signatureDiff,
    cause: context.cause,
  })
}

/**
 * The first `limit` bytes of a body stream as text; the rest is cancelled unread. An error page from a
 * proxy may be huge, or never end, and the lenient XML reader is slow on megabytes: 64 KiB is kept anyway.
 */
async function readPrefix(body: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let length = 0
  try {
    while (length < limit) {
      const { done, value } = await reader.read()
      if (done) return text + decoder.decode()
      const piece = value.byteLength > limit - length ? value.subarray(0, limit - length) : value
      length += piece.byteLength
      text += decoder.decode(piece, { stream: true })
    }
  } catch (error) {
    reader.releaseLock()
    throw error
  }
  reader.cancel().catch(() => {})
  return text + decoder.decode()
}

/** A body `readAwsError` can read in part: a web `ReadableStream`. */
const isWebStream = (body: unknown): body is ReadableStream<Uint8Array> =>
  body != null && typeof (body as { getReader?: unknown }).getReader === 'function'

/**
 * Reads a fetch `Response` that is not ok and returns its {@link AwsError}: for fetch-based clients
 * (ky, undici's fetch) that hand back the response. Of a `body` stream, at most 64 KiB are read and
 * the rest cancelled; without one, `text()` reads the whole body.
 */
export async function readAwsError(
  response: {
    status: number
    statusText?: string
    headers: HeadersLike
    body?: unknown
    text(): Promise<string>
  },
  context: ErrorContext = {},
): Promise<AwsError> {
  let body = ''
  let cause: unknown
  try {
    body = isWebStream(response.body) ? await readPrefix(response.body, MAX_BODY) : await response.text()
  } catch (error) {
    cause = error // a body cut off mid-way: still report the status and headers
  }
  return parseAwsError(
    { status: response.status, statusText: response.statusText, headers: response.headers, body },
    cause === undefined || context.cause !== undefined ? context : { ...context, cause },
  )
}
