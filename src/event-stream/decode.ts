// Reading an event stream from a response body: messages as they arrive, and the service's own
// errors inside the stream (`:message-type` exception or error) thrown as the client's AwsError.
import { abortError, openSource, type StreamSource } from '../chunked/source.js'
import { AwsError } from '../errors.js'
import { readAwsError } from '../lib/aws-error.js'
import { createEventStreamDecoder, type EventMessage, type EventStreamDecoderOptions } from './codec.js'

/** A fetch `Response` (from `fetch`, undici, `client.fetch`...): its body is the event stream. */
export interface ResponseLike {
  readonly ok: boolean
  readonly status: number
  readonly statusText?: string
  readonly headers: { get(name: string): string | null }
  readonly body: ReadableStream<Uint8Array> | null
  text(): Promise<string>
}

/** What `decodeEventStream` reads: a response, or the body itself. */
export type EventStreamSource = ResponseLike | StreamSource

export interface DecodeEventStreamOptions extends EventStreamDecoderOptions {
  /** Aborting stops reading and releases the source; iteration rejects with a `StreamError` (`ERR_ABORTED`). */
  signal?: AbortSignal | undefined
  /**
   * Yield messages whose `:message-type` is `exception` or `error` instead of throwing them as an
   * `AwsError`. @default false
   */
  yieldErrors?: boolean | undefined
}

const textDecoder = new TextDecoder()
const NO_BYTES = new Uint8Array(0)
const MAX_BODY = 64 * 1024 // 64 KiB kept on the error, as the client does

function isResponse(source: unknown): source is ResponseLike {
  return (
    source !== null &&
    typeof source === 'object' &&
    'body' in source &&
    'status' in source &&
    typeof (source as ResponseLike).text === 'function' &&
    typeof (source as ResponseLike).headers?.get === 'function'
  )
}

/** The response's request id, for errors found in its stream. */
function requestIdOf(response: ResponseLike | undefined): string | undefined {
  if (response === undefined) return undefined
  const h = response.headers
  return h.get('x-amzn-requestid') ?? h.get('x-amz-request-id') ?? h.get('x-amzn-request-id') ?? undefined
}

/**
 * The `AwsError` a message carries when its `:message-type` is `exception` (modelled errors:
 * `:exception-type`, a JSON payload with `message`) or `error` (`:error-code`, `:error-message`), else
 * `undefined`.
 * https://smithy.io/2.0/aws/amazon-eventstream.html#event-stream-errors
 */
export function eventStreamError(
  message: EventMessage,
  context: { status?: number | undefined; requestId?: string | undefined } = {},
): AwsError | undefined {
  const kind = message.headers[':message-type']
  if (kind !== 'exception' && kind !== 'error') return undefined
  const h = message.headers
  const body = message.payload.length === 0 ? undefined : textDecoder.decode(message.payload.subarray(0, MAX_BODY))
  let awsCode: unknown = kind === 'exception' ? h[':exception-type'] : h[':error-code']
  let awsMessage: unknown = kind === 'error' ? h[':error-message'] : undefined
  const trimmed = body?.trimStart()
  if (trimmed?.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>
      awsMessage ??= parsed.message ?? parsed.Message ?? parsed.errorMessage
      awsCode ??= parsed.__type ?? parsed.code ?? parsed.Code
    } catch {}
  }
  return new AwsError({
    status: context.status ?? 200,
    awsCode:
      typeof awsCode === 'string' && awsCode !== '' ? awsCode : kind === 'error' ? 'EventStreamError' : 'Exception',
    awsMessage: typeof awsMessage === 'string' ? awsMessage : (body ?? '(no message)'),
    requestId: context.requestId,
    body,
  })
}

/**
 * Decodes an event stream as it arrives: a fetch `Response` (an error response becomes an `AwsError`),
 * a `ReadableStream`, any `AsyncIterable` or `Iterable` of `Uint8Array`. Yields each message once its
 * CRCs check out; throws an `EventStreamError` for bad framing or a stream cut inside a message, and
 * the `AwsError` of a message whose `:message-type` is `exception` or `error`, ending the iteration.
 * Breaking out of the loop cancels the body.
 *
 * @example
 * for await (const message of decodeEventStream(await fetch(signed.url, signed))) {
 *   if (message.headers[':event-type'] === 'Records') process(message.payload)
 * }
 */
export async function* decodeEventStream(
  source: EventStreamSource,
  options: DecodeEventStreamOptions = {},
): AsyncGenerator<EventMessage, void, undefined> {
  const { signal, yieldErrors = false } = options
  const decoder = createEventStreamDecoder(options)
  let response: ResponseLike | undefined
  let body: unknown = source
  if (isResponse(source)) {
    response = source
    if (!source.ok) throw await readAwsError(source)
    body = source.body ?? new Uint8Array(0)
  }
  const reader = openSource('body', body, { signal })
  const context = { status: response?.status, requestId: requestIdOf(response) }
  let done = false
  try {
    for (;;) {
      const chunk = await reader.read()
      if (chunk === undefined) break
      for (const message of decoder.push(chunk)) {
        if (!yieldErrors) {
          const error = eventStreamError(message, context)
          if (error !== undefined) throw error
        }
        yield message
      }
      // A bad message after those: its error now, not when (if ever) the next piece arrives.
      decoder.push(NO_BYTES)
    }
    if (signal?.aborted) throw abortError(signal)
    decoder.end()
    done = true
  } finally {
    if (!done) reader.release()
  }
}
