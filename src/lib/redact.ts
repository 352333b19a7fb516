// Redaction views: what error messages, logs, `util.inspect` and JSON show of URLs, canonical
// requests and credentials. A secret never leaves through them.

export const REDACTED = '[redacted]'
/** Node's `util.inspect` hook, by its registered name (no `node:util` import). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom')

const AUTH_PARAM = /([?&])(X-Amz-Signature|X-Amz-Security-Token)=[^&#]*/gi

/** The URL with presigning's signature and session token replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(AUTH_PARAM, '$1$2=[redacted]')
}

const TOKEN_HEADER = /^(x-amz-security-token:).*$/gim
// A canonical query holds a presigned URL's signature when that URL was sent signed again (with headers).
const TOKEN_PARAM = /(X-Amz-Security-Token=|X-Amz-Signature=)[^&\n<]*/g
// S3's SignatureDoesNotMatch also gives the canonical request and string to sign as hex bytes, which
// carry the token too: their whole content goes (up to the next tag, or to the end of a cut-off body).
const BYTES_ELEMENT = /(<(?:[\w.-]+:)?(?:CanonicalRequestBytes|StringToSignBytes)(?:\s[^>]*)?>)[^<]*/g

/**
 * Removes session tokens (and presigned signatures) from a canonical request (header or presigned query
 * form) or an error body holding one, whose `<CanonicalRequestBytes>` and `<StringToSignBytes>` are redacted whole.
 */
export function redactTokens(text: string): string {
  return text
    .replace(TOKEN_HEADER, '$1[redacted]')
    .replace(TOKEN_PARAM, '$1[redacted]')
    .replace(BYTES_ELEMENT, '$1[redacted]')
}

/** What may be shown of credentials: the key id, expiry, account and source; the secret and token as `[redacted]`. */
export function redactedCredentials(c: {
  accessKeyId: string
  sessionToken?: string | undefined
  expiration?: Date | undefined
}): Record<string, unknown> {
  const view: Record<string, unknown> = { accessKeyId: c.accessKeyId, secretAccessKey: REDACTED }
  if (c.sessionToken !== undefined && c.sessionToken !== '') view.sessionToken = REDACTED
  if (c.expiration !== undefined) view.expiration = c.expiration
  const { accountId, source } = c as { accountId?: unknown; source?: unknown }
  if (accountId !== undefined) view.accountId = accountId
  if (source !== undefined) view.source = source
  return view
}
