// awsig/client: sign and send over any fetch-like function, with retries, clock-skew correction and
// typed AWS errors. Universal: adapters for other HTTP clients are their own subpaths
// (awsig/client/undici, /axios, /got, /ky, /node-http) and are never imported from here; request
// builders and XML helpers are in awsig/protocols.
export {
  AwsError,
  type AwsErrorDetails,
  BodyNotReplayableError,
  type BodyNotReplayableErrorDetails,
  NetworkError,
  type RequestErrorDetails,
  TimeoutError,
  type TimeoutErrorDetails,
} from '../errors.js'
export {
  type ErrorContext,
  type ErrorResponse,
  type HeadersLike,
  parseAwsError,
  readAwsError,
  retryAfterMs,
} from '../lib/aws-error.js'
export { explainSignatureMismatch } from '../lib/signature-diff.js'
export type { CredentialsSource } from '../protocols/credentials-source.js'
export type { FetchInit, FetchLike, ResponseLike } from '../protocols/fetch.js'
export type { RequestBody } from './body.js'
export {
  type Client,
  type ClientOptions,
  type ClientPresignInit,
  type ClientRequestInit,
  type ClientSignInit,
  createClient,
  type RetryEvent,
} from './client.js'
export {
  CLOCK_SKEW_CODES,
  type RetryKind,
  type RetryOptions,
  THROTTLING_CODES,
  TRANSIENT_CODES,
} from './retry.js'
export type { AdapterOptions, SigningOptions } from './signer.js'
export { type SendFetch, type SendOptions, type SendRequest, send, type Transport } from './transport.js'
