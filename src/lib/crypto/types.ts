/** What the signer needs from a crypto backend. Node's backend answers synchronously, WebCrypto's asynchronously. */
export interface CryptoBackend {
  /** Lower-case hex SHA-256 of UTF-8 text or bytes. */
  sha256Hex(data: string | Uint8Array): string | Promise<string>
  /** The SigV4 signing key: HMAC chain over date, region, service and `aws4_request`. Opaque to callers. */
  deriveSigningKey(secret: string, date: string, region: string, service: string): unknown
  /** Lower-case hex HMAC-SHA256 of `data` under a key from `deriveSigningKey`. */
  hmacHex(key: unknown, data: string): string | Promise<string>
  /**
   * `hmacHex` under one key for many messages (the chunks of a stream): what depends only on the key
   * is prepared once. The returned function gives the same answers as `hmacHex(key, data)`.
   */
  hmacHexWith(key: unknown): (data: string) => string | Promise<string>
  /** An incremental hash, for payloads that arrive in pieces. Synchronous on every backend. */
  createHash(algorithm: HashAlgorithm): IncrementalHash
  /** The runtime's native CRC-32 (`zlib.crc32`) where it has one, else `undefined`. */
  nativeCrc32(): ((data: Uint8Array, value: number) => number) | undefined
}

export type HashAlgorithm = 'sha1' | 'sha256'

export interface IncrementalHash {
  update(data: Uint8Array): void
  /** The raw digest. Call once. */
  digest(): Uint8Array
}
