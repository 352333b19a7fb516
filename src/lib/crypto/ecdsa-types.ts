// What SigV4a needs from a crypto backend, beyond `#crypto`: HMAC over bytes for the key derivation and
// ECDSA P-256 with SHA-256. Reached through the `#crypto-ecdsa` import conditions, only from awsig/sigv4a,
// so `awsig` alone never bundles it.

/** A P-256 key pair ready to sign and verify, with its public point. Opaque to callers. */
export interface EcdsaKeyPair {
  /** The backend's private key (a `KeyObject` or a non-extractable `CryptoKey`). */
  readonly privateKey: unknown
  /** The backend's public key (may be made on first use). */
  readonly publicKey: unknown
  /** Affine coordinates of the public point, 32 bytes each, big-endian. */
  readonly x: Uint8Array
  readonly y: Uint8Array
}

export interface EcdsaBackend {
  /** HMAC-SHA256 of `data` under `key`, raw. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array | Promise<Uint8Array>
  /** The key pair of the private scalar `d` (32 bytes, big-endian, in [1, n-1]). */
  keyPairFromScalar(d: Uint8Array): EcdsaKeyPair | Promise<EcdsaKeyPair>
  /** A public key from its affine coordinates (32 bytes each); throws if the point is not on the curve. */
  publicKeyFromPoint(x: Uint8Array, y: Uint8Array): unknown | Promise<unknown>
  /** ECDSA P-256 signature of SHA-256(UTF-8 `data`), DER-encoded, lower-case hex. */
  signDerHex(privateKey: unknown, data: string): string | Promise<string>
  /** Whether the DER signature `der` signs SHA-256(UTF-8 `data`) under `publicKey`. */
  verifyDer(publicKey: unknown, data: string, der: Uint8Array): boolean | Promise<boolean>
}
