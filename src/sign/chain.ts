// Chained signatures: each aws-chunked chunk, trailer or event-stream message is signed over the
// signature before it, starting from the request's own ("seed") signature. One step for signing and
// for verifying, whatever the algorithm.
import type { SigningAlgorithm } from './algorithm.js'
import { CHAIN_SIGNATURE_PADDING, payloadAlgorithm, trailerAlgorithm } from './constants.js'

/** What a link signs: a chunk or event-stream message (`payload`) or an aws-chunked trailer (`trailer`). */
export type ChainLink = 'payload' | 'trailer'

/**
 * The string to sign of one link: `<algorithm>-PAYLOAD` (or `-TRAILER`), the date, the credential scope,
 * the previous signature, then the link's hashes, one a line. An aws-chunked chunk gives two hashes
 * (the empty string's, then its data's), a trailer one, an event-stream message two (its headers', its
 * payload's).
 */
export function chainStringToSign(
  algorithmId: string,
  link: ChainLink,
  amzDate: string,
  scope: string,
  previous: string,
  hashes: string,
): string {
  const first = link === 'payload' ? payloadAlgorithm(algorithmId) : trailerAlgorithm(algorithmId)
  return `${first}\n${amzDate}\n${scope}\n${previous}\n${hashes}`
}

/** A chain of signatures under one key, date and scope, from {@link createChain}. */
export interface SignatureChain {
  /** The last signature of the chain: the seed until a link is signed or verified. */
  readonly previous: string
  /** Signs the next link (`hashes` joined by `\n`) and makes it the previous one. */
  sign(link: ChainLink, hashes: string, date?: string): string | Promise<string>
  /**
   * Whether `signature` signs the next link; if it does, it becomes the previous one. Constant-time.
   * `date` overrides the chain's date for this link (event-stream messages carry their own).
   */
  verify(link: ChainLink, hashes: string, signature: string, date?: string): boolean | Promise<boolean>
}

/**
 * Starts a chain from `seed` (the request's signature). Synchronous where the algorithm and backend
 * are (SigV4 on node:crypto): no promise, no turn of the event loop per chunk.
 */
export function createChain(
  algorithm: SigningAlgorithm,
  key: unknown,
  amzDate: string,
  scope: string,
  seed: string,
): SignatureChain {
  let previous = seed
  const id = algorithm.id
  return {
    get previous() {
      return previous
    },
    sign(link, hashes, date = amzDate) {
      const signature = algorithm.sign(key, chainStringToSign(id, link, date, scope, previous, hashes))
      if (typeof signature === 'string') {
        previous = signature
        return signature
      }
      return signature.then((s) => {
        previous = s
        return s
      })
    },
    verify(link, hashes, signature, date = amzDate) {
      const ok = algorithm.verify(key, chainStringToSign(id, link, date, scope, previous, hashes), signature)
      if (typeof ok === 'boolean') {
        if (ok) previous = signature
        return ok
      }
      return ok.then((valid) => {
        if (valid) previous = signature
        return valid
      })
    },
  }
}

/**
 * A chunk or trailer signature as it goes on the wire (`chunk-signature=`, `x-amz-trailer-signature:`):
 * padded on the right with `*` to `algorithm.chainSignatureLength` (SigV4a; SigV4's are full width).
 * Chain and verify the unpadded signature.
 */
export function paddedSignature(algorithm: SigningAlgorithm, signature: string): string {
  const width = algorithm.chainSignatureLength
  return width !== undefined && signature.length < width ? signature.padEnd(width, CHAIN_SIGNATURE_PADDING) : signature
}

/** A chunk or trailer signature read from the wire, without its trailing `*` padding. */
export function unpaddedSignature(wire: string): string {
  let end = wire.length
  while (end > 0 && wire.charCodeAt(end - 1) === 0x2a) end-- // '*'
  return end === wire.length ? wire : wire.slice(0, end)
}

const FULL_WIDTH_SIGNATURE = /^[0-9a-f]{64}$/
const DER_HEX_SIGNATURE = /^(?:[0-9a-f]{2})+$/

/**
 * Whether `signature` (unpadded) has the form of one of `algorithm`'s signatures: 64 lower-case hex
 * digits, or with a `chainSignatureLength` (SigV4a's DER), whole bytes of lower-case hex up to that width.
 */
export function isSignatureForm(algorithm: SigningAlgorithm, signature: string): boolean {
  const width = algorithm.chainSignatureLength
  return width === undefined
    ? FULL_WIDTH_SIGNATURE.test(signature)
    : signature.length <= width && DER_HEX_SIGNATURE.test(signature)
}
