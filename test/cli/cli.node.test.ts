// The built `awsig` command, spawned as a user would run it, against moto_server with signature checks
// (and without them for presigned URLs), the system curl, a pseudo-terminal, and the packed tarball.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer, type Server as NetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeRfc3986 } from '../../src/protocols/index.js'
import { isolatedEnv } from '../support/cli.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'dist/cli/main.node.js')
const MIB = 1024 * 1024

interface Result {
  code: number | null
  stdout: Buffer
  stderr: string
  out: string
}

let moto: Moto | null
let open: Moto | null // no signature checks: presigned URLs
let dir: string
let big: string // 64 MiB of random bytes
let bigHash: string

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const fromMoto =
    moto === null
      ? {}
      : {
          AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
          AWS_ENDPOINT_URL_STS: moto.endpoint,
        }
  return isolatedEnv(dir, { ...fromMoto, ...extra })
}

function collect(child: ChildProcess, input?: string | NodeJS.ReadableStream): Promise<Result> {
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  if (typeof input === 'string') child.stdin?.end(input)
  else if (input !== undefined && child.stdin) input.pipe(child.stdin)
  else child.stdin?.end()
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      const out = Buffer.concat(stdout)
      resolve({ code, stdout: out, stderr, out: out.toString() })
    })
  })
}

/** Runs the built command. */
function awsig(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string | NodeJS.ReadableStream; cwd?: string } = {},
): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: baseEnv(options.env),
    cwd: options.cwd ?? dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  return collect(child, options.input)
}

function sh(command: string, env?: Record<string, string | undefined>): Promise<Result> {
  return collect(spawn('sh', ['-c', command], { env: baseEnv(env), cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }))
}

/** Shared config files with `config` and a `base` profile holding moto's keys; the env that uses only them. */
function profileEnv(moto: Moto, name: string, config: string): Record<string, string | undefined> {
  const configFile = join(dir, `config-${name}`)
  const credentialsFile = join(dir, `credentials-${name}`)
  writeFileSync(configFile, config)
  writeFileSync(
    credentialsFile,
    `[base]\naws_access_key_id = ${moto.credentials.accessKeyId}\naws_secret_access_key = ${moto.credentials.secretAccessKey}\n`,
  )
  return {
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_REGION: undefined,
  }
}

const skip = (what: string) => {
  console.warn(`!! SKIPPED: ${what}: moto_server is not installed (with CI=true this fails)`)
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first (npm test does)`)
  dir = mkdtempSync(join(tmpdir(), 'awsig-cli-'))
  big = join(dir, 'big.bin')
  const bytes = randomBytes(64 * MIB)
  writeFileSync(big, bytes)
  bigHash = sha256(bytes)
  ;[moto, open] = await Promise.all([startMoto(), startMoto({ enforce: false })])
}, 120_000)

afterAll(async () => {
  await stopAllMoto()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('awsig against moto_server (signatures checked)', () => {
  it('whoami says who, which provider and which region', async () => {
    if (moto === null) return skip('whoami')
    const result = await awsig(['whoami'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.out).toContain(`Arn:         ${moto.userArn}`)
    expect(result.out).toContain('Account:     123456789012')
    expect(result.out).toContain(`Credentials: env, access key ${moto.credentials.accessKeyId}`)
    expect(result.out).toContain('Region:      us-east-1 (AWS_REGION)')
  })

  it('S3: -T from a file and from stdin (64 MiB, streamed), GET with -o, read back identical', async () => {
    if (moto === null) return skip('S3')
    const bucket = `${moto.endpoint}/cli-bucket`
    expect((await awsig(['-f', '-X', 'PUT', '--service', 's3', bucket])).code).toBe(0)

    const fromFile = await sh(
      `/usr/bin/time -f 'rss=%M' ${process.execPath} ${BIN} -f -T big.bin --service s3 ${bucket}/`,
    )
    expect(fromFile.code, fromFile.stderr).toBe(0)
    const fromPipe = await awsig(['-f', '-v', '-T', '-', '--service', 's3', `${bucket}/piped`], {
      input: createReadStream(big),
    })
    expect(fromPipe.code, fromPipe.stderr).toBe(0)
    expect(fromPipe.stderr).toContain('aws-chunked (signed-trailer, CRC32 trailer), 67108864 bytes')
    // With the length given, stdin is streamed straight through.
    const streamed = await sh(
      `cat big.bin | /usr/bin/time -f 'rss=%M' ${process.execPath} ${BIN} -f -v -T - -H 'content-length: ${64 * MIB}' --service s3 ${bucket}/streamed`,
    )
    expect(streamed.code, streamed.stderr).toBe(0)
    expect(streamed.stderr).toContain('stdin streamed as the 67108864 bytes content-length says')
    // Constant memory: far less than the 64 MiB sent (node alone is ~50 MB).
    for (const run of [fromFile, streamed]) {
      const rss = Number(/rss=(\d+)/.exec(run.stderr)?.[1]) * 1024
      expect(rss).toBeLessThan(110 * MIB)
    }

    for (const key of ['big.bin', 'piped', 'streamed']) {
      const out = join(dir, `${key}.out`)
      const get = await awsig(['-f', '-o', out, '--service', 's3', `${bucket}/${key}`])
      expect(get.code, get.stderr).toBe(0)
      expect(get.out).toBe('')
      expect(sha256(readFileSync(out)), key).toBe(bigHash)
    }
  }, 180_000)

  it('DynamoDB: JSON with -d and the service read from headers given with -H', async () => {
    if (moto === null) return skip('DynamoDB')
    const json = ['-H', 'content-type: application/x-amz-json-1.0', '--service', 'dynamodb']
    const create = await awsig([
      ...json,
      '-H',
      'x-amz-target: DynamoDB_20120810.CreateTable',
      '-d',
      JSON.stringify({
        TableName: 'cli-table',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
      `${moto.endpoint}/`,
    ])
    expect(create.code, create.stderr).toBe(0)
    expect(JSON.parse(create.out).TableDescription.TableName).toBe('cli-table')
    writeFileSync(join(dir, 'item.json'), JSON.stringify({ TableName: 'cli-table', Item: { id: { S: 'a' } } }))
    const put = await awsig([
      ...json,
      '-H',
      'x-amz-target: DynamoDB_20120810.PutItem',
      '-d',
      '@item.json',
      moto.endpoint,
    ])
    expect(put.code, put.stderr).toBe(0)
    const scan = await awsig([...json, '-H', 'x-amz-target: DynamoDB_20120810.Scan', '-d', '@-', moto.endpoint], {
      input: JSON.stringify({ TableName: 'cli-table' }),
    })
    expect(JSON.parse(scan.out).Items).toEqual([{ id: { S: 'a' } }])
  })

  it('SQS: query with -d, the default form content type and POST', async () => {
    if (moto === null) return skip('SQS')
    const create = await awsig([
      '--service',
      'sqs',
      '-d',
      'Action=CreateQueue',
      '-d',
      'QueueName=cli-queue',
      '-d',
      'Version=2012-11-05',
      moto.endpoint,
    ])
    expect(create.code, create.stderr).toBe(0)
    expect(create.out).toContain(`<QueueUrl>${moto.endpoint}/123456789012/cli-queue</QueueUrl>`)
  })

  it('a role_arn profile: credentials from AssumeRole, said by whoami, used for a request', async () => {
    if (moto === null) return skip('role_arn')
    const iam = ['-f', '-s', '--service', 'iam', moto.endpoint]
    const policy = (statement: object) =>
      encodeRfc3986(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }))
    const trust = policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' })
    const all = policy({ Effect: 'Allow', Action: '*', Resource: '*' })
    const createRole = await awsig([
      ...iam,
      '-d',
      `Action=CreateRole&RoleName=cli-role&AssumeRolePolicyDocument=${trust}&Version=2010-05-08`,
    ])
    expect(createRole.code, createRole.stderr).toBe(0)
    const putPolicy = await awsig([
      ...iam,
      '-d',
      `Action=PutRolePolicy&RoleName=cli-role&PolicyName=all&PolicyDocument=${all}&Version=2010-05-08`,
    ])
    expect(putPolicy.code, putPolicy.stderr).toBe(0)

    const env = profileEnv(
      moto,
      'deploy',
      '[profile deploy]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = base\nrole_session_name = cli-test\n',
    )
    const who = await awsig(['whoami', '--profile', 'deploy'], { env })
    expect(who.code, who.stderr).toBe(0)
    expect(who.out).toContain('Arn:         arn:aws:sts::123456789012:assumed-role/cli-role/cli-test')
    expect(who.out).toContain('Credentials: assume-role (profile deploy), access key ASIA')
    expect(who.out).toContain('Region:      us-east-1 (profile deploy)')
    const list = await awsig(
      ['-v', '--profile', 'deploy', '--service', 'sqs', '-d', 'Action=ListQueues&Version=2012-11-05', moto.endpoint],
      { env },
    )
    expect(list.code, list.stderr).toBe(0)
    expect(list.out).toContain('<ListQueuesResponse')
    expect(list.stderr).toContain('* credentials: assume-role (profile deploy)')
    // The session token is signed and sent, never shown.
    expect(list.stderr).toContain('x-amz-security-token:[redacted]')
    expect(list.stderr).toContain('> x-amz-security-token: [redacted]')
    const printed = await awsig(['credentials', '--profile', 'deploy', '--format', 'process'], { env })
    const parsed = JSON.parse(printed.out)
    expect(parsed).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) })
    expect(list.stderr).not.toContain(parsed.SessionToken)
    expect(list.stderr).not.toContain(parsed.SecretAccessKey)
  })

  it('an mfa_serial profile asks for the code on the terminal, and says so when there is none', async () => {
    if (moto === null) return skip('MFA')
    const env = profileEnv(
      moto,
      'mfa',
      '[profile mfa]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n',
    )
    // script gives the command a terminal; the code typed there answers the prompt.
    const command = `${process.execPath} ${BIN} whoami --profile mfa`
    const tty = await sh(`(sleep 1; echo 123456) | script -qec ${JSON.stringify(command)} /dev/null`, env)
    expect(tty.code, tty.out).toBe(0)
    expect(tty.out).toContain('MFA code for arn:aws:iam::123456789012:mfa/me: ')
    expect(tty.out).toContain('Credentials: assume-role (profile mfa)')
    expect(tty.out).toContain('Region:      eu-west-1 (profile mfa)')
    const none = await sh(`setsid ${command} < /dev/null`, env)
    expect(none.code).toBe(3)
    expect(none.stderr).toBe(
      'awsig: credentials: MFA code for arn:aws:iam::123456789012:mfa/me is needed, but there is no terminal to ask on: run awsig in a terminal, or export credentials first [ERR_CREDENTIALS_CONFIG]\n',
    )
  })

  it('--dry-run prints a curl command that works as printed', async () => {
    if (moto === null) return skip('--dry-run')
    const dry = await awsig([
      '--dry-run',
      '--service',
      'sqs',
      '-d',
      'Action=ListQueues&Version=2012-11-05',
      moto.endpoint,
    ])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.out).toMatch(/^curl -X POST /)
    const run = await sh(`${dry.out.trim()} -sS`)
    expect(run.code, run.stderr).toBe(0)
    expect(run.out).toContain('<ListQueuesResponse')

    const bucket = `${moto.endpoint}/cli-dry`
    expect((await awsig(['-f', '-X', 'PUT', '--service', 's3', bucket])).code).toBe(0)
    writeFileSync(join(dir, 'small.txt'), 'hello from curl\n')
    const upload = await awsig(['--dry-run', '-T', 'small.txt', '--service', 's3', `${bucket}/`])
    expect(upload.out).toContain('-T small.txt')
    const put = await sh(`${upload.out.trim()} -sS -f`)
    expect(put.code, put.stderr).toBe(0)
    const back = await awsig(['-f', '--service', 's3', `${bucket}/small.txt`])
    expect(back.out).toBe('hello from curl\n')
  })

  it('a wrong secret: SignatureDoesNotMatch, what was signed, exit 4', async () => {
    if (moto === null) return skip('wrong secret')
    const result = await awsig(['--service', 's3', `${moto.endpoint}/cli-bucket/piped`, '-o', join(dir, 'x')], {
      env: { AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
    })
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^awsig: SignatureDoesNotMatch: .*\(HTTP 403, request id \w+\)$/m)
    expect(result.stderr).toContain('* awsig signed this canonical request:')
    expect(result.stderr).not.toContain('not-the-secret')
  })

  it('-f: exit 22 and no body on HTTP >= 400; without -f the error body, one line, exit 0', async () => {
    if (moto === null) return skip('-f')
    const url = `${moto.endpoint}/cli-bucket/missing`
    const failed = await awsig(['-f', '--service', 's3', url])
    expect(failed.code).toBe(22)
    expect(failed.out).toBe('')
    expect(failed.stderr).toMatch(
      /^awsig: NoSuchKey: The specified key does not exist\. \(HTTP 404, request id \w+\)\n$/,
    )
    const plain = await awsig(['-i', '--service', 's3', url])
    expect(plain.code).toBe(0)
    // As received (moto says NOT FOUND), as curl shows it.
    expect(plain.out).toMatch(/^HTTP\/1\.1 404 NOT FOUND\r\nServer: /)
    expect(plain.out).toContain('<Code>NoSuchKey</Code>')
  })
})

describe('S3 SignatureDoesNotMatch with what AWS computed', () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    // S3 answers with its canonical request and string to sign: here one that differs by the path.
    server = createServer((request, response) => {
      const canonical = ['GET', '/other/key', '', `host:${request.headers.host}`, ''].join('\n')
      response.writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ123' })
      response.end(
        `<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><CanonicalRequest>${canonical}</CanonicalRequest><StringToSign>x</StringToSign><RequestId>REQ123</RequestId></Error>`,
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address() as { port: number }
    url = `http://127.0.0.1:${address.port}/bucket/key`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('prints the diff and exits 4', async () => {
    const result = await awsig(['--service', 's3', '--region', 'us-east-1', url], {
      env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' },
    })
    expect(result.code).toBe(4)
    expect(result.stderr).toContain(
      'awsig: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. (HTTP 403, request id REQ123)',
    )
    expect(result.stderr).toContain('(- ours, + AWS)')
    expect(result.stderr).toContain('  - /bucket/key')
    expect(result.stderr).toContain('  + /other/key')
  })
})

describe('bad input: one line naming the flag, exit 2, nothing sent', () => {
  let server: Server
  let hits = 0
  let url: string
  beforeAll(async () => {
    server = createServer((_request, response) => {
      hits++
      response.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it.each([
    [['--bogus', 'URL'], '--bogus: unknown option'],
    [['--service', 'sqs'], '<url>: missing'],
    [['URL'], '--service: 127.0.0.1'],
    [['--service', 'sqs', '-d', '@missing.txt', 'URL'], '-d/--data: cannot read missing.txt (ENOENT)'],
    [['--service', 's3', '-T', 'missing.bin', 'URL'], '-T/--upload-file: cannot read missing.bin (ENOENT)'],
    [['--service', 's3', '-T', 'x', '-d', 'y', 'URL'], '-T/--upload-file: cannot be combined with -d/--data'],
    [['--service', 'S3', 'URL'], '--service: "S3" is not a signing name'],
    [['--service', 's3', '-H', 'no-colon', 'URL'], '-H/--header: "no-colon" is not'],
    [['--service', 's3', '--region-set', 'us-east-1', 'URL'], '--region-set: only with --sigv4a'],
    [['presign', '--expires', '0', '--service', 's3', 'URL'], '--expires: "0" is not a number of seconds'],
    [['whoami', 'URL'], 'awsig whoami takes no URL'],
    [['credentials', '--format', 'yaml'], '--format: must be env, json or process'],
    [['--service', 's3', '-X'], '-X, --request <value>: needs a value'],
    [['ftp://example.com/'], '<url>: must be http or https'],
  ])('%j', async (args, message) => {
    const result = await awsig(args.map((a) => (a === 'URL' ? url : a)))
    expect(result.code).toBe(2)
    expect(result.out).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`awsig: ${message}`)
    expect(lines[0]).toMatch(/\(see awsig --help\)$/)
    expect(hits).toBe(0)
  })

  it('--help lists the exit codes; --version prints the version', async () => {
    const help = await awsig(['--help'])
    expect(help.code).toBe(0)
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '22 ']) expect(help.out).toContain(`\n  ${code}`)
    const version = await awsig(['--version'])
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(version.out).toBe(`awsig ${expected}\n`)
  })

  it('credentials prints env, json and process formats', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: "se'cret", AWS_SESSION_TOKEN: 'tok' }
    const asEnv = await awsig(['credentials'], { env })
    expect(asEnv.out).toBe(
      "export AWS_ACCESS_KEY_ID=AKIDEXAMPLE\nexport AWS_SECRET_ACCESS_KEY='se'\\''cret'\nexport AWS_SESSION_TOKEN=tok\n",
    )
    // The line evaluates back to the same values in a shell.
    const back = await sh(`eval "$(cat <<'EOF'\n${asEnv.out}EOF\n)"; printf %s "$AWS_SECRET_ACCESS_KEY"`)
    expect(back.out).toBe("se'cret")
    const asJson = await awsig(['credentials', '--format', 'json'], { env })
    expect(JSON.parse(asJson.out)).toEqual({
      AccessKeyId: 'AKIDEXAMPLE',
      SecretAccessKey: "se'cret",
      SessionToken: 'tok',
    })
    const asProcess = await awsig(['credentials', '--format', 'process'], { env })
    expect(JSON.parse(asProcess.out)).toEqual({
      Version: 1,
      AccessKeyId: 'AKIDEXAMPLE',
      SecretAccessKey: "se'cret",
      SessionToken: 'tok',
    })
    expect(hits).toBe(0)
  })

  it('an SSO profile without a token says which aws sso login to run', async () => {
    const config = join(dir, 'config-sso')
    writeFileSync(
      config,
      '[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
    )
    const result = await awsig(['--profile', 'dev', '--service', 's3', url], {
      env: { AWS_CONFIG_FILE: config, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    })
    expect(result.code).toBe(3)
    expect(result.stderr).toBe(
      'awsig: credentials: no cached SSO token for corp: run `aws sso login --profile dev` [ERR_CREDENTIALS_EXPIRED]\n',
    )
    expect(hits).toBe(0)
  })

  it('no credentials: exit 3 with the providers tried', async () => {
    const result = await awsig(['--service', 's3', url], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    })
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^awsig: credentials: no credentials: .*\[ERR_CREDENTIALS_CHAIN\]\n$/)
    expect(hits).toBe(0)
  })
})

describe('HTTP framing of responses (loopback server speaking raw HTTP/1.1)', () => {
  let server: NetServer
  let base: string
  const replies: Record<string, string> = {
    // chunked, with a chunk extension and a trailer, split over several writes
    '/chunked':
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: t\r\n\r\n',
    // no length: the body ends when the connection closes
    '/close': 'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end',
    // an interim 100 Continue before the real response
    '/continue': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone',
    // the connection drops 10 bytes short of content-length
    '/short': 'HTTP/1.1 200 OK\r\ncontent-length: 20\r\n\r\n0123456789',
  }
  beforeAll(async () => {
    server = createNetServer((socket) => {
      let request = ''
      socket.on('data', (data) => {
        request += data.toString('latin1')
        if (!request.includes('\r\n\r\n')) return
        const path = request.split(' ')[1] as string
        const reply = replies[path] ?? 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'
        // Byte by byte for the first 40 bytes: status line and headers arrive in pieces.
        for (let i = 0; i < Math.min(40, reply.length); i++) socket.write(reply[i] as string)
        socket.end(reply.slice(40))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const get = (path: string, extra: string[] = []) =>
    awsig(['--service', 's3', '--region', 'us-east-1', ...extra, `${base}${path}`], {
      env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' },
    })

  it('decodes chunked bodies, to stdout and to -o', async () => {
    expect((await get('/chunked')).out).toBe('hello, world')
    const file = join(dir, 'chunked.out')
    expect((await get('/chunked', ['-o', file])).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe('hello, world')
  })

  it('reads a body without a length to the end of the connection', async () => {
    expect((await get('/close')).out).toBe('until the end')
  })

  it('skips an interim 100 Continue', async () => {
    const result = await get('/continue', ['-i'])
    expect(result.out).toBe('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone')
  })

  it('a connection cut short of content-length is an error, exit 1', async () => {
    const result = await get('/short', ['-o', join(dir, 'short.out')])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('awsig: the connection closed 10 bytes before the end of the body\n')
  })
})

describe('presign', () => {
  it('prints a URL that curl can use (moto without signature checks)', async () => {
    if (open === null) return skip('presign')
    const env = {
      AWS_ACCESS_KEY_ID: open.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: open.credentials.secretAccessKey,
    }
    const bucket = `${open.endpoint}/cli-presign`
    expect((await awsig(['-f', '-X', 'PUT', '--service', 's3', bucket], { env })).code).toBe(0)
    writeFileSync(join(dir, 'presigned.txt'), 'uploaded with a presigned URL\n')
    const put = await awsig(['presign', '-X', 'PUT', '--expires', '300', '--service', 's3', `${bucket}/p.txt`], { env })
    expect(put.code, put.stderr).toBe(0)
    expect(put.out).toMatch(/X-Amz-Expires=300&/)
    const upload = await sh(`curl -sS -f -T presigned.txt '${put.out.trim()}'`)
    expect(upload.code, upload.stderr).toBe(0)
    const get = await awsig(['presign', '--service', 's3', `${bucket}/p.txt`], { env })
    const download = await sh(`curl -sS -f '${get.out.trim()}'`)
    expect(download.out).toBe('uploaded with a presigned URL\n')
    // --expires: the request itself is sent with a presigned URL (no Authorization header).
    const viaQuery = await awsig(['-v', '--expires', '60', '--service', 's3', `${bucket}/p.txt`], { env })
    expect(viaQuery.code, viaQuery.stderr).toBe(0)
    expect(viaQuery.out).toBe('uploaded with a presigned URL\n')
    expect(viaQuery.stderr).toContain('X-Amz-Signature=[redacted]')
    expect(viaQuery.stderr).not.toContain('> authorization:')
  })
})

describe('progress bar', () => {
  it('shows on a terminal for transfers over 1 MiB, never when piped or with -s', async () => {
    if (moto === null) return skip('progress')
    const bucket = `${moto.endpoint}/cli-progress`
    expect((await awsig(['-f', '-X', 'PUT', '--service', 's3', bucket])).code).toBe(0)
    const url = `${bucket}/big.bin`
    const upload = `${process.execPath} ${BIN} -f --service s3 -T ${big} ${url}`
    const up = await sh(`script -qec ${JSON.stringify(upload)} /dev/null`)
    expect(up.code, up.out).toBe(0)
    expect(up.out).toMatch(/upload 100% \[#+\] 64\.0 MiB \/ 64\.0 MiB/)
    const command = `${process.execPath} ${BIN} --service s3 -o ${join(dir, 'pty.out')} ${url}`
    const tty = await sh(`script -qec ${JSON.stringify(command)} /dev/null`)
    expect(tty.code, tty.stderr).toBe(0)
    expect(tty.out).toMatch(/download 100% \[#+\] 64\.0 MiB \/ 64\.0 MiB +[\d.]+ [KMG]iB\/s +ETA \d\d:\d\d/)
    const silent = await sh(`script -qec ${JSON.stringify(`${command} -s`)} /dev/null`)
    expect(silent.out).not.toContain('download')
    const piped = await awsig(['--service', 's3', '-o', join(dir, 'pipe.out'), url])
    expect(piped.code).toBe(0)
    expect(piped.stderr).toBe('')
    expect(sha256(readFileSync(join(dir, 'pipe.out')))).toBe(bigHash)
  }, 60_000)
})

describe('the packed tarball', () => {
  it('installs into an empty project; npx awsig --version and a call against moto work', async () => {
    const pack = mkdtempSync(join(tmpdir(), 'awsig-pack-'))
    try {
      const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', pack], {
        cwd: ROOT,
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .at(-1) as string
      const project = join(pack, 'project')
      execFileSync('mkdir', ['-p', project])
      writeFileSync(join(project, 'package.json'), '{"name":"fresh","version":"1.0.0","type":"module"}')
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(pack, name)], { cwd: project })
      const version = await sh(`cd ${project} && npx --offline awsig --version`)
      expect(version.code, version.stderr).toBe(0)
      expect(version.out).toMatch(/^awsig \d+\.\d+\.\d+/)
      if (moto === null) return skip('packed whoami')
      const who = await sh(`cd ${project} && npx --offline awsig whoami`)
      expect(who.code, who.stderr).toBe(0)
      expect(who.out).toContain(`Arn:         ${moto.userArn}`)
    } finally {
      rmSync(pack, { recursive: true, force: true })
    }
  }, 120_000)
})
