// awsig/event-stream: the `application/vnd.amazon.eventstream` codec, decoding streamed responses
// (Bedrock, S3 Select...), signing streamed requests (Transcribe...) and verifying them.

export { EventStreamError, type EventStreamErrorCode } from '../errors.js'
export {
  createEventStreamDecoder,
  decodeEventMessage,
  type EventHeadersInput,
  type EventHeaderType,
  type EventHeaderValue,
  type EventMessage,
  type EventMessageInput,
  type EventStreamDecoder,
  type EventStreamDecoderOptions,
  encodeEventMessage,
  MAX_HEADERS_SIZE,
  MAX_MESSAGE_SIZE,
  type TypedEventHeader,
} from './codec.js'
export {
  type DecodeEventStreamOptions,
  decodeEventStream,
  type EventStreamSource,
  eventStreamError,
  type ResponseLike,
} from './decode.js'
export {
  type BedrockEvent,
  bedrockEvents,
  type SelectEvent,
  type SelectProgress,
  selectObjectContentEvents,
  selectObjectContentText,
} from './helpers.js'
export {
  createEventSigner,
  type EventSigner,
  type EventSignerOptions,
  type SignEventStreamOptions,
  type SignedEventStream,
  signEventStream,
} from './sign.js'
export { type VerifiedEventMessage, type VerifyEventStreamOptions, verifyEventStream } from './verify.js'
