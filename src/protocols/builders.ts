// Thin request builders for AWS's wire protocols, so that the request examples in the AWS docs
// translate line by line. Each returns `{ method, headers, body }` to spread into `client.fetch`'s init.
// https://smithy.io/2.0/aws/protocols/index.html

import { InvalidInputError } from '../errors.js'
import { formBody, uriEncode } from '../lib/uri.js'

/** A request's method, headers and body, ready to spread into a fetch init. */
export interface ProtocolRequest {
  method: string
  headers: Record<string, string>
  body?: string | undefined
}

/**
 * AWS JSON 1.0 / 1.1 (DynamoDB, SQS, KMS, Secrets Manager, ECS, CloudWatch Logs...): a POST to `/`
 * naming the operation in `X-Amz-Target`. The target prefix is in each API reference's examples.
 *
 * @example
 * await client.fetch(endpoint, { service: 'dynamodb', ...awsJson('DynamoDB_20120810.GetItem', { TableName, Key }) })
 */
export function awsJson(
  target: string,
  input: unknown = {},
  options: { version?: '1.0' | '1.1' } = {},
): ProtocolRequest {
  if (typeof target !== 'string' || !/^[\w.-]+\.[\w-]+$/.test(target)) {
    throw new InvalidInputError('target', 'must be `Prefix.Operation`, e.g. DynamoDB_20120810.GetItem')
  }
  const version = options.version ?? '1.0'
  if (version !== '1.0' && version !== '1.1') throw new InvalidInputError('version', 'must be 1.0 or 1.1')
  return {
    method: 'POST',
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target },
    body: JSON.stringify(input ?? {}),
  }
}

/** Query parameter values: lists and maps are flattened by the caller, as the AWS docs show them. */
export type QueryParams = Readonly<Record<string, string | number | boolean | undefined | null>>

/**
 * Percent-encodes as SigV4 and the AWS SDKs do (RFC 3986: only `A-Z a-z 0-9 - _ . ~` left as they are).
 * Unlike `URLSearchParams`, `*` is encoded and `~` is not, and space is `%20`.
 */
export function encodeRfc3986(value: string): string {
  return uriEncode(value)
}

/**
 * The AWS query protocol (IAM, STS, SNS, SQS's older API, EC2, CloudFormation...): a form POST with
 * `Action` and `Version`. Parameters are written flat, as in the API reference: `Attributes.entry.1.key`.
 *
 * @example
 * await client.fetch('https://sts.amazonaws.com/', { service: 'sts', ...awsQuery('GetCallerIdentity', '2011-06-15') })
 */
export function awsQuery(action: string, version: string, params: QueryParams = {}): ProtocolRequest {
  if (typeof action !== 'string' || action === '') throw new InvalidInputError('action', 'must be an operation name')
  if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    throw new InvalidInputError('version', 'must be the API version, e.g. 2010-05-08')
  }
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: formBody({ Action: action, Version: version, ...params }),
  }
}

/**
 * A query string (`?a=1&b=2`, or `''` when empty) encoded as SigV4 canonicalises it. `undefined` and
 * `null` values are left out; an array repeats the key.
 */
export function queryString(
  params: Readonly<Record<string, string | number | boolean | undefined | null | readonly string[]>>,
): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue
    const values = Array.isArray(value) ? value : [value]
    for (const v of values) parts.push(`${encodeRfc3986(key)}=${encodeRfc3986(String(v))}`)
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

const GREEDY = Symbol('awsig.greedy')

/** A path label that may contain `/` (`{Key+}` in the API reference): each segment is encoded on its own. */
export interface GreedyLabel {
  readonly [GREEDY]: string
}

/** Marks a value as a greedy label (`{Key+}`), such as an S3 object key, for {@link uriPath}. */
export function greedy(value: string): GreedyLabel {
  return { [GREEDY]: String(value) }
}

/**
 * A tagged template for REST paths: each interpolated label is percent-encoded (RFC 3986), so a `/`
 * or `?` in it cannot change the path; wrap a `{Key+}` label in {@link greedy} to keep its slashes.
 *
 * @example
 * uriPath`/2015-03-31/functions/${name}/invocations` // '/2015-03-31/functions/my%20fn/invocations'
 * uriPath`/${bucket}/${greedy(key)}`                 // '/photos/2024/a%20b.jpg'
 */
export function uriPath(
  strings: TemplateStringsArray,
  ...labels: ReadonlyArray<string | number | GreedyLabel>
): string {
  let out = strings[0] as string
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]
    const text =
      typeof label === 'object' && label !== null && GREEDY in label
        ? label[GREEDY].split('/').map(encodeRfc3986).join('/')
        : encodeRfc3986(String(label))
    out += text + (strings[i + 1] as string)
  }
  return out
}

/** In any case: a `Content-Type` given and a `content-type` added would be sent as both, joined. */
const hasContentType = (headers: Record<string, string>) =>
  Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')

/**
 * REST-JSON (Lambda, API Gateway, EKS, Glacier...): the operation is the method and path; `input`, when
 * given, is the JSON body. Extra headers are merged in.
 */
export function restJson(method: string, input?: unknown, headers: Record<string, string> = {}): ProtocolRequest {
  const request: ProtocolRequest = { method, headers: { ...headers } }
  if (input !== undefined) {
    if (!hasContentType(headers)) request.headers['content-type'] = 'application/json'
    request.body = JSON.stringify(input)
  }
  return request
}

/** REST-XML (S3, Route 53, CloudFront): the operation is the method and path; `body` is the XML document. */
export function restXml(
  method: string,
  body?: string | { toString(): string },
  headers: Record<string, string> = {},
): ProtocolRequest {
  const request: ProtocolRequest = { method, headers: { ...headers } }
  if (body !== undefined) {
    if (!hasContentType(headers)) request.headers['content-type'] = 'application/xml'
    request.body = String(body)
  }
  return request
}
