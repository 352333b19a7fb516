// Every recipe in examples/ runs, as a user would run it (`node examples/<name>.mjs`, importing the
// built package), against moto_server with signature enforcement; the presigned-URL recipe against a
// moto without enforcement, since moto does not check presigned URLs (and answers them with a 500
// when enforcement is on). Each recipe checks its own results and exits non-zero on a surprise.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { createClient } from '../src/client/index.js'
import { awsQuery, xmlText } from '../src/protocols/index.js'
import { type Moto, startMoto, stopAllMoto } from './support/moto.js'

const root = fileURLToPath(new URL('..', import.meta.url))
let enforcing: Moto | null = null
let open: Moto | null = null
let roleArn: string | undefined

beforeAll(async () => {
  for (const entry of ['dist/client/index.js', 'dist/credentials/index.js']) {
    if (!existsSync(`${root}/${entry}`))
      throw new Error(`${entry} is missing: the recipes import the built package (npm run build)`)
  }
  ;[enforcing, open] = await Promise.all([startMoto(), startMoto({ enforce: false })])
  if (enforcing !== null) {
    // A role the user may assume, for the STS recipe's AssumeRole.
    const iam = createClient({ credentials: enforcing.credentials, region: enforcing.region, service: 'iam' })
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: enforcing.userArn }, Action: 'sts:AssumeRole' }],
    }
    const created = await iam.fetch(
      enforcing.endpoint,
      awsQuery('CreateRole', '2010-05-08', {
        RoleName: 'awsig-examples',
        AssumeRolePolicyDocument: JSON.stringify(trust),
      }),
    )
    roleArn = xmlText(await created.text(), 'Arn')
  }
}, 60_000)

afterAll(async () => {
  await stopAllMoto()
})

function run(
  moto: Moto,
  recipe: string,
  env: Record<string, string> = {},
  command: string[] = [process.execPath],
): Promise<string> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: moto.region,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    ...env,
  }
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_ROLE_ARN']) {
    if (!(name in env)) delete childEnv[name]
  }
  return new Promise((resolve, reject) => {
    execFile(
      command[0] as string,
      [...command.slice(1), `examples/${recipe}.mjs`],
      { cwd: root, env: childEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`examples/${recipe}.mjs failed (${error.message}):\n${stdout}\n${stderr}`))
        else resolve(stdout)
      },
    )
  })
}

function server(ctx: TestContext, which: 'enforcing' | 'open'): Moto {
  const moto = which === 'enforcing' ? enforcing : open
  if (moto === null) ctx.skip('moto_server is not installed')
  return moto as Moto
}

// Each recipe with a line its output must contain.
const recipes: Array<[string, RegExp]> = [
  ['s3', /listed 4 keys in pages of 2: a b\/c~d\/e\?f#g\.txt, notes\/hello world\.txt/],
  ['s3-multipart', /stored: 41955385 bytes, ETag "[0-9a-f]+-6" \(6 parts\)/],
  ['s3-download', /streamed 16777216 bytes .* sha256 matches/],
  ['dynamodb', /conditional put refused: ConditionalCheckFailedException/],
  ['sqs', /received and deleted 4: /],
  ['sns', /published message [0-9a-f-]{36}/],
  ['iam', /GetUser after deletion: NoSuchEntity \(HTTP 404\)/],
  ['kms', /decrypted: "the launch code is 0000 ✓"/],
  ['secrets-manager', /new version [0-9a-f]{8}…: password rotated/],
  ['ecs', /DescribeClusters: ACTIVE, tags created-by=awsig/],
]

describe.concurrent('recipes against moto_server with signature enforcement', () => {
  it.for(recipes)('%s', async ([recipe, expected], ctx) => {
    const output = await run(server(ctx, 'enforcing'), recipe)
    expect(output).toMatch(expected)
  })

  it('sts (with AssumeRole)', async (ctx) => {
    const moto = server(ctx, 'enforcing')
    const output = await run(moto, 'sts', { AWS_ROLE_ARN: roleArn as string })
    expect(output).toContain(`GetCallerIdentity: ${moto.userArn}`)
    expect(output).toMatch(
      /AssumeRole, then GetCallerIdentity: arn:aws:sts::\d+:assumed-role\/awsig-examples\/awsig-example/,
    )
  })
})

// The same code in the other server runtimes the package supports (their binaries are dev dependencies).
const runtimes: Array<[string, string[]]> = [
  ['bun', [`${root}/node_modules/@oven/bun-linux-x64/bin/bun`]],
  ['deno', [`${root}/node_modules/deno/deno`, 'run', '--allow-all']],
]

describe.concurrent('a recipe in Bun and Deno', () => {
  it.for(runtimes)('%s: dynamodb', async ([name, command], ctx) => {
    if (!existsSync(command[0] as string)) {
      if (process.env.CI === 'true') throw new Error(`${name} is missing: npm ci installs it`)
      console.warn(`\n!!! ${name} is not installed: skipping its recipe run (npm ci installs it) !!!\n`)
      ctx.skip(`${name} is not installed`)
    }
    const output = await run(server(ctx, 'enforcing'), 'dynamodb', {}, command)
    expect(output).toMatch(/conditional put refused: ConditionalCheckFailedException/)
  })
})

describe('presigned URLs against moto_server without enforcement', () => {
  it('s3-presigned', async (ctx) => {
    const output = await run(server(ctx, 'open'), 's3-presigned')
    expect(output).toMatch(/downloaded 65536 bytes through the presigned GET URL: same bytes/)
    expect(output).toMatch(/content-type as uploaded: image\/jpeg/)
  })
})

// The README's first command: `npm run demo` (here without its build step, which npm test has done).
describe('the demo', () => {
  it('runs its tour against its own moto_server and reports every call as expected', async (ctx) => {
    if (enforcing === null) ctx.skip('moto_server is not installed')
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['examples/demo.mjs'], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`examples/demo.mjs failed (${error.message}):\n${stdout}\n${stderr}`))
        else resolve(stdout)
      })
    })
    expect(output).toContain('Every signature checked out (and the wrong one was refused).')
    for (const row of [
      'GetCallerIdentity',
      'PutObject (aws-chunked, streamed)',
      'AwsError NoSuchKey',
      'recipe examples/kms.mjs',
    ]) {
      expect(output).toContain(row)
    }
  }, 120_000)
})
