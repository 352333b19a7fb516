// The error body an S3-compatible server answers, in S3's standard XML, from a VerificationError (or any
// AWS code and message), so that every S3 client reports the failure as it would from AWS.
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses
import { VerificationError } from '../errors.js'

export interface S3ErrorOptions {
  /** The bucket or object the request was for (`<Resource>`). */
  resource?: string | undefined
  /** The request id (`<RequestId>`). */
  requestId?: string | undefined
  /**
   * Add `<CanonicalRequest>`, `<StringToSign>` and `<AWSAccessKeyId>` to `SignatureDoesNotMatch`, as S3 does,
   * so that clients can show where their signature differs. The session token is never included (it is
   * redacted from the error itself).
   * @default true
   */
  signatureDetails?: boolean | undefined
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  )

/**
 * S3's XML error body for `error`: `<Error><Code>…</Code><Message>…</Message>…</Error>`. A
 * {@link VerificationError} gives its `awsCode` (answer with its `status`); anything else is `InternalError`.
 *
 * @example
 * catch (error) {
 *   const status = error instanceof VerificationError ? error.status : 500
 *   response.writeHead(status, { 'content-type': 'application/xml' }).end(s3ErrorXml(error, { resource: path }))
 * }
 */
export function s3ErrorXml(error: unknown, options: S3ErrorOptions = {}): string {
  const known = error instanceof VerificationError
  const code = known ? error.awsCode : 'InternalError'
  const message = known ? error.message : 'We encountered an internal error. Please try again.'
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>`
  if (known && error.accessKeyId !== undefined)
    xml += `<AWSAccessKeyId>${escapeXml(error.accessKeyId)}</AWSAccessKeyId>`
  if (known && options.signatureDetails !== false && error.code === 'ERR_SIGNATURE_MISMATCH') {
    if (error.stringToSign !== undefined) xml += `<StringToSign>${escapeXml(error.stringToSign)}</StringToSign>`
    if (error.canonicalRequest !== undefined) {
      xml += `<CanonicalRequest>${escapeXml(error.canonicalRequest)}</CanonicalRequest>`
    }
  }
  if (options.resource !== undefined) xml += `<Resource>${escapeXml(options.resource)}</Resource>`
  if (options.requestId !== undefined) xml += `<RequestId>${escapeXml(options.requestId)}</RequestId>`
  return `${xml}</Error>`
}

/** A `Response` carrying {@link s3ErrorXml}, with the error's status (500 for anything not a VerificationError). */
export function s3ErrorResponse(error: unknown, options: S3ErrorOptions = {}): Response {
  const status = error instanceof VerificationError ? error.status : 500
  const headers: Record<string, string> = { 'content-type': 'application/xml' }
  if (options.requestId !== undefined) headers['x-amz-request-id'] = options.requestId
  return new Response(s3ErrorXml(error, options), { status, headers })
}
