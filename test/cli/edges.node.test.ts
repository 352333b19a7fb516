// The built `awsig` command at its edges, against loopback servers that misbehave on purpose: a reader
// that goes away, an output file that cannot be written, an error body that never ends, an STS that
// fails and closes the connection, and the flags whose meaning comes from curl or the AWS CLI.
import { type ChildProcess, spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommandLine } from '../../src/cli/args.node.js'
import { isolatedEnv } from '../support/cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'dist/cli/main.node.js')
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

interface Result {
  code: number | null
  out: string
  stderr: string
}

let dir: string

const env = (extra: Record<string, string | undefined> = {}) => isolatedEnv(dir, { ...KEYS, ...extra })

/** Runs the built command; `closeStdout` closes the reading end of its stdout at once, as `| head -c 0` would. */
function awsig(
  args: string[],
  options: { env?: Record<string, string | undefined>; closeStdout?: boolean } = {},
): Promise<Result> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    env: env(options.env),
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let stderr = ''
  if (options.closeStdout) child.stdout?.destroy()
  else child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // A command that does not end (the bugs some of these tests are for) is killed: the test fails, nothing lingers.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, stderr })
    })
  })
}

/** No crash report: no uncaught 'error' event, no stack frame. */
function expectNoCrash(result: Result): void {
  expect(result.stderr).not.toMatch(/node:events|Unhandled|^\s+at /m)
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first (npm test does)`)
  dir = mkdtempSync(join(tmpdir(), 'awsig-edges-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('an S3-like server', () => {
  let server: Server
  let base: string
  let endlessSent = 0
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume()
      if (request.url === '/bucket/missing') {
        response.writeHead(404, { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ404' })
        response.end('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>')
      } else if (request.url === '/bucket/endless-error') {
        // An error whose body never ends (a broken proxy): written as fast as it is read.
        response.writeHead(404, { 'content-type': 'text/plain' })
        const chunk = Buffer.alloc(64 * 1024, 'x')
        const pump = () => {
          while (!response.destroyed && response.write(chunk)) endlessSent += chunk.length
        }
        response.on('drain', pump)
        pump()
      } else if (request.url === '/bucket/big-error') {
        // A 200 KiB error page (API Gateway, a Lambda function URL, a proxy): curl writes all of it.
        response.writeHead(403, { 'content-type': 'text/html' })
        response.end(`<html>${'x'.repeat(200 * 1024)}</html>\n`)
      } else if (request.url === '/bucket/echo-host') response.end(request.headers.host)
      else response.end('hello')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const s3 = ['--service', 's3', '--region', 'us-east-1']

  it('a reader that went away: exit 1 and one line, not a crash (error body, body, dry run)', async () => {
    for (const args of [
      [...s3, `${base}/bucket/missing`],
      [...s3, '-i', `${base}/bucket/key`],
      [...s3, '--dry-run', `${base}/bucket/key`],
    ]) {
      const result = await awsig(args, { closeStdout: true })
      expectNoCrash(result)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/^awsig: .*EPIPE/m)
    }
  })

  it('an error response with an -o that cannot be written: the AWS line, the file error, exit 1', async () => {
    const result = await awsig([...s3, '-o', join(dir, 'no-such-dir', 'out'), `${base}/bucket/missing`])
    expectNoCrash(result)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('awsig: NoSuchKey: The specified key does not exist. (HTTP 404, request id REQ404)')
    expect(result.stderr).toMatch(/^awsig: .*ENOENT.*no-such-dir/m)
  })

  it('-v shows the host header that is sent, also when -H gives another', async () => {
    const result = await awsig([...s3, '-v', '-H', 'Host: example.com', `${base}/bucket/echo-host`])
    expect(result.code).toBe(0)
    expect(result.out).toBe('example.com')
    const shown = result.stderr.split('\n').filter((line) => /^> host:/i.test(line))
    expect(shown).toEqual(['> host: example.com'])
  })

  it('an error body over 64 KiB is written whole, as curl, to stdout and to -o (with SigV4a too)', async () => {
    const whole = `<html>${'x'.repeat(200 * 1024)}</html>\n`
    const out = join(dir, 'big-error.out')
    for (const extra of [[], ['--sigv4a']]) {
      const result = await awsig([...s3, ...extra, `${base}/bucket/big-error`])
      expect(result.code).toBe(0)
      expect(result.out.length).toBe(whole.length)
      expect(result.out).toBe(whole)
      await awsig([...s3, ...extra, '-o', out, `${base}/bucket/big-error`])
      expect(readFileSync(out, 'utf8')).toBe(whole)
    }
  })

  it('an error body that never ends is read only so far: the command ends', async () => {
    endlessSent = 0
    const result = await awsig(['-f', ...s3, `${base}/bucket/endless-error`])
    expect(result.code).toBe(22)
    expect(result.stderr).toMatch(/^awsig: NotFound: /)
    // A few MiB at most went out before the connection was closed (socket buffers included).
    expect(endlessSent).toBeLessThan(32 * 1024 * 1024)
  }, 20_000)
})

describe('a server speaking raw HTTP/1.1', () => {
  let server: NetServer
  const sockets = new Set<Socket>()
  let base: string
  beforeAll(async () => {
    server = createNetServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.once('data', (request: Buffer) => {
        const path = request.toString('latin1').split(' ')[1]
        if (path === '/bucket/dup-length') {
          socket.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\nhello')
        } else if (path === '/bucket/bad-length') {
          socket.end('HTTP/1.1 200 OK\r\ncontent-length: 5x\r\n\r\nhello')
        } else if (path === '/bucket/bad-chunk-size') {
          socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n-5\r\n\r\n-5\r\n0\r\n\r\n')
        } else if (path === '/bucket/hex-prefix-chunk-size') {
          socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n')
        } else if (path === '/bucket/early-403') {
          // An error before the upload is read, then no more reading: the connection stays open.
          socket.pause()
          socket.write(
            'HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: 61\r\n\r\n<Error><Code>AccessDenied</Code><Message>no</Message></Error>',
          )
        } else if (path === '/bucket/endless-headers') {
          // Header lines that never end.
          socket.write('HTTP/1.1 200 OK\r\n')
          const line = Buffer.from(`x-filler: ${'a'.repeat(1000)}\r\n`)
          const pump = () => {
            while (!socket.destroyed && socket.write(line)) {}
          }
          socket.on('drain', pump)
          pump()
        } else {
          // A chunked body whose connection closes in the middle of its second chunk.
          socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nonly part')
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => {
    for (const socket of sockets) socket.destroy() // a paused one would keep close() waiting
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('a chunked body cut short is an error, exit 1, to stdout and to -o (as curl, which exits 18)', async () => {
    for (const extra of [[], ['-o', join(dir, 'cut.out')]]) {
      const result = await awsig(['--service', 's3', '--region', 'us-east-1', ...extra, `${base}/bucket/key`])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe('awsig: the connection closed before the end of the chunked body\n')
    }
  })
  it('a content-length sent twice with one value is that length; one that is not a number is an error', async () => {
    const get = (path: string) => awsig(['--service', 's3', '--region', 'us-east-1', `${base}${path}`])
    const twice = await get('/bucket/dup-length')
    expect(twice.stderr).toBe('')
    expect(twice.out).toBe('hello')
    const bad = await get('/bucket/bad-length')
    expect(bad.out).toBe('')
    expect(bad.stderr).toMatch(/^awsig: .*content-length "5x" is not a number of bytes/)
    expect(bad.code).toBe(1)
  })

  it('a chunk size that is not hex digits is an error, with nothing written (as curl)', async () => {
    for (const path of ['/bucket/bad-chunk-size', '/bucket/hex-prefix-chunk-size']) {
      const result = await awsig(['--service', 's3', '--region', 'us-east-1', `${base}${path}`])
      expect(result.out).toBe('')
      expect(result.stderr).toBe('awsig: malformed chunked response\n')
      expect(result.code).toBe(1)
    }
  })

  it('-T answered with an error before the upload is read: the upload stops, the command ends (as curl)', async () => {
    const file = join(dir, 'upload-32m.bin')
    writeFileSync(file, Buffer.alloc(32 * 1024 * 1024))
    for (const service of ['s3', 'sqs']) {
      const result = await awsig([
        '--service',
        service,
        '--region',
        'us-east-1',
        '-T',
        file,
        `${base}/bucket/early-403`,
      ])
      expect(result.stderr).toBe('awsig: AccessDenied: no (HTTP 403)\n')
      expect(result.out).toBe('<Error><Code>AccessDenied</Code><Message>no</Message></Error>\n')
      expect(result.code).toBe(0)
    }
  })

  it('header lines that never end: an error, exit 1, once past 256 KiB (as curl, which exits 56)', async () => {
    const result = await awsig(['--service', 's3', '--region', 'us-east-1', `${base}/bucket/endless-headers`])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^awsig: GET \S+: no response \(the response headers are over 256 KiB\) \[ERR_NETWORK\]\n$/,
    )
  }, 20_000)
})

describe('credentials as the AWS CLI resolves them', () => {
  let server: Server
  let sts: string
  let calls: string[] = []
  let failures = 0
  beforeAll(async () => {
    // An STS that fails `failures` times, each time closing the connection (as moto and many proxies do).
    server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        const action = /Action=(\w+)/.exec(body)?.[1] ?? '?'
        calls.push(action)
        response.setHeader('connection', 'close')
        if (failures > 0) {
          failures--
          response.writeHead(500, { 'content-type': 'text/html' }).end('<html>Internal Server Error</html>')
        } else if (action === 'AssumeRole') {
          response
            .writeHead(200, { 'content-type': 'text/xml' })
            .end(
              `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>roletoken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
            )
        } else {
          response
            .writeHead(200, { 'content-type': 'text/xml' })
            .end(
              `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/${/Credential=(\w+)/.exec(request.headers.authorization ?? '')?.[1]}</Arn><UserId>U</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
            )
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    sts = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  function files(name: string, config: string, credentials = ''): Record<string, string> {
    writeFileSync(join(dir, `config-${name}`), config)
    writeFileSync(join(dir, `credentials-${name}`), credentials)
    return {
      AWS_CONFIG_FILE: join(dir, `config-${name}`),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, `credentials-${name}`),
      AWS_ENDPOINT_URL_STS: sts,
    }
  }

  it('an AssumeRole that STS fails once is retried, and the command finishes', async () => {
    calls = []
    failures = 1
    const result = await awsig(['whoami', '--profile', 'role'], {
      env: files(
        'retry',
        '[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n',
      ),
    })
    expect(calls).toEqual(['AssumeRole', 'AssumeRole', 'GetCallerIdentity'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.out).toContain('Credentials: assume-role (profile role), access key ASIAROLE')
  })

  it('--profile wins over keys in the environment; AWS_PROFILE does not (as the AWS CLI)', async () => {
    const paths = files('explicit', '', '[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n')
    const explicit = await awsig(['whoami', '--profile', 'other'], { env: paths })
    expect(explicit.stderr).toBe('')
    expect(explicit.out).toContain('Arn:         arn:aws:iam::123456789012:user/AKIAOTHER')
    expect(explicit.out).toContain('Credentials: ini (profile other), access key AKIAOTHER')
    const fromEnv = await awsig(['whoami'], { env: { ...paths, AWS_PROFILE: 'other' } })
    expect(fromEnv.out).toContain('Credentials: env, access key AKIDEXAMPLE')
  })

  it('--profile naming a profile without credentials: exit 3, and the environment is not said to be empty', async () => {
    const result = await awsig(['credentials', '--profile', 'empty'], {
      env: files('empty', '[profile empty]\nregion = eu-west-1\n'),
    })
    expect(result.code).toBe(3)
    expect(result.out).toBe('')
    expect(result.stderr).toMatch(
      /^awsig: credentials: no credentials for --profile empty \(keys in the environment are not used with --profile, as in the AWS CLI\): ini: profile empty configures no credentials.*\[ERR_CREDENTIALS_CHAIN\]\n$/,
    )
    expect(result.stderr).not.toContain('AWS_ACCESS_KEY_ID is not set')
  })

  it('a role on an SSO profile without a token: the aws sso login to run names the SSO profile', async () => {
    const result = await awsig(['whoami', '--profile', 'role'], {
      env: files(
        'sso-source',
        '[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = dev\n',
      ),
    })
    expect(result.code).toBe(3)
    // `aws sso login --profile role` fails: role has no SSO settings.
    expect(result.stderr).toBe(
      'awsig: credentials: no cached SSO token for corp: run `aws sso login --profile dev` [ERR_CREDENTIALS_EXPIRED]\n',
    )
  })

  it('--profile with credential_source = Environment still takes the keys of the environment', async () => {
    failures = 0
    const result = await awsig(['whoami', '--profile', 'role'], {
      env: files(
        'source-env',
        '[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n',
      ),
    })
    expect(result.stderr).toBe('')
    expect(result.out).toContain('Credentials: assume-role (profile role), access key ASIAROLE')
  })

  it('AWS_DEFAULT_PROFILE names the profile it picked (the AWS CLI reads it before AWS_PROFILE)', async () => {
    const paths = files('default-profile', '', '[picked]\naws_access_key_id = AKIAPICKED\naws_secret_access_key = p\n')
    const result = await awsig(['credentials', '-v'], {
      env: {
        ...paths,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_DEFAULT_PROFILE: 'picked',
        AWS_PROFILE: 'ignored',
      },
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('* credentials: ini (profile picked), access key AKIAPICKED\n')
  })
})

describe('signals', () => {
  it('Ctrl-C while stdin is spooled for -T -: the copy of stdin is removed, the exit is by SIGINT', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'))
    const child = spawn(process.execPath, [BIN, '--service', 's3', '-T', '-', 'http://127.0.0.1:9/bucket/key'], {
      env: env({ TMPDIR: tmp }),
      stdio: ['pipe', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const closed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('close', (_code, signal) => resolve(signal)),
    )
    child.stdin?.write(Buffer.alloc(64 * 1024, 'secret upload '))
    // Wait until the spool file holds what was written: stdin is still open, so awsig is still spooling.
    const spool = () => readdirSync(tmp).map((name) => join(tmp, name, 'stdin'))
    for (let i = 0; i < 200 && !spool().some((file) => existsSync(file) && statSync(file).size > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(spool()).toHaveLength(1)
    child.kill('SIGINT')
    expect(await closed).toBe('SIGINT')
    expect(readdirSync(tmp)).toEqual([])
    expect(stderr).toBe('')
    child.stdin?.destroy()
  })
})

describe('arguments as curl reads them', () => {
  it('-T - with a directory for stdin: exit 2, nothing sent (was: an empty object uploaded)', async () => {
    const stdin = openSync(dir, 'r')
    try {
      const child = spawn(process.execPath, [BIN, '--service', 's3', '-T', '-', 'http://127.0.0.1:9/bucket/key'], {
        env: env(),
        stdio: [stdin, 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const code = await new Promise((resolve) => child.once('close', resolve))
      expect(stderr).toBe('awsig: -T/--upload-file: stdin is a directory (see awsig --help)\n')
      expect(code).toBe(2)
    } finally {
      closeSync(stdin)
    }
  })

  it('a value that starts with a dash is not called missing', () => {
    expect(() => parseCommandLine(['-d', '-x', 'http://x/'])).toThrow(
      '-d: a value starting with - goes after =, as --data=-value',
    )
    expect(() => parseCommandLine(['--header', '-x', 'http://x/'])).toThrow(
      '--header: a value starting with - goes after =, as --header=-value',
    )
    expect(() => parseCommandLine(['-d'])).toThrow('-d, --data <value>: needs a value')
    expect(parseCommandLine(['--data=-x', 'http://x/']).data).toEqual([{ kind: 'text', text: '-x' }])
  })

  it('-d, --data-raw and --data-binary join in the order given', () => {
    const args = parseCommandLine(['-d', 'a=1', '--data-binary', 'b=2', '-d', 'c=3', '--data-raw', '@d', 'http://x/'])
    expect(args.data).toEqual([
      { kind: 'text', text: 'a=1' },
      { kind: 'text', text: 'b=2' },
      { kind: 'text', text: 'c=3' },
      { kind: 'text', text: '@d' },
    ])
  })
})
