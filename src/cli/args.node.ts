// Command-line parsing for `awsig`: curl's flags, the signing flags, the subcommands, and the help text.
// Every mistake becomes a UsageError naming the flag (exit 2) before anything is read or sent.
import { parseArgs } from 'node:util'

/** Exit codes, as `--help` lists them. */
export const EXIT = {
  ok: 0,
  /** The request failed: no response, timeout, a stream or file error, or an AWS error other than those below. */
  failed: 1,
  usage: 2,
  credentials: 3,
  signature: 4,
  /** `-f` and an HTTP status of 400 or more, as curl. */
  http: 22,
} as const

export class UsageError extends Error {
  override name = 'UsageError'
}

export const HELP = `awsig: curl for AWS. Signs requests with Signature Version 4 (or 4a) and sends them.

Usage:
  awsig [options] <url>                      sign and send a request
  awsig presign [options] <url>              print a presigned URL
  awsig whoami [--profile P] [--region R]    STS GetCallerIdentity: who the credentials are
  awsig credentials [--profile P] [--format env|json|process]
                                             resolve credentials and print them for other tools

Request (as curl):
  -X, --request METHOD     method (default GET; POST with -d, PUT with -T)
  -H, --header 'N: V'      add a header (repeatable); signed and sent
  -d, --data DATA          body; @file reads a file (CR/LF removed), @- reads stdin; repeats join with &;
                           content-type defaults to application/x-www-form-urlencoded
      --data-raw DATA      as -d, without @ meaning a file
      --data-binary DATA   body as is; @file and @- kept byte for byte
  -T, --upload-file FILE   stream FILE (or - for stdin) as the body, never held in memory. S3: aws-chunked
                           with signed chunks and a CRC32 trailer; elsewhere the file is hashed first, or
                           sent as UNSIGNED-PAYLOAD with --unsigned-payload. stdin from a pipe is spooled to a
                           temporary file (S3 needs the length first) unless -H 'content-length: N' is given.
                           A URL ending in / gets FILE's name
  -o, --output FILE        write the body to FILE (- for stdout)
  -i, --include            write the status line and response headers before the body
  -s, --silent             no progress bar (errors are still printed)
  -f, --fail               on HTTP 400 or more write no body and exit 22
  -v, --verbose            on stderr: where service, region and credentials came from, the canonical
                           request, the string to sign and the headers sent and received (secrets redacted)
      --dry-run            sign, print the request as a curl command, send nothing

Signing:
      --service NAME       signing name (s3, execute-api, ...); default: read from a standard AWS host
      --region REGION      signing region; default: from the host, else AWS_REGION, AWS_DEFAULT_REGION,
                           the profile's region
      --profile NAME       profile of the shared config files (default AWS_DEFAULT_PROFILE, AWS_PROFILE,
                           else default); as in the AWS CLI, it wins over keys in the environment
      --sigv4a             sign with SigV4a (ECDSA, awsig/sigv4a) over --region-set; sent once, no retries
      --region-set LIST    comma-separated regions for SigV4a (default: the region; * for all)
      --unsigned-payload   sign UNSIGNED-PAYLOAD instead of the body's SHA-256
      --expires SECONDS    sign in the query string, valid SECONDS (1 to 604800): the request is sent
                           with that presigned URL; for presign, the URL's lifetime

presign:  -X/--method METHOD (default GET), --expires SECONDS (default 3600), -H header, and the
          signing options
credentials: --format env (export lines, default), json, or process (credential_process output)

Retries: throttling, 5xx and network errors are retried (3 attempts, backoff), and a clock-skew error
corrects the clock once; a streamed S3 upload (-T), SigV4a requests and requests with a -H Host
other than the URL's are sent once.

Credentials come from the AWS CLI's chain: environment, profile (role_arn with source_profile or
credential_source, MFA codes asked on the terminal, SSO, credential_process, static keys), container,
instance metadata.

Exit codes:
  0   success; also an HTTP error response without -f, as curl (its body is written, and one line
      with the AWS code and request id goes to stderr)
  1   the request failed: no response, timeout, file or stream error; an AWS error in whoami
  2   bad usage: unknown or conflicting option, missing URL, unreadable file; nothing was sent
  3   no usable credentials (the line says which provider failed and what to do)
  4   AWS refused the signature (SignatureDoesNotMatch, InvalidSignatureException): the diff is printed
  22  with -f: HTTP status 400 or more

  -h, --help               this help
  -V, --version            print the version
`

const OPTIONS = {
  request: { type: 'string', short: 'X' },
  method: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd', multiple: true },
  'data-raw': { type: 'string', multiple: true },
  'data-binary': { type: 'string', multiple: true },
  'upload-file': { type: 'string', short: 'T' },
  output: { type: 'string', short: 'o' },
  include: { type: 'boolean', short: 'i' },
  silent: { type: 'boolean', short: 's' },
  fail: { type: 'boolean', short: 'f' },
  verbose: { type: 'boolean', short: 'v' },
  'dry-run': { type: 'boolean' },
  service: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  sigv4a: { type: 'boolean' },
  'region-set': { type: 'string' },
  'unsigned-payload': { type: 'boolean' },
  expires: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const

type OptionName = keyof typeof OPTIONS

const SIGNING: OptionName[] = ['service', 'region', 'profile', 'sigv4a', 'region-set', 'verbose', 'silent']
const ALLOWED: Record<Command, OptionName[]> = {
  send: (Object.keys(OPTIONS) as OptionName[]).filter((name) => name !== 'format' && name !== 'method'),
  presign: [...SIGNING, 'request', 'method', 'header', 'expires', 'unsigned-payload'],
  whoami: ['profile', 'region', 'verbose', 'silent'],
  credentials: ['profile', 'format', 'verbose', 'silent'],
}

export type Command = 'send' | 'presign' | 'whoami' | 'credentials'

export interface Header {
  name: string
  value: string
}

/** A piece of `-d`/`--data-binary`: literal text, or a file (or `-`, stdin) to read. */
export type DataPart = { kind: 'text'; text: string } | { kind: 'file'; path: string; strip: boolean }

export interface Args {
  command: Command
  url: string | undefined
  method: string | undefined
  headers: Header[]
  data: DataPart[]
  uploadFile: string | undefined
  output: string | undefined
  include: boolean
  silent: boolean
  fail: boolean
  verbose: boolean
  dryRun: boolean
  service: string | undefined
  region: string | undefined
  profile: string | undefined
  sigv4a: boolean
  regionSet: string[] | undefined
  unsignedPayload: boolean
  expires: number | undefined
  format: 'env' | 'json' | 'process'
  help: boolean
  version: boolean
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const NAME = /^[a-z0-9][a-z0-9-]*$/

function parseHeader(raw: string): Header {
  const colon = raw.indexOf(':')
  if (colon <= 0) throw new UsageError(`-H/--header: ${JSON.stringify(raw)} is not 'Name: value'`)
  const name = raw.slice(0, colon).trim()
  if (!TOKEN.test(name)) throw new UsageError(`-H/--header: ${JSON.stringify(name)} is not a header name`)
  return { name, value: raw.slice(colon + 1).trim() }
}

/** The `-d`, `--data-raw` and `--data-binary` pieces in the order given: curl joins them in that order. */
function dataParts(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>): DataPart[] {
  const parts: DataPart[] = []
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue
    const { name, value } = token
    if (name !== 'data' && name !== 'data-raw' && name !== 'data-binary') continue
    parts.push(
      name !== 'data-raw' && value.startsWith('@')
        ? { kind: 'file', path: value.slice(1), strip: name === 'data' }
        : { kind: 'text', text: value },
    )
  }
  return parts
}

/** Parses `argv` (without node and the script). Throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): Args {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; tokens: true }>
  >
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true })
  } catch (error) {
    const code = (error as { code?: string }).code
    const message = (error as Error).message
    const flag = /'(-[^']*)'/.exec(message)?.[1] ?? /(--?[\w-]+)/.exec(message)?.[1] ?? 'option'
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${flag}: unknown option`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && message.includes('ambiguous')) {
      // `-d -x`: a value was given, but it looks like an option.
      const long = /'(--[\w-]+)=-XYZ'/.exec(message)?.[1] ?? flag
      throw new UsageError(`${flag}: a value starting with - goes after =, as ${long}=-value`)
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${flag}: needs a value`)
    throw new UsageError(message.split('\n')[0] as string)
  }
  const { values, positionals, tokens } = parsed
  let command: Command = 'send'
  const rest = [...positionals]
  if (rest[0] === 'presign' || rest[0] === 'whoami' || rest[0] === 'credentials') {
    command = rest.shift() as Command
  }
  const args: Args = {
    command,
    url: undefined,
    method: values.request ?? values.method,
    headers: (values.header ?? []).map(parseHeader),
    data: dataParts(tokens),
    uploadFile: values['upload-file'],
    output: values.output,
    include: values.include ?? false,
    silent: values.silent ?? false,
    fail: values.fail ?? false,
    verbose: values.verbose ?? false,
    dryRun: values['dry-run'] ?? false,
    service: values.service,
    region: values.region,
    profile: values.profile,
    sigv4a: values.sigv4a ?? false,
    regionSet: undefined,
    unsignedPayload: values['unsigned-payload'] ?? false,
    expires: undefined,
    format: 'env',
    help: values.help ?? false,
    version: values.version ?? false,
  }
  if (args.help || args.version) return args

  for (const name of Object.keys(values) as OptionName[]) {
    if (!ALLOWED[command].includes(name)) {
      throw new UsageError(
        `--${name}: does not apply to ${command === 'send' ? 'sending a request' : `awsig ${command}`}`,
      )
    }
  }

  if (command === 'whoami' || command === 'credentials') {
    if (rest.length > 0) throw new UsageError(`awsig ${command} takes no URL (got ${JSON.stringify(rest[0])})`)
  } else {
    if (rest.length === 0) throw new UsageError('<url>: missing; give the URL to call')
    if (rest.length > 1) throw new UsageError(`<url>: one URL only (got ${JSON.stringify(rest[1])} too)`)
    const url = rest[0] as string
    let parsedUrl: URL
    try {
      parsedUrl = new URL(url)
    } catch {
      throw new UsageError(`<url>: ${JSON.stringify(url)} is not a URL; write it in full, https://...`)
    }
    if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') {
      throw new UsageError(`<url>: must be http or https, got ${parsedUrl.protocol}`)
    }
    args.url = url
  }

  if (args.method !== undefined) {
    if (!TOKEN.test(args.method)) throw new UsageError(`-X/--request: ${JSON.stringify(args.method)} is not a method`)
    args.method = args.method.toUpperCase()
  }
  if (args.service !== undefined && !NAME.test(args.service)) {
    throw new UsageError(`--service: ${JSON.stringify(args.service)} is not a signing name (lower case, e.g. s3)`)
  }
  if (args.region !== undefined && !NAME.test(args.region)) {
    throw new UsageError(`--region: ${JSON.stringify(args.region)} is not a region name (lower case, e.g. us-east-1)`)
  }
  if (values['region-set'] !== undefined) {
    if (!args.sigv4a) throw new UsageError('--region-set: only with --sigv4a')
    const set = values['region-set'].split(',').map((r) => r.trim())
    if (set.some((r) => r === '' || !/^[a-z0-9*-]+$/.test(r))) {
      throw new UsageError(
        `--region-set: ${JSON.stringify(values['region-set'])} is not a list of regions (us-east-1,eu-west-1 or *)`,
      )
    }
    args.regionSet = set
  }
  if (values.expires !== undefined) {
    const seconds = Number(values.expires)
    if (!/^\d+$/.test(values.expires) || seconds < 1 || seconds > 604800) {
      throw new UsageError(`--expires: ${JSON.stringify(values.expires)} is not a number of seconds from 1 to 604800`)
    }
    args.expires = seconds
  }
  if (values.format !== undefined) {
    if (values.format !== 'env' && values.format !== 'json' && values.format !== 'process') {
      throw new UsageError(`--format: must be env, json or process, got ${JSON.stringify(values.format)}`)
    }
    args.format = values.format
  }
  if (args.uploadFile !== undefined && args.data.length > 0) {
    throw new UsageError('-T/--upload-file: cannot be combined with -d/--data (one body only)')
  }
  if (args.uploadFile === '') throw new UsageError('-T/--upload-file: needs a file name, or - for stdin')
  const stdinParts = args.data.filter((part) => part.kind === 'file' && part.path === '-').length
  if (args.data.some((part) => part.kind === 'file' && part.path === '')) {
    throw new UsageError('-d/--data: @ needs a file name, or @- for stdin')
  }
  if (stdinParts > 1) throw new UsageError('-d/--data: stdin (@-) can be read only once')
  if (args.expires !== undefined && args.sigv4a && command === 'send') {
    throw new UsageError('--expires: query signing with --sigv4a is only available through awsig presign')
  }
  return args
}
