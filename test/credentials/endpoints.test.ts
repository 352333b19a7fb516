// The network providers against loopback doubles of their endpoints (IMDSv2, container, SSO portal
// and OIDC, STS): the documented flows, timeouts, retries, throttling and malformed answers.
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  cached,
  fromAssumeRole,
  fromContainer,
  fromInstanceMetadata,
  fromSso,
  fromSsoToken,
  fromWebIdentity,
} from '../../src/credentials/node.js'
import { CredentialsError } from '../../src/errors.js'
import { type ContainerServer, startContainerServer } from '../support/container-server.js'
import { type ImdsServer, startImdsServer } from '../support/imds-server.js'
import { type SsoServer, ssoCredentialsFor, startSsoServer } from '../support/sso-server.js'
import { type StsServer, startStsServer } from '../support/sts-server.js'

let imds: ImdsServer
let container: ContainerServer
let sso: SsoServer
let sts: StsServer
let dir: string

beforeAll(async () => {
  ;[imds, container, sso, sts] = await Promise.all([
    startImdsServer(),
    startContainerServer(),
    startSsoServer(),
    startStsServer(),
  ])
  dir = mkdtempSync(join(tmpdir(), 'awsig-credentials-endpoints-'))
})
afterAll(async () => {
  await Promise.all([imds, container, sso, sts].map((s) => s?.close()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CredentialsError)
  return error as CredentialsError
}

describe('fromInstanceMetadata (IMDSv2 double)', () => {
  beforeEach(() => {
    Object.assign(imds.behaviour, {
      allowV1: false,
      throttle: 0,
      unavailable: 0,
      credentialsBody: undefined,
      delay: 0,
      tokenStatus: undefined,
    })
    imds.requests.length = 0
  })
  const provider = (extra: Parameters<typeof fromInstanceMetadata>[0] = {}) =>
    fromInstanceMetadata({ env: {}, endpoint: imds.url, ...extra })

  it('gets a token with a TTL, reuses it, and sends it on every GET', async () => {
    const p = provider({ tokenTtl: 900 })
    const c = await p()
    expect(c.accessKeyId).toBe(imds.credentials.AccessKeyId)
    expect(c.secretAccessKey).toBe(imds.credentials.SecretAccessKey)
    expect(c.sessionToken).toBe(imds.credentials.Token)
    expect(c.expiration?.toISOString().replace('.000', '')).toBe(imds.credentials.Expiration)
    await p()
    const puts = imds.requests.filter((r) => r.method === 'PUT')
    expect(puts).toHaveLength(1)
    expect(puts[0]?.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('900')
    const gets = imds.requests.filter((r) => r.method === 'GET')
    expect(gets).toHaveLength(4)
    expect(gets.every((r) => typeof r.headers['x-aws-ec2-metadata-token'] === 'string')).toBe(true)
    expect(inspect(c)).not.toContain(imds.credentials.SecretAccessKey)
  })

  it('fetches a new token once the old one is past its TTL (by the injected clock)', async () => {
    let now = Date.now()
    const p = provider({ tokenTtl: 120, now: () => now })
    await p()
    await p()
    expect(imds.tokenRequests()).toBeGreaterThan(0)
    const before = imds.requests.filter((r) => r.method === 'PUT').length
    now += 61_000 // TTL 120 s less the 60 s margin
    await p()
    expect(imds.requests.filter((r) => r.method === 'PUT').length).toBe(before + 1)
  })

  it('a 401 for an expired token gets a new token and succeeds', async () => {
    const p = provider()
    await p()
    imds.expireTokens()
    const c = await p()
    expect(c.accessKeyId).toBe(imds.credentials.AccessKeyId)
    expect(imds.requests.filter((r) => r.method === 'PUT')).toHaveLength(2)
    expect(imds.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toHaveLength(5) // 2 + one 401 + 2
  })

  it('throttling (429) and 503 are retried up to maxAttempts', async () => {
    imds.behaviour.throttle = 2
    expect((await provider({ maxAttempts: 3 })()).accessKeyId).toBe(imds.credentials.AccessKeyId)
    imds.behaviour.unavailable = 1
    expect((await provider({ maxAttempts: 2 })()).accessKeyId).toBe(imds.credentials.AccessKeyId)
    imds.behaviour.throttle = 5
    const error = await failure(provider({ maxAttempts: 2 })())
    expect([error.code, error.status, error.provider]).toEqual(['ERR_CREDENTIALS_REQUEST', 429, 'imds'])
  })

  it('times out (with AWS_METADATA_SERVICE_TIMEOUT read in seconds)', async () => {
    imds.behaviour.delay = 400
    const started = Date.now()
    const error = await failure(provider({ timeout: 100, v1Fallback: false })())
    expect(error.code).toBe('ERR_CREDENTIALS_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(380)
  })

  it('falls back to IMDSv1 when the token PUT is refused, unless v1 is disabled', async () => {
    imds.behaviour.allowV1 = true
    imds.behaviour.tokenStatus = 403
    expect((await provider()()).accessKeyId).toBe(imds.credentials.AccessKeyId)
    expect(
      imds.requests.filter((r) => r.method === 'GET').every((r) => r.headers['x-aws-ec2-metadata-token'] === undefined),
    ).toBe(true)
    const error = await failure(provider({ env: { AWS_EC2_METADATA_V1_DISABLED: 'true' } })())
    expect([error.code, error.status]).toEqual(['ERR_CREDENTIALS_REQUEST', 403])
  })

  it('malformed answers: invalid JSON, missing fields, an error code', async () => {
    imds.behaviour.credentialsBody = '{"Code":"Success","AccessKeyId":'
    expect((await failure(provider()())).code).toBe('ERR_CREDENTIALS_PARSE')
    imds.behaviour.credentialsBody = JSON.stringify({
      Code: 'Success',
      AccessKeyId: 'ASIA',
      Token: 't',
      Expiration: '2030-01-01T00:00:00Z',
    })
    const missing = await failure(provider()())
    expect(missing.code).toBe('ERR_CREDENTIALS_PARSE')
    imds.behaviour.credentialsBody = JSON.stringify({ Code: 'AssumeRoleUnauthorizedAccess', Message: 'no' })
    expect((await failure(provider()())).code).toBe('ERR_CREDENTIALS_REQUEST')
  })

  it('expired credentials from IMDS are stretched a few minutes (static stability)', async () => {
    imds.behaviour.credentialsBody = JSON.stringify({
      ...imds.credentials,
      Code: 'Success',
      Expiration: '2020-01-01T00:00:00Z',
    })
    const c = await provider()()
    const left = (c.expiration?.getTime() ?? 0) - Date.now()
    expect(left).toBeGreaterThan(4 * 60_000)
    expect(left).toBeLessThan(11 * 60_000)
  })

  it('AWS_EC2_METADATA_DISABLED, bad endpoint mode, IPv6 mode URL', async () => {
    expect((await failure(fromInstanceMetadata({ env: { AWS_EC2_METADATA_DISABLED: 'TRUE' } })())).code).toBe(
      'ERR_CREDENTIALS_NOT_FOUND',
    )
    expect(
      (await failure(fromInstanceMetadata({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv5' } })())).code,
    ).toBe('ERR_CREDENTIALS_CONFIG')
    const urls: string[] = []
    const fetch = async (url: string) => {
      urls.push(url)
      throw new TypeError('unreachable')
    }
    await failure(fromInstanceMetadata({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }, fetch })())
    expect(urls[0]).toBe('http://[fd00:ec2::254]/latest/api/token')
  })
})

describe('fromContainer (ECS / EKS double)', () => {
  beforeEach(() => {
    Object.assign(container.behaviour, { authorization: undefined, failures: 0, body: undefined, delay: 0 })
    container.requests.length = 0
  })

  it('full URI with AWS_CONTAINER_AUTHORIZATION_TOKEN, or _TOKEN_FILE (re-read each time)', async () => {
    container.behaviour.authorization = 'Bearer abc'
    const env = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'Bearer abc',
    }
    const c = await fromContainer({ env })()
    expect([c.accessKeyId, c.sessionToken, c.accountId, c.source]).toEqual([
      container.credentials.AccessKeyId,
      container.credentials.Token,
      '123456789012',
      'container',
    ])
    expect(container.requests[0]?.path).toBe('/v1/credentials')
    const tokenFile = join(dir, 'eks-token')
    writeFileSync(tokenFile, 'eks-token-1')
    container.behaviour.authorization = 'eks-token-1'
    const p = fromContainer({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'ignored',
      },
    })
    await p()
    writeFileSync(tokenFile, 'eks-token-2')
    container.behaviour.authorization = 'eks-token-2'
    await p()
    const wrong = await failure(fromContainer({ env, maxAttempts: 3 })())
    expect([wrong.code, wrong.status]).toEqual(['ERR_CREDENTIALS_REQUEST', 401])
    expect(container.requests.at(-1)?.headers.authorization).toBe('Bearer abc')
    expect(container.requests.filter((r) => r.headers.authorization === 'Bearer abc')).toHaveLength(2) // 401 is not retried
  })

  it('relative URI goes to 169.254.170.2', async () => {
    const urls: string[] = []
    const fetch = async (url: string) => {
      urls.push(url)
      return new Response(JSON.stringify(container.credentials))
    }
    await fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/abc' }, fetch })()
    expect(urls).toEqual(['http://169.254.170.2/v2/credentials/abc'])
  })

  it.each([
    ['https://creds.example.com/x', true],
    ['http://localhost:1/x', true],
    ['http://127.1.2.3:1/x', true],
    ['http://[::1]:1/x', true],
    ['http://169.254.170.23/v1/credentials', true],
    ['http://[fd00:ec2::23]/v1/credentials', true],
    ['http://example.com/x', false],
    ['http://169.254.169.254/x', false],
    ['http://128.0.0.1/x', false],
    ['ftp://127.0.0.1/x', false],
    ['not a url', false],
  ])('allowed-host rules: %s -> %s', async (url, allowed) => {
    const fetch = async () => new Response(JSON.stringify(container.credentials))
    const run = fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: url }, fetch })()
    if (allowed) expect((await run).accessKeyId).toBe(container.credentials.AccessKeyId)
    else expect((await failure(run)).code).toBe('ERR_CREDENTIALS_CONFIG')
  })

  it('retries 5xx, times out, refuses malformed answers and tokens with line breaks', async () => {
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url }
    container.behaviour.failures = 2
    expect((await fromContainer({ env })()).accessKeyId).toBe(container.credentials.AccessKeyId)
    expect(container.requests).toHaveLength(3)
    container.behaviour.failures = 5
    expect((await failure(fromContainer({ env, maxAttempts: 2 })())).status).toBe(500)
    container.behaviour.failures = 0
    container.behaviour.delay = 300
    expect((await failure(fromContainer({ env, timeout: 50, maxAttempts: 1 })())).code).toBe('ERR_CREDENTIALS_TIMEOUT')
    container.behaviour.delay = 0
    container.behaviour.body = '<html>oops</html>'
    expect((await failure(fromContainer({ env })())).code).toBe('ERR_CREDENTIALS_PARSE')
    container.behaviour.body = JSON.stringify({
      AccessKeyId: 'A',
      SecretAccessKey: 'B',
      Expiration: '2030-01-01T00:00:00Z',
    })
    expect((await failure(fromContainer({ env })())).code).toBe('ERR_CREDENTIALS_PARSE')
    const bad = await failure(
      fromContainer({ env: { ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'a\r\nx-injected: 1' } })(),
    )
    expect(bad.code).toBe('ERR_CREDENTIALS_CONFIG')
    expect((await failure(fromContainer({ env: {} })())).code).toBe('ERR_CREDENTIALS_NOT_FOUND')
  })
})

describe('SSO (portal and OIDC doubles, token cache files)', () => {
  const cacheDir = () => join(dir, 'sso-cache')
  const cacheFile = (key: string) => join(cacheDir(), `${createHash('sha1').update(key).digest('hex')}.json`)
  const iso = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')
  let config: string
  beforeAll(() => {
    mkdirSync(cacheDir(), { recursive: true })
    config = join(dir, 'sso-config')
    writeFileSync(
      config,
      '[profile legacy]\nsso_start_url = https://l.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n' +
        '[profile modern]\nsso_session = s\nsso_account_id = 111122223333\nsso_role_name = Admin\n' +
        '[sso-session s]\nsso_start_url = https://s.awsapps.com/start\nsso_region = eu-west-1\n' +
        '[profile plain]\nregion = us-east-1\n',
    )
  })
  const options = (profile: string) => ({
    profile,
    ssoCacheDir: cacheDir(),
    env: {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      HOME: dir,
      AWS_ENDPOINT_URL_SSO: sso.url,
      AWS_ENDPOINT_URL_SSO_OIDC: sso.url,
    },
  })

  it('legacy profile: GetRoleCredentials with the cached token', async () => {
    sso.validTokens.add('legacy-access')
    writeFileSync(
      cacheFile('https://l.awsapps.com/start'),
      JSON.stringify({ accessToken: 'legacy-access', expiresAt: iso(60) }),
    )
    const c = await fromSso(options('legacy'))()
    expect(c.accessKeyId).toBe(ssoCredentialsFor('111122223333', 'Dev', 'legacy-access').accessKeyId)
    expect(c.accountId).toBe('111122223333')
    expect(c.expiration?.getTime()).toBeGreaterThan(Date.now())
    const request = sso.requests.at(-1)
    expect(request?.headers['x-amz-sso_bearer_token']).toBe('legacy-access')
    expect(request?.path).toBe('/federation/credentials?account_id=111122223333&role_name=Dev')
  })

  it('a token the portal refuses is reported as an expired session', async () => {
    writeFileSync(
      cacheFile('https://l.awsapps.com/start'),
      JSON.stringify({ accessToken: 'revoked', expiresAt: iso(60) }),
    )
    const error = await failure(fromSso(options('legacy'))())
    expect([error.code, error.status, error.awsCode, error.profile]).toEqual([
      'ERR_CREDENTIALS_EXPIRED',
      401,
      'UnauthorizedException',
      'legacy',
    ])
    expect(error.message).not.toContain('revoked')
  })

  it('sso-session: refreshes a token that expires within 15 minutes and writes the cache back', async () => {
    sso.refreshTokens.set('refresh-1', 'fresh-access')
    writeFileSync(
      cacheFile('s'),
      JSON.stringify({
        accessToken: 'stale',
        expiresAt: iso(5),
        refreshToken: 'refresh-1',
        clientId: 'cid',
        clientSecret: 'csecret',
        registrationExpiresAt: iso(60 * 24),
      }),
    )
    const c = await fromSso(options('modern'))()
    expect(c.accessKeyId).toBe(ssoCredentialsFor('111122223333', 'Admin', 'fresh-access').accessKeyId)
    const saved = JSON.parse(readFileSync(cacheFile('s'), 'utf8')) as Record<string, string>
    expect(saved.accessToken).toBe('fresh-access')
    expect(saved.refreshToken).toBe('refresh-1-next')
    expect(saved.clientSecret).toBe('csecret')
    expect(Date.parse(saved.expiresAt as string)).toBeGreaterThan(Date.now() + 50 * 60_000)
  })

  it('sso-session: a failed refresh keeps a still-valid token; an expired one that cannot be refreshed fails', async () => {
    sso.validTokens.add('still-ok')
    const base = { refreshToken: 'unknown', clientId: 'cid', clientSecret: 'cs', registrationExpiresAt: iso(600) }
    writeFileSync(cacheFile('s'), JSON.stringify({ ...base, accessToken: 'still-ok', expiresAt: iso(5) }))
    expect((await fromSso(options('modern'))()).accessKeyId).toBe(
      ssoCredentialsFor('111122223333', 'Admin', 'still-ok').accessKeyId,
    )
    writeFileSync(cacheFile('s'), JSON.stringify({ ...base, accessToken: 'gone', expiresAt: iso(-1) }))
    expect((await failure(fromSso(options('modern'))())).code).toBe('ERR_CREDENTIALS_EXPIRED')
    writeFileSync(cacheFile('s'), '{broken')
    const broken = await failure(fromSso(options('modern'))())
    expect([broken.code, broken.file]).toEqual(['ERR_CREDENTIALS_PARSE', cacheFile('s')])
  })

  it('a profile without SSO settings finds nothing; fromSsoToken works from a token alone', async () => {
    expect((await failure(fromSso(options('plain'))())).code).toBe('ERR_CREDENTIALS_NOT_FOUND')
    sso.validTokens.add('direct')
    const c = await fromSsoToken({
      accountId: '1',
      roleName: 'R',
      region: 'us-east-1',
      accessToken: async () => 'direct',
      endpoint: sso.url,
      env: {},
    })()
    expect(c.accessKeyId).toBe(ssoCredentialsFor('1', 'R', 'direct').accessKeyId)
  })
})

describe('STS (deterministic double): parameters, errors, retries', () => {
  const source = { accessKeyId: 'AKIASOURCE', secretAccessKey: 'source-secret' }
  const target = () => ({ endpoint: sts.url, region: 'eu-west-1', env: {} })

  it('AssumeRole sends every option and is signed with the source key', async () => {
    const c = await fromAssumeRole({
      ...target(),
      roleArn: 'arn:aws:iam::123456789012:role/r',
      sourceCredentials: source,
      roleSessionName: 'me',
      externalId: 'ext',
      durationSeconds: 900,
      policy: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      mfaSerial: 'arn:aws:iam::123456789012:mfa/me',
      mfaCode: (serial) => (serial.endsWith('/me') ? '654321' : 'wrong'),
    })()
    expect(c.accessKeyId).toMatch(/^ASIASTS/)
    expect(c.accountId).toBe('123456789012')
    const call = sts.calls.at(-1)
    expect(call?.caller).toBe('AKIASOURCE')
    expect(call?.params).toEqual({
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      RoleSessionName: 'me',
      ExternalId: 'ext',
      SerialNumber: 'arn:aws:iam::123456789012:mfa/me',
      TokenCode: '654321',
      DurationSeconds: '900',
      Policy: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    })
    expect(sts.requests.at(-1)?.headers.authorization).toContain('/eu-west-1/sts/aws4_request')
  })

  it('cached(fromAssumeRole): concurrent callers share one STS call', async () => {
    const before = sts.calls.length
    const provider = cached(
      fromAssumeRole({ ...target(), roleArn: 'arn:aws:iam::123456789012:role/shared', sourceCredentials: source }),
    )
    const all = await Promise.all(Array.from({ length: 1000 }, () => provider()))
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1)
    expect(sts.calls.length - before).toBe(1)
  })

  it('web identity is unsigned; STS errors carry code and request id, never the token', async () => {
    const c = await fromWebIdentity({
      ...target(),
      roleArn: 'arn:aws:iam::123456789012:role/w',
      webIdentityToken: 'oidc-token-value',
      roleSessionName: 'ci',
    })()
    expect(c.source).toBe('web-identity')
    expect(sts.calls.at(-1)?.caller).toBeUndefined()
    expect(sts.calls.at(-1)?.params.WebIdentityToken).toBe('oidc-token-value')
    const error = await failure(fromWebIdentity({ ...target(), roleArn: '', webIdentityToken: 'oidc-token-value' })())
    expect([error.code, error.status, error.awsCode, error.requestId]).toEqual([
      'ERR_CREDENTIALS_REQUEST',
      400,
      'ValidationError',
      `req-${sts.calls.length}`,
    ])
    expect(inspect(error)).not.toContain('oidc-token-value')
    expect((await failure(fromWebIdentity({ env: {} })())).code).toBe('ERR_CREDENTIALS_NOT_FOUND')
  })

  it('retries 5xx and network errors, fails on malformed XML, times out', async () => {
    let n = 0
    const flaky = async (url: string, init: RequestInit) => {
      n++
      if (n === 1) throw new TypeError('fetch failed')
      if (n === 2)
        return new Response('<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>', {
          status: 500,
        })
      return fetch(url, init)
    }
    const ok = await fromAssumeRole({
      ...target(),
      roleArn: 'arn:aws:iam::1:role/x',
      sourceCredentials: source,
      fetch: flaky,
    })()
    expect(ok.accessKeyId).toMatch(/^ASIASTS/)
    expect(n).toBe(3)
    const garbage = async () => new Response('<AssumeRoleResponse><AssumeRoleResult>', { status: 200 })
    expect(
      (
        await failure(
          fromAssumeRole({
            ...target(),
            roleArn: 'arn:aws:iam::1:role/x',
            sourceCredentials: source,
            fetch: garbage,
          })(),
        )
      ).code,
    ).toBe('ERR_CREDENTIALS_PARSE')
    const noKey = async () =>
      new Response('<AssumeRoleResponse><AssumeRoleResult><Credentials/></AssumeRoleResult></AssumeRoleResponse>')
    expect(
      (
        await failure(
          fromAssumeRole({ ...target(), roleArn: 'arn:aws:iam::1:role/x', sourceCredentials: source, fetch: noKey })(),
        )
      ).code,
    ).toBe('ERR_CREDENTIALS_PARSE')
    const hang = (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )
    const slow = await failure(
      fromAssumeRole({
        ...target(),
        roleArn: 'arn:aws:iam::1:role/x',
        sourceCredentials: source,
        fetch: hang,
        timeout: 50,
        maxAttempts: 2,
      })(),
    )
    expect(slow.code).toBe('ERR_CREDENTIALS_TIMEOUT')
  })
})
