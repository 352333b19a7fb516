// aws-chunked uploads: the seed signature over the headers, then the body re-framed in chunks, each
// signed and chained from the one before, ending with a zero-length chunk and (optionally) a trailer.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
import { sha256Hex } from '#crypto'
import { InvalidInputError, StreamError } from '../errors.js'
import { createChain, paddedSignature, type SignatureChain } from '../sign/chain.js'
import {
  EMPTY_SHA256,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  streamingPayload,
  streamingPayloadTrailer,
  X_AMZ_DECODED_CONTENT_LENGTH,
  X_AMZ_TRAILER,
  X_AMZ_TRAILER_SIGNATURE,
} from '../sign/constants.js'
import { typeOf } from '../sign/request.js'
import { checkCredentials, keyFor, prepareRequest, resolveCredentials, signPrepared } from '../sign/sign.js'
import type { SignedRequest, SignOptions } from '../sign/types.js'
import { CHECKSUM_BASE64_LENGTH, type ChecksumAlgorithm, checkAlgorithm, checksumState } from './checksum.js'
import { abortError, openSource, type StreamSource } from './source.js'

/**
 * How the body is framed and what protects it:
 * - `signed`: every chunk signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`);
 * - `signed-trailer`: every chunk signed, then a signed trailer with the checksum
 *   (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`);
 * - `unsigned-trailer`: plain chunks, then the checksum trailer (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`);
 *   only the headers are signed, the checksum protects the data.
 */
export type ChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer'

/** The `x-amz-content-sha256` value of a mode under an algorithm (`AWS4-HMAC-SHA256` by default). */
export function streamingPayloadHash(mode: ChunkedMode, algorithmId = 'AWS4-HMAC-SHA256'): string {
  return mode === 'signed'
    ? streamingPayload(algorithmId)
    : mode === 'signed-trailer'
      ? streamingPayloadTrailer(algorithmId)
      : STREAMING_UNSIGNED_PAYLOAD_TRAILER
}

/** The `x-amz-content-sha256` value of each mode with SigV4. */
export const STREAMING_PAYLOAD_HASH: Readonly<Record<ChunkedMode, string>> = {
  signed: streamingPayloadHash('signed'),
  'signed-trailer': streamingPayloadHash('signed-trailer'),
  'unsigned-trailer': streamingPayloadHash('unsigned-trailer'),
}

export const DEFAULT_CHUNK_SIZE = 64 * 1024 // 64 KiB
/** S3 rejects chunks smaller than 8 KiB, except the last one. */
export const MIN_CHUNK_SIZE = 8 * 1024 // 8 KiB

// ';chunk-signature=' and the signature's hex digits
const SIGNATURE_EXTENSION = ';chunk-signature='.length

export interface SignChunkedOptions extends Omit<SignOptions, 'body' | 'payloadHash' | 'contentHashHeader'> {
  /**
   * The payload: a `ReadableStream<Uint8Array>`, a Node `Readable`, any (async) iterable of
   * `Uint8Array`, or a `Uint8Array`. Read only as the returned `body` is read; pieces of any size.
   */
  body: StreamSource
  /** Length of the payload in bytes (before encoding): `x-amz-decoded-content-length`. Required. */
  contentLength: number
  /**
   * Payload bytes per chunk (the last chunk may be shorter). At least 8192, as S3 requires.
   * @default 65536 (64 KiB)
   */
  chunkSize?: number | undefined
  /** @default 'signed-trailer' with a `checksum`, else 'signed' */
  mode?: ChunkedMode | undefined
  /**
   * Checksum sent in the trailer (`x-amz-checksum-<algorithm>`, announced in `x-amz-trailer`).
   * Only with a trailer mode.
   * @default 'crc32' in the trailer modes, none in 'signed'
   */
  checksum?: ChecksumAlgorithm | undefined
  /** Aborting makes `body` fail with a `StreamError` (`ERR_ABORTED`) and releases the source. */
  signal?: AbortSignal | undefined
}

export interface SignedChunkedRequest extends SignedRequest {
  /**
   * The encoded body, to send as is: `fetch(url, { method, headers, body, duplex: 'half' })`, or
   * `Readable.fromWeb(body)` for `node:http`. It reads the source only as it is read itself, and fails
   * with a `StreamError` (before its final chunk) if the source does not give exactly `contentLength` bytes.
   */
  body: ReadableStream<Uint8Array>
  /** Length of the encoded body: the `content-length` header. */
  contentLength: number
  /**
   * The trailing headers sent (e.g. `{ 'x-amz-checksum-crc32c': 'sOO8/Q==' }`; `{}` in 'signed' mode),
   * once `body` has been read to its end. Rejects as `body` fails.
   */
  trailers: Promise<Record<string, string>>
}

const MODES: readonly ChunkedMode[] = ['signed', 'signed-trailer', 'unsigned-trailer']

const hexLength = (n: number) => n.toString(16).length

/** Exact length of the aws-chunked encoding of `contentLength` bytes. */
export function encodedLength(
  contentLength: number,
  chunkSize: number,
  mode: ChunkedMode,
  checksum: ChecksumAlgorithm | undefined,
  signatureLength = 64,
): number {
  const extension = mode === 'unsigned-trailer' ? 0 : SIGNATURE_EXTENSION + signatureLength
  const framing = (size: number) => hexLength(size) + extension + 4 // header CRLF, data CRLF
  const full = Math.floor(contentLength / chunkSize)
  const rest = contentLength - full * chunkSize
  let length = contentLength + full * framing(chunkSize) + (rest > 0 ? framing(rest) : 0)
  length += 1 + extension + 2 // final '0' chunk header
  if (checksum !== undefined) length += `x-amz-checksum-${checksum}:`.length + CHECKSUM_BASE64_LENGTH[checksum] + 2
  if (mode === 'signed-trailer') length += X_AMZ_TRAILER_SIGNATURE.length + 1 + signatureLength + 2
  return length + 2 // the final chunk's empty data CRLF, or the blank line ending the trailer
}

function checkOptions(options: SignChunkedOptions) {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', `must be an object, got ${typeOf(options)}`)
  }
  const { contentLength, chunkSize = DEFAULT_CHUNK_SIZE, signal } = options
  if (typeof contentLength !== 'number' || !Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new InvalidInputError(
      'contentLength',
      `must be the payload length in bytes (a whole number >= 0), got ${typeof contentLength === 'number' ? contentLength : typeOf(contentLength)}`,
    )
  }
  if (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
    throw new InvalidInputError(
      'chunkSize',
      `must be a whole number of bytes >= ${MIN_CHUNK_SIZE} (8 KiB, S3's minimum)`,
    )
  }
  const checksum = options.checksum === undefined ? undefined : checkAlgorithm('checksum', options.checksum)
  const mode = options.mode ?? (checksum === undefined ? 'signed' : 'signed-trailer')
  if (!MODES.includes(mode)) {
    throw new InvalidInputError('mode', `must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`)
  }
  if (mode === 'signed' && checksum !== undefined) {
    throw new InvalidInputError('checksum', "needs a trailer: use mode 'signed-trailer' or 'unsigned-trailer'")
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidInputError('signal', `must be an AbortSignal, got ${typeOf(signal)}`)
  }
  return { contentLength, chunkSize, mode, checksum: mode === 'signed' ? undefined : (checksum ?? 'crc32'), signal }
}

/** `aws-chunked` first, then any encoding the caller applied (`aws-chunked,gzip`). */
function contentEncoding(given: string[] | undefined): string {
  const codings = (given ?? [])
    .join(',')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c.toLowerCase() !== 'aws-chunked')
  return ['aws-chunked', ...codings].join(',')
}

function ascii(text: string, target: Uint8Array): Uint8Array {
  for (let i = 0; i < text.length; i++) target[i] = text.charCodeAt(i)
  return target
}

/**
 * Chunk headers are small and many: they are cut from 16 KiB slabs (as Node's Buffer pool does),
 * never reused, so a consumer may keep any of them.
 */
function headerSlab() {
  const SLAB = 16 * 1024 // 16 KiB
  let slab = new Uint8Array(SLAB)
  let used = 0
  return (text: string): Uint8Array => {
    if (text.length > SLAB) return ascii(text, new Uint8Array(text.length))
    if (used + text.length > SLAB) {
      slab = new Uint8Array(SLAB)
      used = 0
    }
    const out = ascii(text, slab.subarray(used, used + text.length))
    used += text.length
    return out
  }
}

/**
 * Signs a streaming upload as `aws-chunked`: the payload is re-framed in chunks of `chunkSize`,
 * each signed and chained from the seed signature (or, in 'unsigned-trailer' mode, plain), ending
 * with a checksum trailer if asked. Constant memory: one chunk at a time, read as the body is read.
 *
 * The returned headers include `content-length` (the encoded length), which is signed, as in S3's
 * example; pass `unsignedHeaders: ['content-length']` to leave it out of the signature. The HTTP
 * client must send that exact length, not `transfer-encoding: chunked`: fetch in Node, Bun and Deno,
 * undici and node:http do. (Browsers do not let a page set `content-length` on a streamed body.)
 *
 * @example
 * const { url, headers, body } = await signChunked({
 *   method: 'PUT', url: 'https://bucket.s3.us-east-1.amazonaws.com/big.bin', service: 's3',
 *   region: 'us-east-1', credentials, body: file.stream(), contentLength: file.size, checksum: 'crc32c',
 * })
 * await fetch(url, { method: 'PUT', headers, body, duplex: 'half' })
 */
export async function signChunked(options: SignChunkedOptions): Promise<SignedChunkedRequest> {
  const { contentLength, chunkSize, mode, checksum, signal } = checkOptions(options)
  const input = options.credentials
  const credentials = typeof input === 'function' ? await resolveCredentials(input) : checkCredentials(input)
  const p = prepareRequest(options, credentials)
  const width = p.algorithm.chainSignatureLength ?? 64 // SigV4a pads its chunk signatures to 144
  const length = encodedLength(contentLength, chunkSize, mode, checksum, width)
  const { headers } = p
  for (const name of ['content-length', X_AMZ_DECODED_CONTENT_LENGTH, X_AMZ_TRAILER, 'transfer-encoding']) {
    headers.delete(name)
  }
  headers.set('content-encoding', [contentEncoding(headers.get('content-encoding'))])
  headers.set('content-length', [String(length)])
  headers.set(X_AMZ_DECODED_CONTENT_LENGTH, [String(contentLength)])
  if (checksum !== undefined) headers.set(X_AMZ_TRAILER, [`x-amz-checksum-${checksum}`])
  const signed = await signPrepared(p, streamingPayloadHash(mode, p.algorithm.id), true)
  let chain: SignatureChain | undefined
  if (mode !== 'unsigned-trailer') {
    let key = keyFor(p)
    if (key instanceof Promise) key = await key
    chain = createChain(p.algorithm, key, p.amzDate, p.scope, signed.signature)
  }
  const reader = openSource('body', options.body, { signal })
  if (signal?.aborted) {
    reader.release(signal.reason)
    throw abortError(signal)
  }
  const wire = (signature: string) => paddedSignature(p.algorithm, signature)
  const { body, trailers } = encode({ reader, contentLength, chunkSize, mode, checksum, signal, chain, width, wire })
  return { ...signed, body, contentLength: length, trailers }
}

interface EncodeContext {
  reader: ReturnType<typeof openSource>
  contentLength: number
  chunkSize: number
  mode: ChunkedMode
  checksum: ChecksumAlgorithm | undefined
  signal: AbortSignal | undefined
  /** The chain of chunk signatures, from the seed; `undefined` in 'unsigned-trailer' mode. */
  chain: SignatureChain | undefined
  /** Characters of a chunk signature on the wire (64; SigV4a: 144, padded with `*`). */
  width: number
  /** A chained signature as it goes on the wire (padded); the chain keeps the unpadded one. */
  wire: (signature: string) => string
}

const OPEN = 0
const DONE = 1
const FAILED = 2

function encode(ctx: EncodeContext): { body: ReadableStream<Uint8Array>; trailers: Promise<Record<string, string>> } {
  const { reader, contentLength, chunkSize, mode, signal, chain, wire } = ctx
  const checksum = ctx.checksum === undefined ? undefined : checksumState(ctx.checksum)
  let state = OPEN
  let received = 0 // bytes taken from the source
  let sent = 0 // payload bytes encoded
  let pending: Uint8Array | undefined // the source piece being encoded, from `offset` on
  let offset = 0
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let settle!: (trailers: Record<string, string>) => void
  let reject!: (error: unknown) => void
  const trailers = new Promise<Record<string, string>>((resolve, rejectTrailers) => {
    settle = resolve
    reject = rejectTrailers
  })
  trailers.catch(() => {}) // the body's own error is what the caller sees first

  const fail = (error: unknown) => {
    if (state !== OPEN) return
    state = FAILED
    signal?.removeEventListener('abort', onAbort)
    controller.error(error)
    reader.release(error)
    reject(error)
  }
  const onAbort = () => fail(abortError(signal as AbortSignal))

  const lengthError = (problem: string) =>
    new StreamError('ERR_BODY_LENGTH', `body: ${problem} (declared contentLength: ${contentLength})`, {
      expected: contentLength,
      received,
    })

  const nextPiece = async (): Promise<Uint8Array> => {
    const piece = await reader.read()
    if (piece === undefined) throw lengthError(`the source ended after ${received} bytes`)
    received += piece.length
    if (received > contentLength) throw lengthError(`the source gave more than ${contentLength} bytes`)
    return piece
  }

  /** A view of the next `size` bytes, when the piece being read holds them all. */
  const takeView = (size: number): Uint8Array | undefined => {
    const piece = pending
    if (piece === undefined || piece.length - offset < size) return undefined
    const start = offset
    offset += size
    if (offset === piece.length) {
      pending = undefined
      offset = 0
      if (start === 0) return piece
    }
    return piece.subarray(start, start + size)
  }

  /** The next `size` payload bytes: a view of the source's own piece, or copied into a new frame after `room` bytes. */
  const take = async (size: number, room: number): Promise<{ data: Uint8Array; frame: Uint8Array | undefined }> => {
    pending ??= await nextPiece()
    const view = takeView(size)
    if (view !== undefined) return { data: view, frame: undefined }
    const frame = new Uint8Array(room + size)
    const rest = pending as Uint8Array
    frame.set(offset === 0 ? rest : rest.subarray(offset), room)
    let filled = rest.length - offset
    pending = undefined
    offset = 0
    while (filled < size) {
      const piece = await nextPiece()
      const n = Math.min(size - filled, piece.length)
      frame.set(n === piece.length ? piece : piece.subarray(0, n), room + filled)
      filled += n
      if (n < piece.length) {
        pending = piece
        offset = n
      }
    }
    return { data: frame.subarray(room), frame }
  }

  // An aws-chunked chunk's link hashes: the empty string's (its "headers"), then its data's.
  const chunkHashes = (hash: string) => `${EMPTY_SHA256}\n${hash}`
  const bytes = headerSlab()

  /** The final zero-length chunk and trailer, preceded by the CRLF that ends the last data chunk. */
  const ending = async (): Promise<{ text: string; sent: Record<string, string> }> => {
    let out = sent > 0 ? '\r\n' : ''
    out +=
      chain !== undefined
        ? `0;chunk-signature=${wire(await chain.sign('payload', chunkHashes(EMPTY_SHA256)))}\r\n`
        : '0\r\n'
    const sentTrailers: Record<string, string> = {}
    if (checksum !== undefined && ctx.checksum !== undefined) {
      const line = `x-amz-checksum-${ctx.checksum}:${checksum.digest()}`
      sentTrailers[`x-amz-checksum-${ctx.checksum}`] = line.slice(line.indexOf(':') + 1)
      out += `${line}\r\n`
      if (mode === 'signed-trailer' && chain !== undefined) {
        const signature = await chain.sign('trailer', await sha256Hex(`${line}\n`))
        out += `${X_AMZ_TRAILER_SIGNATURE}:${wire(signature)}\r\n`
      }
    }
    return { text: `${out}\r\n`, sent: sentTrailers }
  }

  const step = async () => {
    try {
      await encodeNext()
    } catch (error) {
      fail(error)
    }
  }

  const fullHex = chunkSize.toString(16)
  const extension = chain !== undefined ? SIGNATURE_EXTENSION + ctx.width : 0

  /** Queues one chunk: its header (with the CRLF ending the chunk before), then its data. */
  const push = (data: Uint8Array, frame: Uint8Array | undefined, size: number, signature: string | undefined) => {
    const hex = size === chunkSize ? fullHex : size.toString(16)
    let header = sent > 0 ? `\r\n${hex}` : hex
    header += signature === undefined ? '\r\n' : `;chunk-signature=${wire(signature)}\r\n`
    if (frame !== undefined) {
      ascii(header, frame)
      controller.enqueue(frame)
    } else {
      controller.enqueue(bytes(header))
      controller.enqueue(data)
    }
    sent += size
  }

  /**
   * Checksums, signs and queues one chunk. node:crypto answers synchronously, and then so does this
   * (no promise, no turn of the event loop); a promise only with an asynchronous backend (WebCrypto).
   */
  const emit = (data: Uint8Array, frame: Uint8Array | undefined, size: number): Promise<void> | undefined => {
    checksum?.update(data)
    if (chain === undefined) {
      push(data, frame, size, undefined)
      return undefined
    }
    const hash = sha256Hex(data) as string | Promise<string>
    const signature =
      typeof hash === 'string'
        ? chain.sign('payload', chunkHashes(hash))
        : hash.then((h) => chain.sign('payload', chunkHashes(h)))
    if (typeof signature === 'string') {
      push(data, frame, size, signature)
      return undefined
    }
    return signature.then((s) => {
      if (state === OPEN) push(data, frame, size, s)
    })
  }

  /** Any chunk: reads the source as needed, and holds the last chunk until the source has ended. */
  const encodeNext = async () => {
    const size = Math.min(chunkSize, contentLength - sent)
    const hexLength = size === chunkSize ? fullHex.length : size.toString(16).length
    const room = (sent > 0 ? 2 : 0) + hexLength + extension + 2
    const view = size > 0 ? takeView(size) : undefined
    const chunk = view !== undefined ? { data: view, frame: undefined } : size > 0 ? await take(size, room) : undefined
    const last = sent + size === contentLength
    // Hold the last data chunk until the source has ended, so that a source that is too long
    // never yields a complete body.
    if (last) {
      const extra = await reader.read()
      if (extra !== undefined) {
        received += extra.length
        throw lengthError(`the source gave more than ${contentLength} bytes`)
      }
    }
    if (state !== OPEN) return
    if (chunk !== undefined) {
      const signing = emit(chunk.data, chunk.frame, size)
      if (signing !== undefined) await signing
      if (state !== OPEN) return
    }
    if (last) {
      const end = await ending()
      if (state !== OPEN) return
      controller.enqueue(bytes(end.text))
      state = DONE
      signal?.removeEventListener('abort', onAbort)
      controller.close()
      settle(end.sent)
    }
  }

  /**
   * The common case, without a promise: a whole chunk that is not the last, already held in the
   * source's current piece. Anything else (a read from the source, a copy, the end) takes `step`.
   */
  const pullNow = (): Promise<void> | undefined => {
    if (contentLength - sent > chunkSize) {
      const view = takeView(chunkSize)
      if (view !== undefined) {
        try {
          return emit(view, undefined, chunkSize)?.catch(fail)
        } catch (error) {
          fail(error)
          return undefined
        }
      }
    }
    return step()
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        signal?.addEventListener('abort', onAbort, { once: true })
      },
      pull() {
        if (state === OPEN) return pullNow()
      },
      cancel(reason) {
        if (state !== OPEN) return
        state = DONE
        signal?.removeEventListener('abort', onAbort)
        reader.release(reason)
        reject(new StreamError('ERR_ABORTED', 'body: the stream was cancelled', { cause: reason }))
      },
    },
    // Nothing is read ahead: the source is pulled only when the consumer pulls.
    { highWaterMark: 0 },
  )
  return { body, trailers }
}
