// The `awsig` command: sign and send (curl's habits), presign, whoami, credentials. Loaded lazily by
// main.node.ts once the arguments are known, so `--version` and `--help` stay fast.
import { closeSync, constants, createReadStream, fstatSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { STATUS_CODES } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AwsError, type Client, createClient, type FetchInit, readAwsError } from '../client/index.js'
import { selectProfile } from '../credentials/config.node.js'
import {
  CredentialsError,
  cached,
  chain,
  defaultChain,
  fromIni,
  type ResolvedCredentials,
  resolveEndpoint,
  resolveRegion,
} from '../credentials/node.js'
import { dnsSuffix } from '../credentials/region.js'
import type { SignedRequest } from '../index.js'
import {
  AwsigError,
  createPayloadHasher,
  InvalidInputError,
  parseEndpoint,
  presign as presignUrl,
  type SigningAlgorithm,
  sign,
  signChunked,
  UNSIGNED_PAYLOAD,
} from '../index.js'
import { redactTokens, redactUrl } from '../lib/redact.js'
import { awsQuery, xmlText } from '../protocols/index.js'
import { type Args, type DataPart, EXIT, type Header, UsageError } from './args.node.js'
import { type NodeResponse, nodeFetch, writeAll } from './http.node.js'
import { counting, createProgress, type Progress } from './progress.node.js'

/** Signing names that take aws-chunked uploads. */
const CHUNKED_SERVICES = new Set(['s3', 's3-outposts', 's3express', 's3-object-lambda'])
const UPLOAD_CHUNK = 1024 * 1024 // 1 MiB per aws-chunked chunk and per file read
const SIGNATURE_CODES = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature'])

interface Io {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
}

class Session {
  readonly cleanups: Array<() => Promise<void>> = []
  /** The last response the client received: an error's whole body is read from it. */
  lastResponse: NodeResponse | undefined
  constructor(
    readonly args: Args,
    readonly io: Io,
  ) {}
  /** A note on stderr under -v. */
  verbose(line: string): void {
    if (this.args.verbose) this.io.stderr.write(`* ${line}\n`)
  }
  block(title: string, text: string, always = false): void {
    if (!this.args.verbose && !always) return
    this.io.stderr.write(`* ${title}:\n${redactTokens(text).replace(/^/gm, '*   ')}\n`)
  }
}

function redactHeader(name: string, value: string): string {
  const lower = name.toLowerCase()
  if (lower === 'x-amz-security-token') return '[redacted]'
  if (lower === 'authorization') return value.replace(/Signature=[0-9a-f]+/, 'Signature=[redacted]')
  return value
}

/** Reads a line from the terminal (not stdin, which may be the request body). */
async function askTerminal(question: string): Promise<string> {
  let fd: number
  try {
    fd = openSync('/dev/tty', constants.O_RDWR)
  } catch {
    throw new CredentialsError(
      'ERR_CREDENTIALS_CONFIG',
      `${question.replace(/: $/, '')} is needed, but there is no terminal to ask on: run awsig in a terminal, or export credentials first`,
      { provider: 'assume-role' },
    )
  }
  const { createInterface } = await import('node:readline/promises')
  const { ReadStream, WriteStream } = await import('node:tty')
  const input = new ReadStream(fd)
  const output = new WriteStream(fd)
  const rl = createInterface({ input, output, terminal: true })
  try {
    return (await rl.question(question)).trim()
  } finally {
    rl.close()
    input.destroy()
  }
}

/** Environment variables that hold keys: the env provider's. */
const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']

function credentialsFor(args: Args) {
  const mfaCode = (serial: string) => askTerminal(`MFA code for ${serial}: `)
  if (args.profile === undefined) return cached(defaultChain({ mfaCode }))
  // As the AWS CLI: a profile named with --profile wins over keys in the environment (AWS_PROFILE does
  // not). The profile itself still reads them (credential_source = Environment); the rest of the chain
  // (web identity, container, instance metadata) comes after it without them.
  const { profile } = args
  const withoutKeys = { ...process.env }
  for (const name of ENV_KEYS) delete withoutKeys[name]
  const rest = defaultChain({ profile, mfaCode, env: withoutKeys })
  return cached(
    chain(fromIni({ profile, mfaCode }), async () => {
      try {
        return await rest()
      } catch (error) {
        if (!(error instanceof CredentialsError) || error.code !== 'ERR_CREDENTIALS_CHAIN') throw error
        // Not "AWS_ACCESS_KEY_ID is not set" when it is: say why it was not used.
        const attempts = (error.attempts ?? []).filter((attempt) => attempt.provider !== 'env')
        const why = attempts.map((attempt) => `${attempt.provider}: ${attempt.message}`).join('; ')
        throw new CredentialsError(
          'ERR_CREDENTIALS_CHAIN',
          `no credentials for --profile ${profile} (keys in the environment are not used with --profile, as in the AWS CLI): ${why}`,
          { provider: 'chain', attempts, cause: error },
        )
      }
    }),
  )
}

/** The profile the chain reads, as the AWS CLI picks it. */
function profileName(args: Args): string {
  return selectProfile(args.profile, process.env).name
}

/** Resolves credentials now, so that a failure is reported as such (exit 3) before anything is sent. */
async function resolveCredentialsNow(session: Session, provider: () => Promise<ResolvedCredentials>) {
  const credentials = await provider()
  const profile = ['env', 'imds', 'container'].includes(credentials.source)
    ? ''
    : ` (profile ${profileName(session.args)})`
  session.verbose(`credentials: ${credentials.source}${profile}, access key ${credentials.accessKeyId}`)
  return credentials
}

async function regionWithSource(args: Args): Promise<{ region: string | undefined; from: string }> {
  if (args.region !== undefined) return { region: args.region, from: '--region' }
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = process.env[name]
    if (value) return { region: value, from: name }
  }
  const region = await resolveRegion({ profile: args.profile })
  return { region, from: `profile ${profileName(args)}` }
}

/** SigV4a: the algorithm and the region set, spread into the options of `sign`, `presign` and `signChunked`. */
interface Sigv4a {
  algorithm: SigningAlgorithm
  regionSet: string[]
}

interface Target {
  service: string
  /** The region to sign for; with SigV4a, the first of the region set (it is not in the scope). */
  region: string
  sigv4a: Sigv4a | undefined
}

/** The options that make `sign`, `presign` and `signChunked` sign with SigV4a. */
function sigv4aOptions(sigv4a: Sigv4a) {
  // One process, one key: a cache would only hold the derived private key longer.
  return { algorithm: sigv4a.algorithm, regionSet: sigv4a.regionSet, keyCache: null }
}

/** awsig/sigv4a, loaded only for --sigv4a (its elliptic-curve code is not needed otherwise). */
async function loadSigv4a(): Promise<SigningAlgorithm> {
  return (await import('../sigv4a/index.js')).sigv4a
}

/** Service and region: the flags, else the host (parseEndpoint), else the configured region. */
async function target(session: Session, url: string): Promise<Target> {
  const { args } = session
  const endpoint = parseEndpoint(url)
  const host = new URL(url).host
  const service = args.service ?? endpoint?.service
  if (service === undefined) {
    throw new UsageError(
      `--service: ${host} is not a standard AWS endpoint, so the service cannot be read from it; pass --service (the signing name, e.g. s3, execute-api) and --region`,
    )
  }
  if (endpoint?.multiRegion && !args.sigv4a) {
    throw new UsageError(`--sigv4a: ${host} is a Multi-Region Access Point, which needs --sigv4a`)
  }
  let region = args.region
  let from = '--region'
  const regionSet = args.regionSet ?? (endpoint?.multiRegion ? ['*'] : undefined)
  if (args.sigv4a && region === undefined && regionSet !== undefined) {
    region = regionSet[0] as string
    from = args.regionSet !== undefined ? '--region-set' : 'a Multi-Region Access Point'
  }
  if (region === undefined && endpoint !== undefined && endpoint.region !== '*') {
    region = endpoint.region
    from = `the host${endpoint.global ? ' (a global endpoint)' : ''}`
  }
  if (region === undefined) {
    const configured = await regionWithSource(args)
    region = configured.region
    from = configured.from
  }
  if (region === undefined) {
    throw new UsageError(
      `--region: ${host} does not name a region and none is configured (AWS_REGION, AWS_DEFAULT_REGION, the profile's region); pass --region`,
    )
  }
  session.verbose(
    `service ${service} (${args.service !== undefined ? '--service' : 'from the host'}), region ${region} (${from})`,
  )
  if (
    endpoint !== undefined &&
    args.region !== undefined &&
    endpoint.region !== '*' &&
    endpoint.region !== args.region
  ) {
    session.verbose(`note: the host names region ${endpoint.region}, signing for ${args.region} as asked`)
  }
  if (!args.sigv4a) return { service, region, sigv4a: undefined }
  const set = regionSet ?? [region]
  session.verbose(`SigV4a over the region set ${set.join(',')}`)
  return { service, region, sigv4a: { algorithm: await loadSigv4a(), regionSet: set } }
}

// ----- bodies -----

type Body =
  | { kind: 'none' }
  | { kind: 'bytes'; bytes: Uint8Array; parts: DataPart[] }
  | { kind: 'file'; path: string; size: number; stdin: boolean }

function readPart(part: DataPart): Buffer {
  if (part.kind === 'text') return Buffer.from(part.text)
  const flag = part.strip ? '-d/--data' : '--data-binary'
  let data: Buffer
  try {
    data = part.path === '-' ? readFileSync(0) : readFileSync(part.path)
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${part.path === '-' ? 'stdin' : part.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    )
  }
  return part.strip ? Buffer.from(data.toString('latin1').replace(/[\r\n]/g, ''), 'latin1') : data
}

function uploadStat(path: string): number {
  try {
    const stat = statSync(path)
    if (!stat.isFile()) throw new UsageError(`-T/--upload-file: ${path} is not a file`)
    return stat.size
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(
      `-T/--upload-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    )
  }
}

/** Everything local is checked here, before credentials or the network. */
function localBody(args: Args): Body {
  if (args.uploadFile !== undefined) {
    if (args.uploadFile === '-') {
      const stat = fstatSync(0)
      // Read as a stream, a directory gives no bytes and no error: an empty object would be uploaded.
      if (stat.isDirectory()) throw new UsageError('-T/--upload-file: stdin is a directory')
      return { kind: 'file', path: '-', size: stat.isFile() ? stat.size : -1, stdin: true }
    }
    return { kind: 'file', path: args.uploadFile, size: uploadStat(args.uploadFile), stdin: false }
  }
  if (args.data.length === 0) return { kind: 'none' }
  // curl joins -d pieces with '&'; --data-binary pieces too.
  const pieces: Buffer[] = []
  args.data.forEach((part, i) => {
    if (i > 0) pieces.push(Buffer.from('&'))
    pieces.push(readPart(part))
  })
  return { kind: 'bytes', bytes: Buffer.concat(pieces), parts: args.data }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** Copies stdin to a temporary file (constant memory), hashing it on the way. */
async function spoolStdin(session: Session): Promise<{ path: string; size: number; sha256: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'awsig-'))
  // Ctrl-C (or a kill) while spooling or sending: the copy of stdin goes too, then the signal does its
  // usual work (the exit status says SIGINT).
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true })
    process.kill(process.pid, signal)
  }
  for (const signal of SIGNALS) process.once(signal, onSignal)
  session.cleanups.push(async () => {
    for (const signal of SIGNALS) process.off(signal, onSignal)
    await rm(dir, { recursive: true, force: true })
  })
  const path = join(dir, 'stdin')
  const hasher = createPayloadHasher()
  let size = 0
  const file = await open(path, 'w')
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      hasher.update(chunk)
      size += chunk.length
      await file.write(chunk)
    }
  } finally {
    await file.close()
  }
  session.verbose(`stdin has no length: spooled ${size} bytes to a temporary file`)
  return { path, size, sha256: await hasher.digest() }
}

async function hashFile(path: string): Promise<string> {
  const hasher = createPayloadHasher()
  for await (const chunk of createReadStream(path, { highWaterMark: UPLOAD_CHUNK })) hasher.update(chunk as Buffer)
  return hasher.digest()
}

function withoutHeader(headers: Header[], name: string): Header[] {
  return headers.filter((h) => h.name.toLowerCase() !== name)
}

function headerOf(headers: Header[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value
}

const pairs = (headers: Header[]): Array<[string, string]> => headers.map((h) => [h.name, h.value])

/** A URL ending in `/` gets the uploaded file's name, as curl does. */
function uploadUrl(url: string, args: Args): string {
  if (args.uploadFile === undefined || args.uploadFile === '-') return url
  const parsed = new URL(url)
  if (!parsed.pathname.endsWith('/')) return url
  parsed.pathname += encodeURIComponent(basename(args.uploadFile))
  return parsed.href
}

// ----- output -----

/** Writes an error body (and `-i`'s head) where a body goes: stdout, or the `-o` file, synchronously. */
function writeErrorBody(session: Session, text: string): void {
  const { output } = session.args
  if (output === undefined || output === '-') {
    session.io.stdout.write(text)
    return
  }
  const fd = openSync(output, 'w')
  try {
    writeAll(fd, Buffer.from(text))
  } finally {
    closeSync(fd)
  }
}

function headBlock(response: {
  status: number
  statusText: string
  httpVersion: string
  rawHeaders: ReadonlyArray<readonly [string, string]>
}): string {
  const lines = [`HTTP/${response.httpVersion} ${response.status} ${response.statusText}`]
  for (const [name, value] of response.rawHeaders) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

function showResponse(session: Session, response: NodeResponse): void {
  if (!session.args.verbose) return
  const lines = [`< HTTP/${response.httpVersion} ${response.status} ${response.statusText}`]
  for (const [name, value] of response.rawHeaders) lines.push(`< ${name}: ${value}`)
  session.io.stderr.write(`${lines.join('\n')}\n`)
}

function showRequest(session: Session, method: string, url: string, headers: Record<string, string>): void {
  if (!session.args.verbose) return
  const parsed = new URL(url)
  // The host sent: a -H Host of its own, else the URL's.
  const host = Object.entries(headers).find(([name]) => name.toLowerCase() === 'host')?.[1] ?? parsed.host
  const lines = [`> ${method} ${redactUrl(parsed.pathname + parsed.search)} HTTP/1.1`, `> host: ${host}`]
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'host') lines.push(`> ${name}: ${redactHeader(name, value)}`)
  }
  session.io.stderr.write(`${lines.join('\n')}\n`)
}

async function writeBody(session: Session, response: NodeResponse): Promise<void> {
  const length = Number(response.headers.get('content-length') ?? Number.NaN)
  const progress = createProgress('download', Number.isFinite(length) ? length : undefined, {
    silent: session.args.silent,
    stream: session.io.stderr,
  })
  const { output } = session.args
  if (output !== undefined && output !== '-') {
    // A file: written as each piece arrives, synchronously, as curl does; a write stream's queue and
    // thread-pool round trips cost a quarter of the throughput on loopback.
    const fd = openSync(output, 'w')
    try {
      if (session.args.include) writeAll(fd, Buffer.from(headBlock(response)))
      await response.writeTo(fd, progress === undefined ? undefined : (count) => progress.add(count))
    } finally {
      closeSync(fd)
    }
  } else {
    const stream = session.io.stdout
    if (session.args.include) stream.write(headBlock(response))
    const source: Readable = response.body
    if (progress === undefined) await pipeline(source, stream, { end: false })
    else await pipeline(source, counting(progress), stream, { end: false })
  }
  progress?.done()
}

/** An AWS error: the body goes where curl would put it (not with -f), then one line, the diff, the exit code. */
async function reportAwsError(
  session: Session,
  error: AwsError,
  curlLike = true,
  signed?: { canonicalRequest: string; stringToSign: string },
  response: NodeResponse | undefined = session.lastResponse,
): Promise<number> {
  const { args, io } = session
  if (!args.fail && curlLike) {
    // The error keeps 64 KiB of its body; curl writes all of it: the response's text, as read (up to 1 MiB).
    const received = response?.status === error.status ? response : undefined
    const body = received === undefined ? error.body : redactTokens(await received.text()) || undefined
    let text = ''
    if (args.include) {
      text += headBlock(
        received ?? {
          status: error.status,
          statusText: STATUS_CODES[error.status] ?? '',
          httpVersion: '1.1',
          rawHeaders: Object.entries(error.headers),
        },
      )
    }
    if (body !== undefined) text += body.endsWith('\n') ? body : `${body}\n`
    try {
      writeErrorBody(session, text)
    } catch (writeError) {
      // The AWS error still gets its line; the file error is the exit status.
      io.stderr.write(`awsig: ${awsErrorLine(error)}\n`)
      throw writeError
    }
  }
  io.stderr.write(`awsig: ${awsErrorLine(error)}\n`)
  if (SIGNATURE_CODES.has(error.awsCode)) {
    if (error.signatureDiff !== undefined) io.stderr.write(`${error.signatureDiff}\n`)
    else {
      io.stderr.write(
        'awsig: the service did not say what it computed, so there is nothing to compare: check the secret key, the region and the service name\n',
      )
      if (signed !== undefined && !args.verbose) {
        session.block('awsig signed this canonical request', signed.canonicalRequest, true)
        session.block('and this string to sign', signed.stringToSign, true)
      }
    }
    return EXIT.signature
  }
  if (!curlLike) return EXIT.failed
  return args.fail && error.status >= 400 ? EXIT.http : EXIT.ok
}

function awsErrorLine(error: AwsError): string {
  const where = [`HTTP ${error.status}`]
  if (error.requestId !== undefined) where.push(`request id ${error.requestId}`)
  if (error.attempts > 1) where.push(`${error.attempts} attempts`)
  return `${error.awsCode}: ${error.awsMessage.replace(/\s+/g, ' ')} (${where.join(', ')})`
}

// ----- sending -----

function makeClient(
  session: Session,
  provider: () => Promise<ResolvedCredentials>,
  region: string,
  pin: { at: number | undefined },
): Client<NodeResponse> {
  return createClient<NodeResponse>({
    credentials: provider,
    region,
    fetch: async (url, init) => {
      pin.at = undefined // retries are signed at their own time
      showRequest(session, init.method, url, init.headers)
      session.lastResponse = await nodeFetch(url, init)
      return session.lastResponse
    },
    now: () => pin.at ?? Date.now(),
    onRetry: (event) =>
      session.verbose(
        `retry after attempt ${event.attempt} (${event.kind}: ${event.error.message.split('\n')[0]}) in ${event.delay} ms`,
      ),
  })
}

async function send(session: Session): Promise<number> {
  const { args } = session
  const body = localBody(args)
  const url = uploadUrl(args.url as string, args)
  const { service, region, sigv4a } = await target(session, url)
  const provider = credentialsFor(args)
  const credentials = await resolveCredentialsNow(session, provider)
  const pin: { at: number | undefined } = { at: undefined }
  const client = makeClient(session, async () => credentials, region, pin)
  const method = args.method ?? (body.kind === 'file' ? 'PUT' : body.kind === 'bytes' ? 'POST' : 'GET')
  let headers = args.headers
  if (body.kind === 'bytes' && headerOf(headers, 'content-type') === undefined) {
    headers = [...headers, { name: 'content-type', value: 'application/x-www-form-urlencoded' }]
  }
  const chunked = body.kind === 'file' && CHUNKED_SERVICES.has(service)

  if (args.expires !== undefined) return sendPresigned(session, client, { url, method, headers, body, service, region })
  if (args.dryRun) {
    return dryRun(session, client, credentials, { url, method, headers, body, service, region, sigv4a, chunked })
  }

  if (body.kind === 'file' && chunked)
    return sendChunked(session, credentials, { url, method, headers, body, service, region, sigv4a })

  const init: Parameters<Client<NodeResponse>['fetch']>[1] & object = {
    method,
    service,
    region,
    headers: pairs(headers),
  }
  if (args.unsignedPayload) init.payloadHash = UNSIGNED_PAYLOAD
  let progress: Progress | undefined
  if (body.kind === 'bytes') init.body = body.bytes
  else if (body.kind === 'file') {
    let path = body.path
    let size = body.size
    let hash: string | undefined
    if (body.stdin) {
      const spooled = await spoolStdin(session)
      path = spooled.path
      size = spooled.size
      hash = spooled.sha256
    }
    init.payloadHash = args.unsignedPayload ? UNSIGNED_PAYLOAD : (hash ?? (await hashFile(path)))
    init.headers = [...pairs(withoutHeader(headers, 'content-length')), ['content-length', String(size)]]
    progress = createProgress('upload', size, { silent: args.silent, stream: session.io.stderr })
    const filePath = path
    init.body = () => {
      const stream = createReadStream(filePath, { highWaterMark: UPLOAD_CHUNK })
      return (progress === undefined ? stream : stream.pipe(counting(progress))) as unknown as ReadableStream
    }
  }
  // The same signature the first attempt gets (the clock is pinned until it is sent): shown under -v,
  // and on a signature mismatch when the service does not say what it computed.
  pin.at = Date.now()
  const signed = await signOnce(client, credentials, {
    url,
    method,
    service,
    region,
    sigv4a,
    headers: init.headers as Array<[string, string]>,
    body: body.kind === 'bytes' ? body.bytes : undefined,
    payloadHash: init.payloadHash,
  })
  session.block('canonical request', signed.canonicalRequest)
  session.block('string to sign', signed.stringToSign)
  // The client signs with SigV4 only, and refuses a Host other than the URL's (fetch cannot send one; this
  // transport can): such requests are signed here and sent once, without retries.
  const host = headerOf(headers, 'host')
  if (sigv4a !== undefined || (host !== undefined && host !== new URL(url).host)) {
    const sendBody = typeof init.body === 'function' ? init.body() : init.body
    return sendSigned(session, signed, sendBody as Uint8Array | Readable | undefined, service, progress)
  }
  let response: NodeResponse
  try {
    response = await client.fetch(url, init)
  } catch (error) {
    progress?.done()
    if (error instanceof AwsError) return reportAwsError(session, error, true, signed)
    throw error
  }
  progress?.done()
  showResponse(session, response)
  await writeBody(session, response)
  return EXIT.ok
}

interface Request {
  url: string
  method: string
  headers: Header[]
  body: Body
  service: string
  region: string
  sigv4a?: Sigv4a | undefined
}

/** Signs once: through the client (its clock, its signing options) for SigV4, with `sign` for SigV4a. */
async function signOnce(
  client: Client<NodeResponse>,
  credentials: ResolvedCredentials,
  request: {
    url: string
    method: string
    headers: Array<[string, string]>
    body?: Uint8Array | undefined
    payloadHash?: string | undefined
    service: string
    region: string
    sigv4a: Sigv4a | undefined
  },
): Promise<SignedRequest> {
  const { url, sigv4a, region, ...init } = request
  if (sigv4a === undefined) return client.sign(url, { ...init, region })
  // SigV4a signs for the region set, never a single region.
  return sign({ ...init, url, credentials, ...sigv4aOptions(sigv4a) })
}

/** Sends a request signed here (aws-chunked, SigV4a): once, then the response as any other. */
async function sendSigned(
  session: Session,
  signed: SignedRequest,
  body: Uint8Array | Readable | ReadableStream<Uint8Array> | undefined,
  service: string,
  progress: Progress | undefined,
): Promise<number> {
  showRequest(session, signed.method, signed.url, signed.headers)
  const init: FetchInit = { method: signed.method, headers: signed.headers }
  if (body !== undefined) init.body = body as Uint8Array<ArrayBuffer>
  const response = await nodeFetch(signed.url, init)
  progress?.done()
  showResponse(session, response)
  if (response.status >= 300 && response.status !== 304) {
    const error = await readAwsError(response, { service, method: signed.method, url: signed.url, signed })
    return reportAwsError(session, error, true, signed, response)
  }
  await writeBody(session, response)
  return EXIT.ok
}

async function sendChunked(
  session: Session,
  credentials: ResolvedCredentials,
  request: Request & { body: Extract<Body, { kind: 'file' }> },
): Promise<number> {
  const { args } = session
  const { body } = request
  let path = body.path
  let size = body.size
  let source: Readable
  const declared = headerOf(request.headers, 'content-length')
  if (body.stdin && size < 0 && declared !== undefined) {
    size = Number(declared)
    if (!Number.isSafeInteger(size) || size < 0)
      throw new UsageError(`-H/--header: content-length ${JSON.stringify(declared)} is not a number of bytes`)
    session.verbose(`stdin streamed as the ${size} bytes content-length says`)
    source = process.stdin
  } else if (body.stdin && size < 0) {
    const spooled = await spoolStdin(session)
    path = spooled.path
    size = spooled.size
    source = createReadStream(path, { highWaterMark: UPLOAD_CHUNK })
  } else {
    source = body.stdin ? process.stdin : createReadStream(path, { highWaterMark: UPLOAD_CHUNK })
  }
  const progress = createProgress('upload', size, { silent: args.silent, stream: session.io.stderr })
  if (progress !== undefined) source = source.pipe(counting(progress))
  const mode = args.unsignedPayload ? 'unsigned-trailer' : 'signed-trailer'
  const signed = await signChunked({
    url: request.url,
    method: request.method,
    headers: pairs(withoutHeader(request.headers, 'content-length')),
    service: request.service,
    ...(request.sigv4a === undefined ? { region: request.region } : sigv4aOptions(request.sigv4a)),
    credentials,
    body: source,
    contentLength: size,
    chunkSize: UPLOAD_CHUNK,
    mode,
    checksum: 'crc32',
  })
  session.verbose(`body: aws-chunked (${mode}, CRC32 trailer), ${size} bytes in ${UPLOAD_CHUNK}-byte chunks`)
  session.block('canonical request', signed.canonicalRequest)
  session.block('string to sign', signed.stringToSign)
  return sendSigned(session, signed, signed.body, request.service, progress)
}

/** --expires: sign in the query string, then send the presigned URL. */
async function sendPresigned(session: Session, client: Client<NodeResponse>, request: Request): Promise<number> {
  const { args } = session
  const { body } = request
  if (body.kind === 'file' && body.stdin) throw new UsageError('--expires: cannot upload stdin; pass a file to -T')
  const url = await client.presign(request.url, {
    method: request.method,
    headers: pairs(request.headers),
    service: request.service,
    region: request.region,
    expiresIn: args.expires,
  })
  session.verbose(`presigned for ${args.expires} s: ${redactUrl(url)}`)
  const headers: Record<string, string> = {}
  for (const h of request.headers) headers[h.name.toLowerCase()] = h.value
  if (args.dryRun) {
    session.io.stdout.write(`${curlCommand(request.method, url, headers, curlBody(body))}\n`)
    return EXIT.ok
  }
  let sendBody: Uint8Array | Readable | undefined
  if (body.kind === 'bytes') sendBody = body.bytes
  else if (body.kind === 'file') {
    headers['content-length'] = String(body.size)
    sendBody = createReadStream(body.path, { highWaterMark: UPLOAD_CHUNK })
  }
  showRequest(session, request.method, url, headers)
  const response = await nodeFetch(url, {
    method: request.method,
    headers,
    body: sendBody as unknown as Uint8Array<ArrayBuffer>,
  })
  showResponse(session, response)
  if (response.status >= 300 && response.status !== 304) {
    const error = await readAwsError(response, { service: request.service, method: request.method, url })
    return reportAwsError(session, error, true, undefined, response)
  }
  await writeBody(session, response)
  return EXIT.ok
}

// ----- dry run -----

/** Single-quoted for a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}

function curlBody(body: Body): string[] {
  if (body.kind === 'file') return ['-T', shellQuote(body.path)]
  if (body.kind !== 'bytes') return []
  const only = body.parts.length === 1 ? body.parts[0] : undefined
  if (only?.kind === 'file' && !only.strip && only.path !== '-') return ['--data-binary', shellQuote(`@${only.path}`)]
  const text = Buffer.from(body.bytes).toString('utf8')
  if (text.includes('\0') || !Buffer.from(text).equals(Buffer.from(body.bytes))) {
    throw new UsageError(
      '--dry-run: the body is binary and cannot go on a command line; give it as --data-binary @file',
    )
  }
  return ['--data-binary', shellQuote(text)]
}

function curlCommand(method: string, url: string, headers: Record<string, string>, body: string[]): string {
  const parts = ['curl']
  if (method === 'HEAD') parts.push('-I')
  else if (!(method === 'GET' && body.length === 0)) parts.push('-X', method)
  if (/[[\]{}]/.test(url)) parts.push('-g')
  parts.push(shellQuote(url))
  for (const [name, value] of Object.entries(headers)) parts.push('-H', shellQuote(`${name}: ${value}`))
  parts.push(...body)
  return parts.join(' ')
}

async function dryRun(
  session: Session,
  client: Client<NodeResponse>,
  credentials: ResolvedCredentials,
  request: Request & { chunked: boolean },
): Promise<number> {
  const { args } = session
  const { body } = request
  if (body.kind === 'file' && body.stdin)
    throw new UsageError('--dry-run: -T - (stdin) cannot be replayed by curl; pass a file')
  let payloadHash: string | undefined = args.unsignedPayload ? UNSIGNED_PAYLOAD : undefined
  if (body.kind === 'file' && payloadHash === undefined) {
    // curl sends the file as it is: S3 takes it unsigned, other services get its hash.
    if (request.chunked) {
      payloadHash = UNSIGNED_PAYLOAD
      session.verbose('dry run: S3 upload signed with UNSIGNED-PAYLOAD, as curl sends the file plain')
    } else payloadHash = await hashFile(body.path)
  }
  const signed = await signOnce(client, credentials, {
    url: request.url,
    method: request.method,
    headers: pairs(request.headers),
    body: body.kind === 'bytes' ? body.bytes : undefined,
    service: request.service,
    region: request.region,
    sigv4a: request.sigv4a,
    payloadHash,
  })
  session.block('canonical request', signed.canonicalRequest)
  session.block('string to sign', signed.stringToSign)
  session.io.stdout.write(`${curlCommand(signed.method, signed.url, signed.headers, curlBody(body))}\n`)
  return EXIT.ok
}

// ----- presign, whoami, credentials -----

async function presign(session: Session): Promise<number> {
  const { args } = session
  const url = args.url as string
  const { service, region, sigv4a } = await target(session, url)
  const provider = credentialsFor(args)
  const credentials = await resolveCredentialsNow(session, provider)
  const options = {
    method: args.method ?? 'GET',
    headers: pairs(args.headers),
    service,
    region,
    expiresIn: args.expires ?? 3600,
    payloadHash: args.unsignedPayload ? UNSIGNED_PAYLOAD : undefined,
  }
  const signedUrl =
    sigv4a === undefined
      ? await makeClient(session, provider, region, { at: undefined }).presign(url, options)
      : await presignUrl({
          ...options,
          region: undefined,
          url,
          credentials,
          ...sigv4aOptions(sigv4a),
        })
  session.io.stdout.write(`${signedUrl}\n`)
  return EXIT.ok
}

async function whoami(session: Session): Promise<number> {
  const { args, io } = session
  const { region: configured, from } = await regionWithSource(args)
  const region = configured ?? 'us-east-1'
  const provider = credentialsFor(args)
  const credentials = await resolveCredentialsNow(session, provider)
  const endpoint =
    (await resolveEndpoint('sts', { profile: args.profile })) ?? `https://sts.${region}.${dnsSuffix(region)}`
  session.verbose(`STS endpoint ${endpoint}`)
  const client = makeClient(session, async () => credentials, region, { at: undefined })
  let text: string
  try {
    const response = await client.fetch(endpoint, { service: 'sts', ...awsQuery('GetCallerIdentity', '2011-06-15') })
    text = await response.text()
  } catch (error) {
    if (error instanceof AwsError) return reportAwsError(session, error, false)
    throw error
  }
  const source = ['env', 'imds', 'container'].includes(credentials.source)
    ? credentials.source
    : `${credentials.source} (profile ${profileName(args)})`
  const rows: Array<[string, string | undefined]> = [
    ['Account', xmlText(text, 'Account')],
    ['Arn', xmlText(text, 'Arn')],
    ['UserId', xmlText(text, 'UserId')],
    ['Credentials', `${source}, access key ${credentials.accessKeyId}`],
    [
      'Region',
      configured === undefined ? `${region} (none configured; STS answers in every region)` : `${region} (${from})`,
    ],
  ]
  if (credentials.expiration !== undefined) rows.push(['Expires', credentials.expiration.toISOString()])
  io.stdout.write(rows.map(([name, value]) => `${`${name}:`.padEnd(13)}${value ?? '?'}\n`).join(''))
  return EXIT.ok
}

async function printCredentials(session: Session): Promise<number> {
  const { args, io } = session
  const credentials = await resolveCredentialsNow(session, credentialsFor(args))
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration,
  }
  if (args.format === 'env') {
    const lines = [
      `export AWS_ACCESS_KEY_ID=${shellQuote(accessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${shellQuote(secretAccessKey)}`,
    ]
    if (sessionToken !== undefined) lines.push(`export AWS_SESSION_TOKEN=${shellQuote(sessionToken)}`)
    if (expiration !== undefined) lines.push(`export AWS_CREDENTIAL_EXPIRATION=${expiration.toISOString()}`)
    io.stdout.write(`${lines.join('\n')}\n`)
    return EXIT.ok
  }
  // json and process share the credential_process shape; process adds Version 1.
  // https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
  const out: Record<string, unknown> = args.format === 'process' ? { Version: 1 } : {}
  out.AccessKeyId = accessKeyId
  out.SecretAccessKey = secretAccessKey
  if (sessionToken !== undefined) out.SessionToken = sessionToken
  if (expiration !== undefined) out.Expiration = expiration.toISOString()
  if (credentials.accountId !== undefined && args.format === 'json') out.AccountId = credentials.accountId
  io.stdout.write(`${JSON.stringify(out, null, args.format === 'json' ? 2 : undefined)}\n`)
  return EXIT.ok
}

// ----- errors -----

function credentialsLine(error: CredentialsError, args: Args): string {
  let line = `credentials: ${error.message.replace(/\s*\n\s*/g, ' ')}`
  if (error.code === 'ERR_CREDENTIALS_EXPIRED' && (error.provider === 'sso' || line.includes('aws sso login'))) {
    // Say which login: the one for the profile with the SSO settings (a role's source_profile, maybe).
    const login = `aws sso login --profile ${error.profile ?? profileName(args)}`
    line = line.includes('`aws sso login`')
      ? line.replace('`aws sso login`', `\`${login}\``)
      : `${line}: run \`${login}\``
  }
  const codes: string[] = [error.code]
  if (error.awsCode !== undefined) codes.push(error.awsCode)
  if (error.requestId !== undefined) codes.push(`request id ${error.requestId}`)
  return `${line} [${codes.join(', ')}]`
}

/** Runs the command; resolves to the exit code. Never throws. */
export async function run(args: Args, io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const session = new Session(args, io)
  // A reader that went away (`awsig ... | head -c 10`, EPIPE) fails a write like any other write error,
  // instead of an uncaught 'error' event; a stderr that went away leaves nowhere to say anything.
  let writeError: unknown
  io.stdout.on('error', (error) => {
    writeError ??= error
  })
  io.stderr.on('error', () => {})
  let code: number
  try {
    switch (args.command) {
      case 'presign':
        code = await presign(session)
        break
      case 'whoami':
        code = await whoami(session)
        break
      case 'credentials':
        code = await printCredentials(session)
        break
      default:
        code = await send(session)
    }
  } catch (error) {
    code = reportError(session, error)
  } finally {
    for (const cleanup of session.cleanups) await cleanup().catch(() => {})
  }
  // A failed write is reported on a later tick than the write itself.
  await new Promise((resolve) => setImmediate(resolve))
  return writeError !== undefined && code === EXIT.ok ? reportError(session, writeError) : code
}

export function reportError(session: { args: Args; io: Io }, error: unknown): number {
  const { io, args } = session
  if (error instanceof UsageError) {
    io.stderr.write(`awsig: ${error.message} (see awsig --help)\n`)
    return EXIT.usage
  }
  if (error instanceof InvalidInputError) {
    io.stderr.write(`awsig: ${error.message} (see awsig --help)\n`)
    return EXIT.usage
  }
  if (error instanceof CredentialsError) {
    io.stderr.write(`awsig: ${credentialsLine(error, args)}\n`)
    return EXIT.credentials
  }
  if (error instanceof AwsError) {
    io.stderr.write(`awsig: ${awsErrorLine(error)}\n`)
    return EXIT.failed
  }
  if (error instanceof AwsigError) {
    io.stderr.write(`awsig: ${error.message.split('\n')[0]} [${error.code}]\n`)
    return EXIT.failed
  }
  const code = (error as { code?: unknown })?.code
  const message = error instanceof Error ? error.message : String(error)
  io.stderr.write(`awsig: ${message.split('\n')[0]}${typeof code === 'string' ? ` [${code}]` : ''}\n`)
  return EXIT.failed
}
