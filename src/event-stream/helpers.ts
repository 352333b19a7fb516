// The event shapes people meet most: Bedrock's model streams and S3 Select, read from a response in one call.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_SelectObjectContent.html
import { EventStreamError } from '../errors.js'
import { type DecodeEventStreamOptions, decodeEventStream, type EventStreamSource } from './decode.js'

/**
 * A Bedrock stream event. `type` is the `:event-type`: `chunk` for `InvokeModelWithResponseStream`
 * (then `data` is the model's own JSON chunk, decoded from `chunk.bytes`), or a `ConverseStream` event
 * (`messageStart`, `contentBlockStart`, `contentBlockDelta`, `contentBlockStop`, `messageStop`,
 * `metadata`; then `data` is the event's JSON, without Bedrock's `p` padding).
 */
export interface BedrockEvent {
  type: string
  // biome-ignore lint/suspicious/noExplicitAny: model and event JSON, shaped by the model called
  data: any
}

const textDecoder = new TextDecoder()

function base64Bytes(base64: string): Uint8Array {
  let binary: string
  try {
    binary = atob(base64)
  } catch (cause) {
    throw new EventStreamError('ERR_EVENT_STREAM_MALFORMED', 'Bedrock chunk event: "bytes" is not base64', { cause })
  }
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

function json(payload: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(textDecoder.decode(payload))
  } catch (cause) {
    throw new EventStreamError('ERR_EVENT_STREAM_MALFORMED', `${what}: the payload is not JSON`, { cause })
  }
}

/** An event's own payload: always a JSON object in Bedrock's documented shapes. */
function jsonObject(payload: Uint8Array, what: string): Record<string, unknown> {
  const value = json(payload, what)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EventStreamError('ERR_EVENT_STREAM_MALFORMED', `${what}: the payload is not a JSON object`)
  }
  return value as Record<string, unknown>
}

/**
 * The events of a Bedrock `InvokeModelWithResponseStream` or `ConverseStream` response, JSON decoded.
 * Errors in the stream (`throttlingException`, `modelStreamErrorException`...) are thrown as `AwsError`.
 *
 * @example
 * for await (const event of bedrockEvents(await fetch(signed.url, signed))) {
 *   if (event.type === 'contentBlockDelta') process.stdout.write(event.data.delta.text ?? '')
 * }
 */
export async function* bedrockEvents(
  source: EventStreamSource,
  options: DecodeEventStreamOptions = {},
): AsyncGenerator<BedrockEvent, void, undefined> {
  for await (const message of decodeEventStream(source, options)) {
    const type = message.headers[':event-type']
    if (typeof type !== 'string') continue
    const data = message.payload.length === 0 ? {} : jsonObject(message.payload, `Bedrock ${type} event`)
    if (type === 'chunk') {
      const bytes = data.bytes
      if (typeof bytes !== 'string') {
        throw new EventStreamError('ERR_EVENT_STREAM_MALFORMED', 'Bedrock chunk event without base64 "bytes"')
      }
      yield { type, data: json(base64Bytes(bytes), 'Bedrock chunk bytes') }
    } else {
      delete data.p // random-length padding against traffic analysis
      yield { type, data }
    }
  }
}

/** The counters of S3 Select's `Stats` and `Progress` events. */
export interface SelectProgress {
  bytesScanned: number
  bytesProcessed: number
  bytesReturned: number
}

/** An S3 `SelectObjectContent` event: the records, progress, statistics, keep-alives and the end. */
export type SelectEvent =
  | { type: 'Records'; payload: Uint8Array }
  | { type: 'Stats'; details: SelectProgress }
  | { type: 'Progress'; details: SelectProgress }
  | { type: 'Cont' }
  | { type: 'End' }

function progress(payload: Uint8Array): SelectProgress {
  const xml = textDecoder.decode(payload)
  const number = (tag: string) => Number(new RegExp(`<${tag}>\\s*(\\d+)\\s*</${tag}>`).exec(xml)?.[1] ?? Number.NaN)
  return {
    bytesScanned: number('BytesScanned'),
    bytesProcessed: number('BytesProcessed'),
    bytesReturned: number('BytesReturned'),
  }
}

/**
 * The events of an S3 `SelectObjectContent` response. Ends only after S3's `End` event: a stream that
 * stops before it is an `EventStreamError` (`ERR_EVENT_STREAM_TRUNCATED`), since S3 says the query did
 * not complete. Errors in the stream are thrown as `AwsError`.
 *
 * @example
 * for await (const event of selectObjectContentEvents(response)) {
 *   if (event.type === 'Records') output.write(event.payload)
 * }
 */
export async function* selectObjectContentEvents(
  source: EventStreamSource,
  options: DecodeEventStreamOptions = {},
): AsyncGenerator<SelectEvent, void, undefined> {
  for await (const message of decodeEventStream(source, options)) {
    switch (message.headers[':event-type']) {
      case 'Records':
        yield { type: 'Records', payload: message.payload }
        break
      case 'Stats':
        yield { type: 'Stats', details: progress(message.payload) }
        break
      case 'Progress':
        yield { type: 'Progress', details: progress(message.payload) }
        break
      case 'Cont':
        yield { type: 'Cont' }
        break
      case 'End':
        yield { type: 'End' }
        return
    }
  }
  throw new EventStreamError('ERR_EVENT_STREAM_TRUNCATED', 'the S3 Select response ended before its End event')
}

/**
 * The records of an S3 `SelectObjectContent` response as one text (CSV or JSON lines), once the `End`
 * event has arrived. For large results iterate {@link selectObjectContentEvents} instead.
 */
export async function selectObjectContentText(
  source: EventStreamSource,
  options: DecodeEventStreamOptions = {},
): Promise<string> {
  const decoder = new TextDecoder()
  let out = ''
  for await (const event of selectObjectContentEvents(source, options)) {
    if (event.type === 'Records') out += decoder.decode(event.payload, { stream: true })
  }
  return out + decoder.decode()
}
