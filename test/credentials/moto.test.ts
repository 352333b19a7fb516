// STS over real HTTP against moto_server: AssumeRole and role chains signed by awsig with signature
// enforcement on, then the temporary credentials (session token included) used for signed calls;
// AssumeRoleWithWebIdentity (unsigned) against a second moto without enforcement.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { fromAssumeRole, fromIni, fromWebIdentity } from '../../src/credentials/node.js'
import { CredentialsError } from '../../src/errors.js'
import { formBody } from '../../src/lib/uri.js'
import { sign } from '../../src/sign/sign.js'
import type { Credentials } from '../../src/sign/types.js'
import { type Moto, startMoto, stopAllMoto } from '../support/moto.js'

let moto: Moto | null = null
let open: Moto | null = null
let dir: string
const roles: Record<string, string> = {}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

async function call(
  m: Moto,
  service: string,
  params: Record<string, string>,
  credentials: Credentials,
): Promise<string> {
  const body = formBody(params)
  const signed = await sign({
    method: 'POST',
    url: `${m.endpoint}/`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    service,
    region: m.region,
    credentials,
  })
  const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body })
  const text = await response.text()
  if (!response.ok) throw new Error(`${service} ${params.Action}: HTTP ${response.status} ${text}`)
  return text
}

const callerArn = async (m: Moto, credentials: Credentials) =>
  tag(await call(m, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, credentials), 'Arn')

beforeAll(async () => {
  ;[moto, open] = await Promise.all([startMoto({ enforce: true }), startMoto({ enforce: false })])
  dir = mkdtempSync(join(tmpdir(), 'awsig-credentials-moto-'))
  if (moto === null) return
  const m = moto
  const allowAll = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  })
  for (const name of ['awsig-a', 'awsig-b']) {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          // The IAM user for awsig-a; awsig-a's sessions for awsig-b (the chain).
          Principal: {
            AWS:
              name === 'awsig-a'
                ? m.userArn
                : ['arn:aws:iam::123456789012:role/awsig-a', 'arn:aws:sts::123456789012:assumed-role/awsig-a/first'],
          },
          Action: 'sts:AssumeRole',
        },
      ],
    })
    const iam = { Version: '2010-05-08', RoleName: name }
    roles[name] = tag(
      await call(m, 'iam', { ...iam, Action: 'CreateRole', AssumeRolePolicyDocument: trust }, m.credentials),
      'Arn',
    ) as string
    await call(
      m,
      'iam',
      { ...iam, Action: 'PutRolePolicy', PolicyName: 'all', PolicyDocument: allowAll },
      m.credentials,
    )
  }
})

afterAll(async () => {
  await stopAllMoto()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function enforcing(ctx: TestContext): Moto {
  if (moto === null) ctx.skip('moto_server is not installed')
  return moto as Moto
}

describe('STS against moto_server with signature enforcement', () => {
  it('fromAssumeRole: signed by awsig, and the session credentials sign further calls', async (ctx) => {
    const m = enforcing(ctx)
    const provider = fromAssumeRole({
      roleArn: roles['awsig-a'] as string,
      roleSessionName: 'direct',
      durationSeconds: 900,
      sourceCredentials: async () => m.credentials,
      endpoint: m.endpoint,
      region: m.region,
      env: {},
    })
    const credentials = await provider()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(credentials.sessionToken).toBeTruthy()
    expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now())
    expect(credentials.source).toBe('assume-role')
    expect(credentials.accountId).toBe('123456789012')
    expect(await callerArn(m, credentials)).toMatch(/:assumed-role\/awsig-a\/direct$/)
    // The session token is part of the signature: without it the same keys are refused.
    const { accessKeyId, secretAccessKey } = credentials
    await expect(callerArn(m, { accessKeyId, secretAccessKey })).rejects.toThrow(/HTTP 403/)
    expect(inspect(credentials)).not.toContain(credentials.secretAccessKey)
  })

  it('fromIni: a role chain (b <- a <- static user) with endpoint_url from the profile', async (ctx) => {
    const m = enforcing(ctx)
    const config = join(dir, 'config')
    const credentialsFile = join(dir, 'credentials')
    writeFileSync(
      config,
      `[profile b]\nrole_arn = ${roles['awsig-b']}\nsource_profile = a\nrole_session_name = chained\nendpoint_url = ${m.endpoint}\nregion = ${m.region}\n` +
        `[profile a]\nrole_arn = ${roles['awsig-a']}\nsource_profile = user\nrole_session_name = first\n`,
    )
    writeFileSync(
      credentialsFile,
      `[user]\naws_access_key_id = ${m.credentials.accessKeyId}\naws_secret_access_key = ${m.credentials.secretAccessKey}\n`,
    )
    const credentials = await fromIni({
      profile: 'b',
      env: { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, HOME: dir },
    })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(await callerArn(m, credentials)).toMatch(/:assumed-role\/awsig-b\/chained$/)
  })

  it('a wrong source secret is refused by STS: typed error, no secret in it', async (ctx) => {
    const m = enforcing(ctx)
    const secret = 'wrongSecretValue/ShouldNotLeak0000000000'
    const error = await fromAssumeRole({
      roleArn: roles['awsig-a'] as string,
      sourceCredentials: { accessKeyId: m.credentials.accessKeyId, secretAccessKey: secret },
      endpoint: m.endpoint,
      region: m.region,
      maxAttempts: 1,
      env: {},
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CredentialsError)
    expect((error as CredentialsError).code).toBe('ERR_CREDENTIALS_REQUEST')
    expect((error as CredentialsError).status).toBe(403)
    expect((error as CredentialsError).awsCode).toBe('SignatureDoesNotMatch')
    expect(`${(error as Error).message} ${inspect(error)}`).not.toContain(secret)
  })
})

describe('AssumeRoleWithWebIdentity against moto_server without enforcement', () => {
  it('fromWebIdentity with a token file and AWS_ROLE_ARN', async (ctx) => {
    if (open === null) ctx.skip('moto_server is not installed')
    const m = open as Moto
    const tokenFile = join(dir, 'web-token')
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhd3NpZyJ9.c2lnbmF0dXJl')
    const credentials = await fromWebIdentity({
      env: {
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/web',
        AWS_ROLE_SESSION_NAME: 'pod',
        AWS_ENDPOINT_URL_STS: m.endpoint,
        AWS_REGION: m.region,
      },
    })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(credentials.sessionToken).toBeTruthy()
    expect(credentials.source).toBe('web-identity')
  })
})
