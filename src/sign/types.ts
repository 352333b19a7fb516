// The option and result types of sign, presign and presignRequest.
import type { SigningAlgorithm } from './algorithm.js'
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
/**
 * Credentials, or a provider that returns them (every `awsig/credentials` provider is one). A provider is
 * called once per signing call: wrap it in `cached()` so that it fetches only when they expire.
 */
export type CredentialsInput = Credentials | (() => Credentials | Promise<Credentials>)

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
  /** e.g. `us-east-1`. Required, except with a region-set algorithm (SigV4a), which takes `regionSet`. */
  region?: string | undefined
  /**
   * SigV4a only: the regions the signature is valid in (`x-amz-region-set`), e.g. `['us-east-1', 'us-west-2']`,
   * or `['*']` for all.
   */
  regionSet?: readonly string[] | undefined
  /** Credentials, or a provider that returns them (awaited once per call). */
  credentials: CredentialsInput
  /**
   * The signature algorithm.
   * @default sigv4 (`AWS4-HMAC-SHA256`); `sigv4a` from `awsig/sigv4a` for SigV4a (`AWS4-ECDSA-P256-SHA256`)
   */
  algorithm?: SigningAlgorithm | undefined
  /** Signing time. @default new Date() */
  date?: Date | undefined
  /**
   * Remove `.`/`..` segments and duplicate slashes from the signed path.
   * @default false for S3's signing names (`s3`, `s3-object-lambda`, `s3-outposts`, `s3express`), else true
   */
  normalizePath?: boolean | undefined
  /**
   * URI-encode the (already encoded) path once more in the canonical request.
   * @default false for S3's signing names, else true
   */
  doubleEncodePath?: boolean | undefined
  /** Send and sign `x-amz-content-sha256`. @default true for S3's signing names (S3 requires it), else false */
  contentHashHeader?: boolean | undefined
  /**
   * Sign the session token. `false` adds `x-amz-security-token` after signing, as AWS IoT requires.
   * @default true
   */
  signSessionToken?: boolean | undefined
  /**
   * Header names (any case) to send but not sign, in addition to those never signed (`user-agent`, ...).
   * The headers the signer adds (`x-amz-date`, `x-amz-region-set`, `x-amz-content-sha256`,
   * `x-amz-security-token`) are always signed: naming one is an `InvalidInputError`.
   */
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
  /**
   * Every header to send, lower-case names, `authorization` included. `host` only when a `host` header other
   * than the URL's authority was given and signed (the HTTP client must send it); otherwise the client sets it.
   */
  headers: Record<string, string>
  /** Hex signature. */
  signature: string
  /** For debugging: compare with the canonical request AWS returns on `SignatureDoesNotMatch`. */
  canonicalRequest: string
  stringToSign: string
  /** `;`-separated lower-case names of the signed headers. */
  signedHeaders: string
  /** `date/region/service/aws4_request` (`date/service/aws4_request` with SigV4a). */
  credentialScope: string
  /** The payload hash that was signed (last line of the canonical request). */
  payloadHash: string
  /** The signing instant as signed: `20150830T123600Z`. */
  amzDate: string
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
