// The inverse of signChunked: reads an aws-chunked body, checks its framing, every chunk signature
// and the trailer (signature and checksum), and yields the payload. The base of server-side verification.
import { createHash, sha256Hex } from '#crypto'
import { InvalidInputError, VerificationError } from '../errors.js'
import { concat, toHex } from '../lib/hex.js'
import { credentialScope, type SigningAlgorithm, sigv4 } from '../sign/algorithm.js'
import { createChain, isSignatureForm, type SignatureChain, unpaddedSignature } from '../sign/chain.js'
import { EMPTY_SHA256, X_AMZ_TRAILER_SIGNATURE } from '../sign/constants.js'
import { toAmzDate } from '../sign/date.js'
import { defaultKeyCache, type SigningKeyCache } from '../sign/key-cache.js'
import { typeOf } from '../sign/request.js'
import type { Credentials } from '../sign/types.js'
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type ChecksumState, checksumState } from './checksum.js'
import { type ChunkedMode, MIN_CHUNK_SIZE, streamingPayloadHash } from './sign-chunked.js'
import { openSource, type StreamSource } from './source.js'

export interface DecodeChunkedOptions {
  /** The framing: a {@link ChunkedMode}, or the request's `x-amz-content-sha256` value (`STREAMING-...`). */
  mode: ChunkedMode | string
  /** Signed modes: the request's seed signature (the `Signature=` of its `Authorization` header). */
  seedSignature?: string | undefined
  /** Signed modes: the credentials the request claims (its access key's secret). */
  credentials?: Credentials | undefined
  /** Signed modes: the region of the request's credential scope (not needed with a region-set algorithm). */
  region?: string | undefined
  /** Signed modes: the request's algorithm. @default sigv4 */
  algorithm?: SigningAlgorithm | undefined
  /**
   * Signed modes: the key that signed the request, as the algorithm's `key()` returns it, when the
   * caller has it already (a verifier); then `credentials` is not needed.
   */
  key?: unknown
  /** Signed modes: the service of the request's credential scope. */
  service?: string | undefined
  /** Signed modes: the request's `x-amz-date` (`20130524T000000Z`) or the same instant as a `Date`. */
  date?: string | Date | undefined
  /** The request's `x-amz-decoded-content-length`: the payload must have exactly this length. */
  decodedContentLength?: number | undefined
  /**
   * The request's `x-amz-trailer` (comma-separated names, or a list): the trailer must carry exactly
   * these, and each `x-amz-checksum-*` among them is checked against the payload. Without it, a
   * trailer is accepted as it comes and no checksum is checked.
   */
  trailer?: string | readonly string[] | undefined
  /** Largest chunk accepted, which bounds the memory a chunk takes. @default 16 MiB */
  maxChunkSize?: number | undefined
  /** Smallest chunk accepted before the last one; S3 rejects smaller. @default 8192 */
  minChunkSize?: number | undefined
  /** Where derived signing keys are cached; `null` disables caching. @default defaultKeyCache */
  keyCache?: SigningKeyCache | null | undefined
  /** Aborting stops reading and releases the source; iteration rejects with a `StreamError` (`ERR_ABORTED`). */
  signal?: AbortSignal | undefined
}

/** The payload of an aws-chunked body, from {@link decodeChunked}. Iterate it once. */
export interface DecodedChunkedBody extends AsyncIterable<Uint8Array> {
  /** The trailing headers (lower-case names, `x-amz-trailer-signature` excluded), once iteration has ended. */
  readonly trailers: Readonly<Record<string, string>>
  /** Chunks read so far, the final zero-length chunk included. */
  readonly chunks: number
  /** Payload bytes yielded so far. */
  readonly length: number
}

const DEFAULT_MAX_CHUNK_SIZE = 16 * 1024 * 1024 // 16 MiB
const MAX_HEADER_LINE = 256 // a chunk header is at most 16 hex digits + 81
const MAX_TRAILER = 16 * 1024 // 16 KiB for all trailing headers
// Signed chunks: lower-case hex only, as every signer writes it: then no bit of the framing can change
// unnoticed.
const SIGNED_HEADER = /^([0-9a-f]{1,13});chunk-signature=([0-9a-f]{64})$/
// SigV4a: DER hex padded with '*' to 144 characters (aws-c-auth); checked further by isSignatureForm.
const SIGNED_HEADER_PADDED = /^([0-9a-f]{1,13});chunk-signature=([0-9a-f]+\**)$/
// Unsigned chunks: either case, as the AWS SDK for Rust (`{:X?}`) and aws-c-s3 (`PRIX64`) write upper case.
const UNSIGNED_HEADER = /^([0-9A-Fa-f]{1,13})$/
const AMZ_DATE = /^\d{8}T\d{6}Z$/
const TRAILER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
const EMPTY: Uint8Array = new Uint8Array(0)

const MODES: readonly ChunkedMode[] = ['signed', 'signed-trailer', 'unsigned-trailer']

const modeOf = (value: unknown, algorithmId: string): ChunkedMode | undefined =>
  MODES.find((mode) => value === mode || value === streamingPayloadHash(mode, algorithmId))

function amzDateOf(date: unknown): string {
  if (typeof date === 'string' && AMZ_DATE.test(date)) return date
  if (date instanceof Date) return toAmzDate(date)
  throw new InvalidInputError('date', `must be an x-amz-date such as 20130524T000000Z or a Date, got ${typeOf(date)}`)
}

function checkSize(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, 'must be a whole number of bytes >= 0')
  }
  return value
}

function trailerNames(value: DecodeChunkedOptions['trailer']): string[] | undefined {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined
  if (list === undefined)
    throw new InvalidInputError('trailer', `must be a string or a list of names, got ${typeOf(value)}`)
  return list.map((name) => String(name).trim().toLowerCase()).filter((name) => name !== '')
}

/**
 * Where the line at `pos` ends (the index of its LF) when all of it is in `buffer`, ends with CRLF
 * and is at most `max` bytes with it; else -1, and the general path reads it and names any fault.
 */
function lineEnd(buffer: Uint8Array, pos: number, max: number): number {
  const newline = buffer.indexOf(10, pos)
  return newline === -1 || newline + 1 - pos > max || newline === pos || buffer[newline - 1] !== 13 ? -1 : newline
}

/** Bytes as a string, one character each (the framing is ASCII). */
const latin1 = (bytes: Uint8Array): string => String.fromCharCode.apply(null, bytes as unknown as number[])

/** What {@link chunkNow} needs of one body: fixed for the body but for `pending`. */
interface FastPath {
  signed: boolean
  header: RegExp
  /** Undefined when signatures are full width (the header pattern checks their form). */
  unpad: ((given: string) => string | undefined) | undefined
  maxChunkSize: number
  minChunkSize: number
  decodedContentLength: number | undefined
  mismatch: () => Error
  /** A chain verification that answered with a promise, for the caller to await. */
  pending: Promise<boolean> | undefined
}

/**
 * The chunk at `pos` when its header, data and CRLF are all in `buffer`, well formed, and
 * hashing is synchronous (node:crypto): parsed, hashed and verified with no await; the caller moves
 * past it (its CRLF ends 2 bytes after the view). Otherwise undefined, and the general path reads
 * the chunk and names any fault. A module-level function, so that one optimized version serves every
 * body (per-body closures were optimized again for each body after a full GC).
 */
function chunkNow(
  fast: FastPath,
  buffer: Uint8Array,
  pos: number,
  previousSize: number,
  length: number,
  chain: SignatureChain | undefined,
): Uint8Array | undefined {
  const newline = lineEnd(buffer, pos, MAX_HEADER_LINE)
  if (newline === -1) return undefined
  const match = fast.header.exec(latin1(buffer.subarray(pos, newline - 1)))
  if (match === null) return undefined
  const signature = !fast.signed ? '' : fast.unpad ? fast.unpad(match[2] as string) : (match[2] as string)
  if (signature === undefined) return undefined
  const size = Number.parseInt(match[1] as string, 16)
  const start = newline + 1
  if (
    size === 0 ||
    size > fast.maxChunkSize ||
    (previousSize !== -1 && previousSize < fast.minChunkSize) ||
    (fast.decodedContentLength !== undefined && length + size > fast.decodedContentLength) ||
    buffer.length - start < size + 2 ||
    buffer[start + size] !== 13 ||
    buffer[start + size + 1] !== 10
  ) {
    return undefined
  }
  const data = buffer.subarray(start, start + size)
  if (chain !== undefined) {
    const hash = sha256Hex(data)
    if (typeof hash !== 'string') return undefined
    const ok = chain.verify('payload', `${EMPTY_SHA256}\n${hash}`, signature)
    if (ok === false) throw fast.mismatch()
    if (ok !== true) fast.pending = ok
  }
  return data
}

/**
 * Decodes and verifies an aws-chunked request body, yielding the payload chunk by chunk. Each chunk
 * is yielded only once its signature has verified; the trailer and its checksum are verified at the
 * end, so treat the payload as unverified until iteration ends without an error.
 *
 * Fails with a {@link VerificationError}: `ERR_MALFORMED_CHUNK`, `ERR_INCOMPLETE_BODY`,
 * `ERR_SIGNATURE_MISMATCH`, `ERR_CHECKSUM_MISMATCH` or `ERR_DECODED_LENGTH`.
 *
 * @example
 * const body = decodeChunked(request, {
 *   mode: request.headers['x-amz-content-sha256'], seedSignature, credentials, region, service,
 *   date: request.headers['x-amz-date'], trailer: request.headers['x-amz-trailer'],
 *   decodedContentLength: Number(request.headers['x-amz-decoded-content-length']),
 * })
 * for await (const bytes of body) file.write(bytes)
 */
export function decodeChunked(body: StreamSource, options: DecodeChunkedOptions): DecodedChunkedBody {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const algorithm = options.algorithm ?? sigv4
  const mode = modeOf(options.mode, algorithm.id)
  if (mode === undefined) {
    throw new InvalidInputError(
      'mode',
      `must be an aws-chunked mode or STREAMING-* payload hash, got ${typeOf(options.mode)}`,
    )
  }
  const signed = mode !== 'unsigned-trailer'
  // SigV4a's chunk and trailer signatures are padded with '*' to a fixed width (144).
  const width = algorithm.chainSignatureLength ?? 64
  const padded = algorithm.chainSignatureLength !== undefined
  const signedHeader = padded ? SIGNED_HEADER_PADDED : SIGNED_HEADER
  /** A chunk or trailer signature from the wire, unpadded, or undefined when it is not of the algorithm's form. */
  const wireSignature = (given: string): string | undefined => {
    if (given.length > width) return undefined
    const signature = padded ? unpaddedSignature(given) : given
    return isSignatureForm(algorithm, signature) ? signature : undefined
  }
  let amzDate = ''
  let scope = ''
  if (signed) {
    if (typeof options.seedSignature !== 'string' || !isSignatureForm(algorithm, options.seedSignature)) {
      throw new InvalidInputError(
        'seedSignature',
        algorithm.chainSignatureLength === undefined
          ? 'must be 64 lower-case hex digits'
          : 'must be lower-case DER hex',
      )
    }
    const credentials = options.credentials
    if (
      options.key === undefined &&
      (credentials === null || typeof credentials !== 'object' || typeof credentials.secretAccessKey !== 'string')
    ) {
      throw new InvalidInputError('credentials', 'must be credentials with a secretAccessKey')
    }
    for (const field of algorithm.regionSet ? (['service'] as const) : (['region', 'service'] as const)) {
      if (typeof options[field] !== 'string' || options[field] === '') {
        throw new InvalidInputError(field, 'must be a non-empty string')
      }
    }
    amzDate = amzDateOf(options.date)
    scope = credentialScope(algorithm, amzDate.slice(0, 8), options.region ?? '', options.service as string)
  }
  const decodedContentLength =
    options.decodedContentLength === undefined
      ? undefined
      : checkSize('decodedContentLength', options.decodedContentLength, 0)
  const maxChunkSize = checkSize('maxChunkSize', options.maxChunkSize, DEFAULT_MAX_CHUNK_SIZE)
  const minChunkSize = checkSize('minChunkSize', options.minChunkSize, MIN_CHUNK_SIZE)
  const expectedTrailers = trailerNames(options.trailer)
  const checksums = new Map<string, ChecksumState>()
  for (const name of expectedTrailers ?? []) {
    const algorithm = name.startsWith('x-amz-checksum-') ? name.slice(15) : undefined
    if (algorithm !== undefined && (CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
      checksums.set(name, checksumState(algorithm as ChecksumAlgorithm))
    }
  }
  const checksumList = [...checksums.values()]
  const signal = options.signal
  const reader = openSource('body', body, { signal })

  const result = { trailers: {} as Record<string, string>, chunks: 0, length: 0 }
  let started = false

  async function* run(): AsyncGenerator<Uint8Array, void, undefined> {
    let completed = false
    let buffer = EMPTY
    let pos = 0
    const malformed = (problem: string) =>
      new VerificationError('ERR_MALFORMED_CHUNK', `aws-chunked body: ${problem}`, { chunk: result.chunks })
    const incomplete = () =>
      new VerificationError('ERR_INCOMPLETE_BODY', 'aws-chunked body: ended before its final chunk and trailer', {
        chunk: result.chunks,
      })
    const more = async () => {
      const piece = await reader.read()
      if (piece === undefined) return false
      buffer = piece
      pos = 0
      return true
    }
    /**
     * The next line when the current piece holds all of it, well formed (the common case: no await,
     * no second scan); otherwise undefined, nothing consumed, and `line` reads it and names any fault.
     */
    const lineNow = (max: number): string | undefined => {
      const newline = lineEnd(buffer, pos, max)
      if (newline === -1) return undefined
      const text = latin1(buffer.subarray(pos, newline - 1))
      pos = newline + 1
      return text
    }
    /** A CRLF-terminated line (without the CRLF), at most `max` bytes with it. */
    const line = async (max: number): Promise<string> => {
      let text = ''
      for (;;) {
        if (pos >= buffer.length && !(await more())) throw incomplete()
        const newline = buffer.indexOf(10, pos)
        const end = newline === -1 ? buffer.length : newline + 1
        if (text.length + end - pos > max) throw malformed(`a line is longer than ${max} bytes`)
        text += latin1(buffer.subarray(pos, end))
        pos = end
        if (newline !== -1) break
      }
      if (text.length < 2 || text.charCodeAt(text.length - 2) !== 13) throw malformed('a line does not end with CRLF')
      return text.slice(0, -2)
    }
    /** The next `size` bytes, as views of the pieces they arrived in. */
    const bytes = async (size: number): Promise<Uint8Array[]> => {
      const views: Uint8Array[] = []
      while (size > 0) {
        if (pos >= buffer.length && !(await more())) throw incomplete()
        const n = Math.min(size, buffer.length - pos)
        views.push(buffer.subarray(pos, pos + n))
        pos += n
        size -= n
      }
      return views
    }
    let chain: SignatureChain | undefined
    const mismatch = (what = `chunk ${result.chunks}`) =>
      new VerificationError('ERR_SIGNATURE_MISMATCH', `aws-chunked body: the ${what} signature does not match`, {
        chunk: result.chunks,
      })
    const startChain = async () => {
      const key =
        options.key ??
        (await algorithm.key(
          options.credentials as Credentials,
          amzDate.slice(0, 8),
          options.region ?? '',
          options.service as string,
          options.keyCache === undefined ? defaultKeyCache : options.keyCache,
        ))
      chain = createChain(algorithm, key, amzDate, scope, options.seedSignature as string)
    }
    /**
     * Throws unless `given` signs the next link; a promise only when the key or the backend is
     * asynchronous. `what` names the link in the error: the current chunk unless said.
     */
    const verify = (
      link: 'payload' | 'trailer',
      hashes: string,
      given: string,
      what?: string,
    ): void | Promise<void> => {
      if (chain === undefined) return startChain().then(() => verify(link, hashes, given, what))
      const ok = chain.verify(link, hashes, given)
      if (ok === true) return
      if (ok === false) throw mismatch(what)
      return ok.then((valid) => {
        if (!valid) throw mismatch(what)
      })
    }

    let previousSize = -1
    // Whether sha256Hex answered synchronously: node:crypto, whose incremental hash is native too
    // (WebCrypto's backend hashes incrementally in JavaScript).
    let nativeHash = false
    const fast: FastPath = {
      signed,
      header: signed ? signedHeader : UNSIGNED_HEADER,
      unpad: padded ? wireSignature : undefined,
      maxChunkSize,
      minChunkSize,
      decodedContentLength,
      mismatch: () => mismatch(),
      pending: undefined,
    }
    try {
      for (;;) {
        const now =
          !signed || (chain !== undefined && nativeHash)
            ? chunkNow(fast, buffer, pos, previousSize, result.length, chain)
            : undefined
        if (now !== undefined) {
          pos = now.byteOffset - buffer.byteOffset + now.length + 2
          if (fast.pending !== undefined) {
            const valid = await fast.pending
            fast.pending = undefined
            if (!valid) throw mismatch()
          }
          for (const checksum of checksumList) checksum.update(now)
          result.chunks++
          previousSize = now.length
          result.length += now.length
          yield now
          continue
        }
        const header = lineNow(MAX_HEADER_LINE) ?? (await line(MAX_HEADER_LINE))
        const match = (signed ? signedHeader : UNSIGNED_HEADER).exec(header)
        // Unpadded, the header's pattern has checked the signature's form already.
        const signature = !signed || match === null ? '' : padded ? wireSignature(match[2] as string) : match[2]
        if (match === null || signature === undefined) {
          throw malformed(
            signed
              ? `expected a chunk header "<hex size>;chunk-signature=<${padded ? `signature padded with * to ${width}` : '64 hex'}>"`
              : 'expected a chunk header "<hex size>"',
          )
        }
        const size = Number.parseInt(match[1] as string, 16)
        if (size > maxChunkSize)
          throw malformed(`a chunk of ${size} bytes is larger than maxChunkSize (${maxChunkSize})`)
        if (size > 0 && previousSize !== -1 && previousSize < minChunkSize) {
          throw malformed(`a chunk before the last has ${previousSize} bytes, fewer than ${minChunkSize}`)
        }
        if (decodedContentLength !== undefined && result.length + size > decodedContentLength) {
          throw new VerificationError(
            'ERR_DECODED_LENGTH',
            `aws-chunked body: longer than x-amz-decoded-content-length (${decodedContentLength})`,
            { chunk: result.chunks },
          )
        }
        if (size === 0) {
          if (signed) {
            const pending = verify('payload', `${EMPTY_SHA256}\n${EMPTY_SHA256}`, signature, 'final chunk')
            if (pending !== undefined) await pending
          }
          result.chunks++
          break
        }
        // The chunk as one view, or as the views of the pieces it spans (hashed in place where hashing
        // is native; else copied into one, which WebCrypto's one-shot digest hashes faster).
        let data: Uint8Array | undefined
        let views: Uint8Array[] | undefined
        if (buffer.length - pos >= size + 2) {
          // The whole chunk and its CRLF are in this piece: a view of it, no await, no copy.
          data = buffer.subarray(pos, pos + size)
          if (buffer[pos + size] !== 13 || buffer[pos + size + 1] !== 10) {
            throw malformed('chunk data is not followed by CRLF')
          }
          pos += size + 2
        } else {
          views = await bytes(size)
          const crlf = await bytes(2)
          const end = crlf.length === 1 ? (crlf[0] as Uint8Array) : concat(crlf, 2)
          if (end[0] !== 13 || end[1] !== 10) throw malformed('chunk data is not followed by CRLF')
          if (views.length === 1 || (signed && !nativeHash)) {
            data = views.length === 1 ? (views[0] as Uint8Array) : concat(views, size)
            views = undefined
          }
        }
        if (signed) {
          let hex: string
          if (views !== undefined) {
            const hash = createHash('sha256')
            for (const view of views) hash.update(view)
            hex = toHex(hash.digest())
          } else {
            const hash = sha256Hex(data as Uint8Array)
            nativeHash = typeof hash === 'string'
            hex = typeof hash === 'string' ? hash : await hash
          }
          const pending = verify('payload', `${EMPTY_SHA256}\n${hex}`, signature)
          if (pending !== undefined) await pending
        }
        result.chunks++
        previousSize = size
        if (views === undefined) {
          for (const checksum of checksumList) checksum.update(data as Uint8Array)
          result.length += size
          yield data as Uint8Array
        } else {
          for (const checksum of checksumList) for (const view of views) checksum.update(view)
          for (const view of views) {
            result.length += view.length
            yield view
          }
        }
      }

      // After the final chunk: an empty line ('signed'), or trailing headers and an empty line.
      const trailerLines: Array<[string, string]> = []
      let trailerSignature: string | undefined
      let trailerBytes = 0
      for (;;) {
        const text = lineNow(MAX_TRAILER) ?? (await line(MAX_TRAILER))
        if (text === '') break
        trailerBytes += text.length + 2
        if (mode === 'signed' || trailerBytes > MAX_TRAILER || trailerSignature !== undefined) {
          throw malformed(mode === 'signed' ? 'the final chunk is not followed by CRLF' : 'unexpected trailer line')
        }
        const colon = text.indexOf(':')
        const name = colon === -1 ? '' : text.slice(0, colon)
        if (!TRAILER_NAME.test(name)) throw malformed('a trailer line is not "name:value" with a lower-case name')
        const value = text.slice(colon + 1).trim()
        if (name === X_AMZ_TRAILER_SIGNATURE && mode === 'signed-trailer') trailerSignature = value
        else trailerLines.push([name, value])
      }
      if (mode === 'signed-trailer') {
        if (trailerSignature !== undefined) trailerSignature = wireSignature(trailerSignature)
        if (trailerSignature === undefined) {
          throw malformed('the trailer has no x-amz-trailer-signature')
        }
        let canonical = ''
        for (const [name, value] of trailerLines) canonical += `${name}:${value}\n`
        const pending = verify('trailer', await sha256Hex(canonical), trailerSignature, 'trailer')
        if (pending !== undefined) await pending
      }
      if (pos < buffer.length || (await more())) throw malformed('data after the end of the body')
      if (expectedTrailers !== undefined) {
        const names = trailerLines.map(([name]) => name)
        if (names.length !== expectedTrailers.length || !expectedTrailers.every((n) => names.includes(n))) {
          throw malformed(`the trailer carries [${names.join(', ')}], x-amz-trailer announced [${expectedTrailers}]`)
        }
      }
      for (const [name, value] of trailerLines) {
        result.trailers[name] = value
        const checksum = checksums.get(name)
        if (checksum !== undefined && checksum.digest() !== value) {
          throw new VerificationError('ERR_CHECKSUM_MISMATCH', `aws-chunked body: ${name} does not match the payload`)
        }
      }
      if (decodedContentLength !== undefined && result.length !== decodedContentLength) {
        throw new VerificationError(
          'ERR_DECODED_LENGTH',
          `aws-chunked body: ${result.length} bytes, x-amz-decoded-content-length says ${decodedContentLength}`,
        )
      }
      completed = true
    } finally {
      if (!completed) reader.release()
    }
  }

  return {
    get trailers() {
      return result.trailers
    },
    get chunks() {
      return result.chunks
    },
    get length() {
      return result.length
    },
    [Symbol.asyncIterator]() {
      if (started) throw new InvalidInputError('body', 'an aws-chunked body can be read once')
      started = true
      return run()
    },
  }
}
