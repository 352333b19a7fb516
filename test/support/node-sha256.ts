// SHA-256 (HMAC-SHA256 with a secret) from node:crypto in the shape the smithy signers take (@smithy/hash-node's
// Hash), for the differential tests against @smithy/signature-v4 and @smithy/signature-v4a.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'

export type SourceData = string | ArrayBuffer | ArrayBufferView
const toBytes = (data: SourceData) =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data)

/** SHA-256 (HMAC-SHA256 with a secret) from node:crypto, shaped like @smithy/hash-node's Hash. */
export class NodeSha256 {
  readonly #secret: SourceData | undefined
  #hash: Hash | Hmac
  constructor(secret?: SourceData) {
    this.#secret = secret
    this.#hash = this.#create()
  }
  #create(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.#secret))
  }
  update(data: SourceData): void {
    this.#hash.update(toBytes(data))
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest())
  }
  reset(): void {
    this.#hash = this.#create()
  }
}
