import type { SigningKeyCache } from './key-cache.js'

/** AWS credentials. Only `accessKeyId` and `secretAccessKey` are required. */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Session token of temporary credentials (STS, SSO, instance roles). */
  readonly sessionToken?: string | undefined
  /** When temporary credentials expire, where known. Not used by signing. */
  readonly expiration?: Date | undefined
}

/**
 * Request headers: a record (array values are repeated headers), a list of `[name, value]` pairs
 * (repeated names allowed) or a `Headers` object.
 */
export type HeadersInput =
  | Readonly<Record<string, string | number | readonly string[] | undefined | null>>
  | Iterable<readonly [string, string]>
  | Headers

/**
 * A request body that can be hashed in one piece (`URLSearchParams` as its `toString()`, which is what
 * fetch sends). Streams need `payloadHash`.
 */
export type BodyInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | URLSearchParams | null | undefined

export interface SignOptions {
  /** Absolute `http:` or `https:` URL, query included. The path is taken as written (no dot-segment resolution). */
  url: string | URL
  /** @default 'GET' */
  method?: string | undefined
  headers?: HeadersInput | undefined
  /** The body to hash. Ignored when `payloadHash` is given. */
  body?: BodyInput
  /**
   * The payload hash to sign instead of hashing `body`: a lower-case hex SHA-256, `UNSIGNED-PAYLOAD`
   * or a `STREAMING-*` value. Wins over `body`.
   */
  payloadHash?: string | undefined
  /** Signing name of the service, e.g. `s3`, `dynamodb`, `execute-api`. */
  service: string
  /** e.g. `us-east-1`. */
  region: string
  credentials: Credentials
  /** Signing time. @default new Date() */
  date?: Date | undefined
  /** Remove `.`/`..` segments and duplicate slashes from the signed path. @default service !== 's3' */
  normalizePath?: boolean | undefined
  /** URI-encode the (already encoded) path once more in the canonical request. @default service !== 's3' */
  doubleEncodePath?: boolean | undefined
  /** Send and sign `x-amz-content-sha256`. @default service === 's3' (S3 requires it) */
  contentHashHeader?: boolean | undefined
  /**
   * Sign the session token. `false` adds `x-amz-security-token` after signing, as AWS IoT requires.
   * @default true
   */
  signSessionToken?: boolean | undefined
  /** Header names (any case) to send but not sign, in addition to those never signed (`user-agent`, ...). */
  unsignedHeaders?: readonly string[] | undefined
  /**
   * Where derived signing keys are cached. `null` disables caching.
   * @default defaultKeyCache (one module-level cache of at most 50 keys)
   */
  keyCache?: SigningKeyCache | null | undefined
}

export interface SignedRequest {
  /** The URL to send: path and query encoded exactly as they were signed. */
  url: string
  /** Upper-case method. */
  method: string
  /** Every header to send, lower-case names, `authorization` included, `host` excluded (the client sets it). */
  headers: Record<string, string>
  /** Hex signature. */
  signature: string
  /** For debugging: compare with the canonical request AWS returns on `SignatureDoesNotMatch`. */
  canonicalRequest: string
  stringToSign: string
  /** `;`-separated lower-case names of the signed headers. */
  signedHeaders: string
  /** `date/region/service/aws4_request`. */
  credentialScope: string
}

export interface PresignOptions extends Omit<SignOptions, 'contentHashHeader'> {
  /** Seconds the URL stays valid, 1 to 604800 (7 days). @default 3600 */
  expiresIn?: number | undefined
  /**
   * Move `x-amz-*` headers (other than `x-amz-content-sha256`) into the query string, so that whoever
   * uses the URL need not send them. Other headers given are signed and must be sent.
   * @default false
   */
  hoistHeaders?: boolean | undefined
}

export interface PresignedRequest extends SignedRequest {
  /** Headers the user of the URL must send as signed (`host` excluded); often empty. */
  headers: Record<string, string>
}
