// awsig/client: sign and send over any fetch-like function, with retries, clock-skew correction and
// typed AWS errors. Universal: adapters for other HTTP clients are their own subpaths
// (awsig/client/undici, /axios, /got, /ky, /node-http) and are never imported from here.
export {
  AwsError,
  type AwsErrorDetails,
  BodyNotReplayableError,
  NetworkError,
  type RequestErrorDetails,
  TimeoutError,
} from '../errors.js'
export type { RequestBody } from './body.js'
export {
  type Client,
  type ClientOptions,
  type ClientPresignInit,
  type ClientRequestInit,
  type ClientSignInit,
  createClient,
  type FetchInit,
  type FetchLike,
  type ResponseLike,
  type RetryEvent,
} from './client.js'
export {
  type ErrorContext,
  type ErrorResponse,
  type HeadersLike,
  parseAwsError,
  readAwsError,
  retryAfterMs,
} from './parse-error.js'
export {
  awsJson,
  awsQuery,
  encodeRfc3986,
  type GreedyLabel,
  greedy,
  type ProtocolRequest,
  type QueryParams,
  queryString,
  restJson,
  restXml,
  uriPath,
} from './protocols.js'
export {
  CLOCK_SKEW_CODES,
  type RetryKind,
  type RetryOptions,
  THROTTLING_CODES,
  TRANSIENT_CODES,
} from './retry.js'
export { explainSignatureMismatch } from './signature-diff.js'
export type { AdapterOptions, CredentialsSource, SigningOptions } from './signer.js'
export { type SendFetch, type SendOptions, type SendRequest, send, type Transport } from './transport.js'
export { type XmlFragment, xml, xmlElements, xmlText, xmlTexts } from './xml.js'
