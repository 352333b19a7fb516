// Differential tests: awsig's defaultChain and resolveRegion against botocore's credential resolver
// (the AWS CLI's), on scenarios built as temporary files and environment variables. Both must
// resolve the same access key, session token and region, or both must fail.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultChain, resolveRegion } from '../../src/credentials/node.js'
import { CredentialsError } from '../../src/errors.js'
import { type ContainerServer, startContainerServer } from '../support/container-server.js'
import { type ImdsServer, startImdsServer } from '../support/imds-server.js'
import { type SsoServer, startSsoServer } from '../support/sso-server.js'
import { type StsServer, startStsServer } from '../support/sts-server.js'

const SCRIPT = fileURLToPath(new URL('../support/botocore-credentials.py', import.meta.url))

interface Servers {
  sts: StsServer
  sso: SsoServer
  imds: ImdsServer
  container: ContainerServer
}

interface Scenario {
  name: string
  /** Shared config file (AWS_CONFIG_FILE). */
  config?: string
  /** Shared credentials file (AWS_SHARED_CREDENTIALS_FILE). */
  credentials?: string
  /** Other files, by name relative to the scenario directory; `{dir}` is replaced everywhere. */
  files?: Record<string, string>
  env?: Record<string, string>
  mfaCode?: string
  /** Turn IMDS on (pointed at the loopback double). */
  imds?: boolean
  /** SSO tokens to put in the cache: key is the session name or start URL. */
  ssoTokens?: Record<string, { accessToken: string; expiresInMinutes: number; format?: (iso: string) => string }>
  /** What should happen (guards against "both fail" for the wrong reason). */
  expect: 'ok' | CredentialsError['code']
}

const ts = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')
const process1 = (body: object) => `#!/bin/sh\necho '${JSON.stringify(body)}'\n`

const SCENARIOS: Scenario[] = [
  // --- environment ---
  {
    name: 'env: static keys',
    env: { AWS_ACCESS_KEY_ID: 'AKIAENV1', AWS_SECRET_ACCESS_KEY: 'env-secret-1' },
    expect: 'ok',
  },
  {
    name: 'env: session token and region',
    env: {
      AWS_ACCESS_KEY_ID: 'ASIAENV2',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 'tok-2',
      AWS_DEFAULT_REGION: 'eu-west-3',
    },
    expect: 'ok',
  },
  {
    name: 'env: AWS_SECURITY_TOKEN wins over AWS_SESSION_TOKEN',
    env: {
      AWS_ACCESS_KEY_ID: 'ASIAENV3',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 'session',
      AWS_SECURITY_TOKEN: 'security',
    },
    expect: 'ok',
  },
  {
    name: 'env: access key without secret',
    env: { AWS_ACCESS_KEY_ID: 'AKIAPARTIAL' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'env: expired AWS_CREDENTIAL_EXPIRATION',
    env: {
      AWS_ACCESS_KEY_ID: 'ASIAOLD',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
      AWS_CREDENTIAL_EXPIRATION: '2020-01-01T00:00:00Z',
    },
    expect: 'ERR_CREDENTIALS_EXPIRED',
  },
  {
    name: 'env: future AWS_CREDENTIAL_EXPIRATION',
    env: {
      AWS_ACCESS_KEY_ID: 'ASIANEW',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
      AWS_CREDENTIAL_EXPIRATION: ts(120),
    },
    expect: 'ok',
  },
  {
    name: 'precedence: env keys win over the default profile',
    env: { AWS_ACCESS_KEY_ID: 'AKIAENVWINS', AWS_SECRET_ACCESS_KEY: 's' },
    credentials: '[default]\naws_access_key_id = AKIAFILELOSES\naws_secret_access_key = f\n',
    config: '[default]\nregion = ap-south-1\n',
    expect: 'ok',
  },
  // --- shared files ---
  {
    name: 'files: default profile in the credentials file, region in config',
    credentials: '[default]\naws_access_key_id = AKIAFILE1\naws_secret_access_key = file-secret\n',
    config: '[default]\nregion = us-west-2\n',
    expect: 'ok',
  },
  {
    name: 'files: AWS_PROFILE picks [profile dev] of the config file',
    config:
      '[default]\nregion = us-east-1\n\n[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = dev-secret\naws_session_token = dev-token\nregion = eu-central-1\n',
    env: { AWS_PROFILE: 'dev' },
    expect: 'ok',
  },
  {
    name: 'files: AWS_DEFAULT_PROFILE picks a profile, as botocore and the AWS CLI v1 read it',
    config: '[profile dev]\naws_access_key_id = AKIADEFPROF\naws_secret_access_key = d\nregion = eu-west-3\n',
    env: { AWS_DEFAULT_PROFILE: 'dev' },
    expect: 'ok',
  },
  {
    name: 'files: AWS_DEFAULT_PROFILE and AWS_PROFILE both set: botocore reads AWS_DEFAULT_PROFILE first',
    config:
      '[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = d\n\n[profile ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = o\n',
    env: { AWS_DEFAULT_PROFILE: 'ops', AWS_PROFILE: 'dev' },
    expect: 'ok',
  },
  {
    name: 'files: an unknown AWS_DEFAULT_PROFILE fails as an unknown AWS_PROFILE does',
    config: '[default]\nregion = us-east-1\n',
    env: { AWS_DEFAULT_PROFILE: 'nope' },
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'files: credentials file beats config file for the same profile',
    config: '[profile dev]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = c\n',
    credentials: '[dev]\naws_access_key_id = AKIACREDS\naws_secret_access_key = k\nregion = sa-east-1\n',
    env: { AWS_PROFILE: 'dev' },
    expect: 'ok',
  },
  {
    name: 'files: [dev] without "profile " in the config file is not a profile',
    config: '[dev]\naws_access_key_id = AKIANOTAPROFILE\naws_secret_access_key = s\n',
    env: { AWS_PROFILE: 'dev' },
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'files: [profile dev] in the credentials file is a profile named "profile dev"',
    credentials: '[profile dev]\naws_access_key_id = AKIALITERAL\naws_secret_access_key = s\n',
    env: { AWS_PROFILE: 'dev' },
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'files: unknown AWS_PROFILE fails even with env keys',
    env: { AWS_PROFILE: 'nope', AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's' },
    config: '[default]\nregion = us-east-1\n',
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'files: comments, colons, upper-case keys, sub-sections, continuation lines',
    config:
      '# a comment\n; another\n[profile odd]\nAWS_ACCESS_KEY_ID: AKIAODD\n  ; indented comment\naws_secret_access_key=odd-secret\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 4\nregion = ca-central-1\n',
    env: { AWS_PROFILE: 'odd' },
    expect: 'ok',
  },
  {
    name: 'files: "#" after a value is part of the value',
    credentials: '[default]\naws_access_key_id = AKIAHASH # not a comment\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'files: malformed (key before any section)',
    credentials: 'aws_access_key_id = AKIA\n[default]\naws_secret_access_key = s\n',
    expect: 'ERR_CREDENTIALS_PARSE',
  },
  {
    name: 'files: malformed (duplicate key) fails even with env keys',
    env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's' },
    config: '[default]\nregion = us-east-1\nregion = us-west-1\n',
    expect: 'ERR_CREDENTIALS_PARSE',
  },
  {
    name: 'files: static key without secret',
    credentials: '[default]\naws_access_key_id = AKIANOSECRET\n',
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'region: AWS_DEFAULT_REGION beats the profile',
    credentials: '[default]\naws_access_key_id = AKIAREG\naws_secret_access_key = s\nregion = us-west-1\n',
    env: { AWS_DEFAULT_REGION: 'ap-northeast-1' },
    expect: 'ok',
  },
  // --- roles ---
  {
    name: 'role: source_profile with static keys',
    config: '[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\nregion = eu-west-1\n',
    credentials: '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n',
    env: { AWS_PROFILE: 'app' },
    expect: 'ok',
  },
  {
    name: 'role: role_session_name, external_id, duration_seconds',
    config:
      '[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\nrole_session_name = alice\nexternal_id = ext-123\nduration_seconds = 1800\nregion = us-east-2\n',
    credentials: '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n',
    env: { AWS_PROFILE: 'app' },
    expect: 'ok',
  },
  {
    name: 'role: chain of three (a -> b -> c static)',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\nregion = us-east-1\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = c\n[profile c]\naws_access_key_id = AKIACHAIN\naws_secret_access_key = chain-secret\n',
    env: { AWS_PROFILE: 'a' },
    expect: 'ok',
  },
  {
    name: 'role: a profile that is its own source_profile (static keys)',
    config:
      '[profile self]\nrole_arn = arn:aws:iam::123456789012:role/self\nsource_profile = self\naws_access_key_id = AKIASELF\naws_secret_access_key = s\nregion = us-east-1\n',
    env: { AWS_PROFILE: 'self' },
    expect: 'ok',
  },
  {
    name: 'role: cyclic source_profile (a -> b -> a)',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\nregion = us-east-1\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n',
    env: { AWS_PROFILE: 'a', AWS_DEFAULT_REGION: 'us-east-1' },
    expect: 'ERR_CREDENTIALS_PROFILE_CYCLE',
  },
  {
    name: 'role: source_profile that does not exist',
    config: '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = ghost\n',
    env: { AWS_PROFILE: 'a', AWS_DEFAULT_REGION: 'us-east-1' },
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'role: both source_profile and credential_source',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\ncredential_source = Environment\n[profile b]\naws_access_key_id = AKIAB\naws_secret_access_key = s\n',
    env: { AWS_PROFILE: 'a', AWS_DEFAULT_REGION: 'us-east-1' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'role: unknown credential_source',
    config: '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\ncredential_source = Laptop\n',
    env: { AWS_PROFILE: 'a', AWS_DEFAULT_REGION: 'us-east-1' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'role: credential_source = EcsContainer',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/from-ecs\ncredential_source = EcsContainer\nregion = us-east-1\n',
    env: { AWS_PROFILE: 'a', AWS_CONTAINER_CREDENTIALS_FULL_URI: '{container}/creds' },
    expect: 'ok',
  },
  {
    name: 'role: credential_source = Ec2InstanceMetadata',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/from-ec2\ncredential_source = Ec2InstanceMetadata\nregion = us-east-1\n',
    env: { AWS_PROFILE: 'a' },
    imds: true,
    expect: 'ok',
  },
  {
    name: 'role: mfa_serial with a code',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/mfa\nsource_profile = b\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = us-east-1\n[profile b]\naws_access_key_id = AKIAMFA\naws_secret_access_key = s\n',
    env: { AWS_PROFILE: 'a' },
    mfaCode: '123456',
    expect: 'ok',
  },
  {
    name: 'role: source profile using credential_process',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = p\nregion = us-east-1\n[profile p]\ncredential_process = sh {dir}/p.sh\n',
    files: { 'p.sh': process1({ Version: 1, AccessKeyId: 'AKIAPROCSRC', SecretAccessKey: 's' }) },
    env: { AWS_PROFILE: 'a' },
    expect: 'ok',
  },
  // --- web identity ---
  {
    name: 'web identity: from the environment',
    files: { token: 'eyJ.web-token.env' },
    env: {
      AWS_WEB_IDENTITY_TOKEN_FILE: '{dir}/token',
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/web',
      AWS_ROLE_SESSION_NAME: 'pod-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
    expect: 'ok',
  },
  {
    name: 'web identity: from the profile',
    files: { token: 'eyJ.web-token.profile' },
    config:
      '[default]\nweb_identity_token_file = {dir}/token\nrole_arn = arn:aws:iam::123456789012:role/webp\nregion = us-west-2\n',
    expect: 'ok',
  },
  {
    name: 'web identity: env token file, no role ARN',
    files: { token: 'eyJ.token' },
    env: { AWS_WEB_IDENTITY_TOKEN_FILE: '{dir}/token', AWS_DEFAULT_REGION: 'us-east-1' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'role: source profile with web identity',
    files: { token: 'eyJ.src-token' },
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = w\nregion = us-east-1\n[profile w]\nweb_identity_token_file = {dir}/token\nrole_arn = arn:aws:iam::123456789012:role/w\n',
    env: { AWS_PROFILE: 'a' },
    expect: 'ok',
  },
  // --- credential_process ---
  {
    name: 'process: static',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: { 'p.sh': process1({ Version: 1, AccessKeyId: 'AKIAPROC', SecretAccessKey: 'proc-secret' }) },
    expect: 'ok',
  },
  {
    name: 'process: session token and future expiration',
    config: '[default]\ncredential_process = sh {dir}/p.sh\nregion = eu-north-1\n',
    files: {
      'p.sh': process1({
        Version: 1,
        AccessKeyId: 'ASIAPROC',
        SecretAccessKey: 's',
        SessionToken: 'proc-token',
        Expiration: ts(60),
      }),
    },
    expect: 'ok',
  },
  {
    name: 'process: exits non-zero',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: { 'p.sh': '#!/bin/sh\necho "no login" >&2\nexit 3\n' },
    expect: 'ERR_CREDENTIALS_PROCESS',
  },
  {
    name: 'process: prints bad JSON',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: { 'p.sh': '#!/bin/sh\necho "{not json"\n' },
    expect: 'ERR_CREDENTIALS_PARSE',
  },
  {
    name: 'process: Version 2',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: { 'p.sh': process1({ Version: 2, AccessKeyId: 'AKIAV2', SecretAccessKey: 's' }) },
    expect: 'ERR_CREDENTIALS_PROCESS',
  },
  {
    name: 'process: expired Expiration',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: {
      'p.sh': process1({
        Version: 1,
        AccessKeyId: 'ASIAEXP',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: '2020-01-01T00:00:00Z',
      }),
    },
    expect: 'ERR_CREDENTIALS_EXPIRED',
  },
  {
    name: 'precedence: credentials-file keys beat credential_process',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    credentials: '[default]\naws_access_key_id = AKIASTATICWINS\naws_secret_access_key = s\n',
    files: { 'p.sh': process1({ Version: 1, AccessKeyId: 'AKIAPROCLOSES', SecretAccessKey: 's' }) },
    expect: 'ok',
  },
  {
    name: 'precedence: credential_process beats config-file keys',
    config:
      '[default]\ncredential_process = sh {dir}/p.sh\naws_access_key_id = AKIACONFIGLOSES\naws_secret_access_key = s\n',
    files: { 'p.sh': process1({ Version: 1, AccessKeyId: 'AKIAPROCWINS', SecretAccessKey: 's' }) },
    expect: 'ok',
  },
  {
    name: 'precedence: role_arn beats static keys of the same profile',
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\naws_access_key_id = AKIAIGNORED\naws_secret_access_key = s\nregion = us-east-1\n[profile b]\naws_access_key_id = AKIAB2\naws_secret_access_key = s\n',
    env: { AWS_PROFILE: 'a' },
    expect: 'ok',
  },
  // --- container and IMDS ---
  {
    name: 'container: full URI with authorization token',
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '{container}/creds',
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth',
    },
    expect: 'ok',
  },
  {
    name: 'container: authorization token file',
    files: { auth: 'container-auth' },
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '{container}/creds',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '{dir}/auth',
    },
    expect: 'ok',
  },
  {
    name: 'container: plain http to a host that is not allowed',
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://192.0.2.10:8080/creds' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  { name: 'imds: IMDSv2 on loopback', imds: true, config: '[default]\nregion = us-east-2\n', expect: 'ok' },
  {
    name: 'precedence: profile keys beat container and IMDS',
    imds: true,
    credentials: '[default]\naws_access_key_id = AKIAPROFILEWINS\naws_secret_access_key = s\n',
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: '{container}/creds' },
    expect: 'ok',
  },
  // --- SSO ---
  {
    name: 'sso: legacy profile with a valid cached token',
    config:
      '[profile sso]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev\nregion = eu-west-2\n',
    env: { AWS_PROFILE: 'sso' },
    ssoTokens: { 'https://legacy.awsapps.com/start': { accessToken: 'legacy-token', expiresInMinutes: 60 } },
    expect: 'ok',
  },
  {
    name: 'sso: sso-session profile with a valid cached token',
    config:
      '[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
    env: { AWS_PROFILE: 'sso' },
    ssoTokens: { corp: { accessToken: 'session-token', expiresInMinutes: 60 } },
    expect: 'ok',
  },
  {
    name: 'sso: expired legacy token',
    config:
      '[profile sso]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n',
    env: { AWS_PROFILE: 'sso' },
    ssoTokens: { 'https://old.awsapps.com/start': { accessToken: 'old-token', expiresInMinutes: -5 } },
    expect: 'ERR_CREDENTIALS_EXPIRED',
  },
  {
    name: 'sso: no cached token',
    config:
      '[profile sso]\nsso_session = none\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session none]\nsso_start_url = https://none.awsapps.com/start\nsso_region = us-east-1\n',
    env: { AWS_PROFILE: 'sso' },
    expect: 'ERR_CREDENTIALS_EXPIRED',
  },
  {
    name: 'sso: sso_session that is not defined',
    config: '[profile sso]\nsso_session = missing\nsso_account_id = 111122223333\nsso_role_name = Dev\n',
    env: { AWS_PROFILE: 'sso' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'sso: missing sso_region',
    config:
      '[profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 111122223333\nsso_role_name = Dev\n',
    env: { AWS_PROFILE: 'sso' },
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  // --- names, edge values (review) ---
  {
    name: 'files: an unknown profile named like an Object.prototype key (constructor)',
    env: { AWS_PROFILE: 'constructor' },
    config: '[default]\nregion = us-east-1\n',
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'role: a source_profile named toString that does not exist',
    env: { AWS_PROFILE: 'r' },
    config: '[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = toString\n',
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'files: a profile named __proto__',
    env: { AWS_PROFILE: '__proto__' },
    credentials: '[__proto__]\naws_access_key_id = AKIAPROTO\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'files: [default] after [profile default] in the config file wins; a numeric profile name',
    config: '[profile default]\nregion = eu-west-1\n[default]\nregion = eu-west-2\n[profile 7]\nregion=x\n',
    credentials: '[default]\naws_access_key_id = AKIAORD\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'env: empty AWS_ACCESS_KEY_ID counts as unset',
    env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    credentials: '[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'region: empty AWS_REGION',
    env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-north-1' },
    credentials: '[default]\naws_access_key_id = AKIAR\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'role: the source profile has role_arn and static keys: its keys are used',
    env: { AWS_PROFILE: 'a' },
    config:
      '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\nregion = us-east-1\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = b\naws_access_key_id = AKIAB\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'files: a [DEFAULT] section gives every section its keys',
    config: '[DEFAULT]\nregion = sa-east-1\n[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'files: [profile "my prof"] quoted, with a space',
    env: { AWS_PROFILE: 'my prof' },
    config: '[profile "my prof"]\naws_access_key_id = AKIASPACE\naws_secret_access_key = s\n',
    expect: 'ok',
  },
  {
    name: 'files: access key in the config file, secret in the credentials file',
    config: '[default]\naws_access_key_id = AKIASPLIT\n',
    credentials: '[default]\naws_secret_access_key = s\n',
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: 'files: a secret without an access key configures nothing',
    credentials: '[default]\naws_secret_access_key = s\n',
    config: '[default]\nregion = us-east-1\n',
    expect: 'ERR_CREDENTIALS_CHAIN',
  },
  {
    name: 'process: empty credential_process',
    config: '[default]\ncredential_process =\n',
    expect: 'ERR_CREDENTIALS_CONFIG',
  },
  {
    name: "region: from the credentials file's profile",
    credentials: '[default]\naws_access_key_id = AKIAREGC\naws_secret_access_key = s\nregion = af-south-1\n',
    expect: 'ok',
  },
  {
    name: 'files: AWS_CONFIG_FILE with ~',
    env: { AWS_CONFIG_FILE: '~/cfg' },
    files: { 'home/cfg': '[default]\naws_access_key_id = AKIATILDE\naws_secret_access_key = s\n' },
    expect: 'ok',
  },
  {
    name: 'sso: legacy token cache with expiresAt in the "...UTC" form older AWS CLI v2 releases wrote',
    config:
      '[profile sso]\nsso_start_url = https://utc.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n',
    env: { AWS_PROFILE: 'sso' },
    ssoTokens: {
      'https://utc.awsapps.com/start': {
        accessToken: 'utc-token',
        expiresInMinutes: 60,
        format: (iso) => iso.replace('Z', 'UTC'),
      },
    },
    expect: 'ok',
  },
  {
    name: 'sso: expired token in the "...UTC" form',
    config:
      '[profile sso]\nsso_start_url = https://utcold.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n',
    env: { AWS_PROFILE: 'sso' },
    ssoTokens: {
      'https://utcold.awsapps.com/start': {
        accessToken: 'utc-old',
        expiresInMinutes: -5,
        format: (iso) => iso.replace('Z', 'UTC'),
      },
    },
    expect: 'ERR_CREDENTIALS_EXPIRED',
  },
  {
    name: 'sso: sso-session token with expiresAt carrying an offset',
    config:
      '[profile sso]\nsso_session = off\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session off]\nsso_start_url = https://off.awsapps.com/start\nsso_region = us-east-1\n',
    env: { AWS_PROFILE: 'sso' },
    ssoTokens: { off: { accessToken: 'off-token', expiresInMinutes: 60, format: (iso) => iso.replace('Z', '+00:00') } },
    expect: 'ok',
  },
  {
    name: 'web identity: an empty web_identity_token_file configures nothing',
    config: '[default]\nweb_identity_token_file =\nrole_arn = arn:aws:iam::123456789012:role/w\n',
    expect: 'ERR_CREDENTIALS_CHAIN',
  },
  {
    name: 'process: Expiration in the "...UTC" form',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: {
      'p.sh': process1({
        Version: 1,
        AccessKeyId: 'ASIAUTC',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: ts(60).replace('Z', 'UTC'),
      }),
    },
    expect: 'ok',
  },
  {
    name: 'process: a line after the JSON',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: {
      'p.sh': '#!/bin/sh\necho \'{"Version": 1, "AccessKeyId": "AKIAJ", "SecretAccessKey": "s"}\'\necho done\n',
    },
    expect: 'ERR_CREDENTIALS_PARSE',
  },
  {
    name: 'process: valid JSON but a non-zero exit',
    config: '[default]\ncredential_process = sh {dir}/p.sh\n',
    files: { 'p.sh': '#!/bin/sh\necho \'{"Version": 1, "AccessKeyId": "AKIAJ", "SecretAccessKey": "s"}\'\nexit 1\n' },
    expect: 'ERR_CREDENTIALS_PROCESS',
  },
  {
    name: 'files: [ default ] with spaces and [Default] are not the default profile',
    config:
      '[ default ]\naws_access_key_id = AKIASPACED\naws_secret_access_key = s\n[Default]\naws_access_key_id = AKIACASE\naws_secret_access_key = s\n',
    expect: 'ERR_CREDENTIALS_CHAIN',
  },
  {
    name: "files: [profile 'a b'] quoted with single quotes, [profile\ta] with a tab",
    config:
      "[profile 'a b']\naws_access_key_id = AKIAQUOTED\naws_secret_access_key = s\n[profile\tc]\nregion = eu-west-1\n",
    env: { AWS_PROFILE: 'a b' },
    expect: 'ok',
  },
  {
    name: 'files: [profile a b] (three words) is no profile',
    config: '[profile a b]\naws_access_key_id = AKIATHREE\naws_secret_access_key = s\n',
    env: { AWS_PROFILE: 'a' },
    expect: 'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
  },
  {
    name: 'files: AWS_SHARED_CREDENTIALS_FILE with $HOME and a braced variable',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR}, for the path expansion
    env: { AWS_SHARED_CREDENTIALS_FILE: '$HOME/../${HOME_SUB}/creds', HOME_SUB: 'sub' },
    files: { 'sub/creds': '[default]\naws_access_key_id = AKIAVARS\naws_secret_access_key = s\n' },
    expect: 'ok',
  },
  {
    name: 'files: CRLF, tabs, a lone CR, and a value with "=" and ":" in it',
    credentials:
      '[default]\r\naws_access_key_id\t=\tAKIACRLF\r\naws_secret_access_key = a=b:c\raws_session_token : t=1\r\n',
    expect: 'ok',
  },
  // --- nothing ---
  { name: 'nothing configured', expect: 'ERR_CREDENTIALS_CHAIN' },
  { name: 'nothing but a region', config: '[default]\nregion = us-east-1\n', expect: 'ERR_CREDENTIALS_CHAIN' },
]

// Random profile graphs (a fixed seed): static keys in either file, role_arn with source_profile
// (to any profile, itself, or one that does not exist) or credential_source, credential_process, web
// identity, across [profile x], [x] and [default] sections. No expectation is written: awsig and
// botocore must give the same key, token and region, or both fail.
const RANDOM: Scenario[] = (() => {
  // AWSIG_RANDOM_PROFILES=n:seed for a longer soak.
  const [count = 60, seed = 0x2545f491] = (process.env.AWSIG_RANDOM_PROFILES ?? '')
    .split(':')
    .filter(Boolean)
    .map(Number)
  let state = seed
  const rand = (n: number) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % n
  }
  const pick = <T>(items: readonly T[]): T => items[rand(items.length)] as T
  const names = ['default', 'a', 'b', 'c', 'constructor'] as const
  const out: Scenario[] = []
  for (let i = 0; i < count; i++) {
    let config = ''
    let credentials = ''
    for (const name of names) {
      if (rand(4) === 0) continue
      const lines: string[] = []
      const what = rand(7)
      if (what === 0 || what === 1) {
        lines.push(`aws_access_key_id = AKIA${name.toUpperCase()}${i}`)
        if (rand(8) !== 0) lines.push('aws_secret_access_key = s')
      }
      if (what === 2 || what === 3) {
        lines.push(`role_arn = arn:aws:iam::123456789012:role/${name}`)
        if (rand(5) === 0) lines.push(`credential_source = ${pick(['Environment', 'EcsContainer', 'Bogus'])}`)
        else lines.push(`source_profile = ${pick([...names, 'ghost'])}`)
        if (rand(3) === 0) lines.push(`external_id = ext-${name}`)
        if (rand(3) === 0) lines.push(`role_session_name = s-${name}`)
        if (rand(4) === 0) lines.push('duration_seconds = 1800')
        if (rand(3) === 0) lines.push(`aws_access_key_id = AKIAROLE${name.toUpperCase()}`, 'aws_secret_access_key = s')
      }
      if (what === 4) lines.push('credential_process = sh {dir}/p.sh')
      if (what === 5)
        lines.push('web_identity_token_file = {dir}/token', `role_arn = arn:aws:iam::123456789012:role/web-${name}`)
      if (rand(3) === 0) lines.push(`region = ${pick(['eu-west-1', 'ap-south-1'])}`)
      if (lines.length === 0) lines.push('output = json')
      const body = `${lines.join('\n')}\n`
      const where = rand(3)
      if (where !== 1)
        config += name === 'default' && rand(2) === 0 ? `[default]\n${body}` : `[profile ${name}]\n${body}`
      else credentials += `[${name}]\n${body}`
    }
    const env: Record<string, string> = {
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '{container}/creds',
    }
    const profile = pick([undefined, ...names])
    if (profile !== undefined) env.AWS_PROFILE = profile
    if (rand(5) === 0) Object.assign(env, { AWS_ACCESS_KEY_ID: 'AKIAENVRANDOM', AWS_SECRET_ACCESS_KEY: 's' })
    out.push({
      name: `random ${i}`,
      config,
      credentials,
      files: {
        'p.sh': process1({ Version: 1, AccessKeyId: `AKIAPROC${i}`, SecretAccessKey: 's' }),
        token: 'web-token',
      },
      env,
      expect: 'ok',
    })
  }
  return out
})()
const ALL = [...SCENARIOS, ...RANDOM]

interface Outcome {
  ok: boolean
  accessKeyId?: string | undefined
  sessionToken?: string | null | undefined
  region?: string | null | undefined
  error?: string | undefined
  code?: string | undefined
}

let root: string
let servers: Servers
const envs = new Map<string, Record<string, string>>()
const botocore = new Map<string, Outcome>()

function build(scenario: Scenario, index: number): Record<string, string> {
  const dir = join(root, String(index))
  const home = join(dir, 'home')
  mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true })
  const fill = (s: string) => s.replaceAll('{dir}', dir).replaceAll('{container}', servers.container.url)
  for (const [name, content] of Object.entries(scenario.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), fill(content), { mode: 0o700 })
  }
  const configFile = join(dir, 'config')
  const credentialsFile = join(dir, 'credentials')
  if (scenario.config !== undefined) writeFileSync(configFile, fill(scenario.config))
  if (scenario.credentials !== undefined) writeFileSync(credentialsFile, fill(scenario.credentials))
  for (const [key, token] of Object.entries(scenario.ssoTokens ?? {})) {
    servers.sso.validTokens.add(token.accessToken)
    const file = join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(key).digest('hex')}.json`)
    writeFileSync(
      file,
      JSON.stringify({
        startUrl: key,
        region: 'us-east-1',
        accessToken: token.accessToken,
        expiresAt: (token.format ?? String)(ts(token.expiresInMinutes)),
      }),
    )
  }
  const env: Record<string, string> = {
    HOME: home,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_ENDPOINT_URL_STS: servers.sts.url,
    AWS_ENDPOINT_URL_SSO: servers.sso.url,
    AWS_ENDPOINT_URL_SSO_OIDC: servers.sso.url,
  }
  if (scenario.imds) env.AWS_EC2_METADATA_SERVICE_ENDPOINT = servers.imds.url
  else env.AWS_EC2_METADATA_DISABLED = 'true'
  for (const [k, v] of Object.entries(scenario.env ?? {})) env[k] = fill(v)
  return env
}

function runBotocore(input: object[]): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: botocore calls the loopback servers of this very process.
    const child = spawn(process.env.PYTHON ?? 'python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
    child.once('error', reject)
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`botocore-credentials.py exited ${code}: ${err}`))
      resolve(
        out
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Outcome),
      )
    })
    child.stdin.end(JSON.stringify(input))
  })
}

async function runAwsig(scenario: Scenario, env: Record<string, string>): Promise<Outcome> {
  try {
    const mfaCode = scenario.mfaCode
    const credentials = await defaultChain({ env, ...(mfaCode === undefined ? {} : { mfaCode: () => mfaCode }) })()
    return {
      ok: true,
      accessKeyId: credentials.accessKeyId,
      sessionToken: credentials.sessionToken,
      region: await resolveRegion({ env }),
    }
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error
    return { ok: false, code: error.code, error: error.message }
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'awsig-credentials-diff-'))
  const [sts, sso, imds, container] = await Promise.all([
    startStsServer(),
    startSsoServer(),
    startImdsServer(),
    startContainerServer(),
  ])
  servers = { sts, sso, imds, container }
  ALL.forEach((scenario, i) => {
    envs.set(scenario.name, build(scenario, i))
  })
  const results = await runBotocore(
    ALL.map((s) => ({ name: s.name, env: envs.get(s.name), mfaCode: s.mfaCode ?? null })),
  )
  for (const result of results) botocore.set((result as { name: string } & Outcome).name, result)
})

afterAll(async () => {
  await Promise.all(Object.values(servers ?? {}).map((s: { close(): Promise<void> }) => s.close()))
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('awsig/credentials vs botocore', () => {
  it('has at least 25 scenarios, both outcomes well represented', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(25)
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length)
    expect(SCENARIOS.filter((s) => s.expect === 'ok').length).toBeGreaterThanOrEqual(20)
  })

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const env = envs.get(scenario.name) as Record<string, string>
    const reference = botocore.get(scenario.name)
    expect(reference, 'botocore answered').toBeDefined()
    const ours = await runAwsig(scenario, env)
    const summary = { awsig: ours, botocore: reference }
    if (process.env.AWSIG_DIFF_LOG) console.log(scenario.name, JSON.stringify(summary))
    if (scenario.expect === 'ok') {
      expect(ours.ok, JSON.stringify(summary)).toBe(true)
      expect(reference?.ok, JSON.stringify(summary)).toBe(true)
      expect(ours.accessKeyId).toBe(reference?.accessKeyId)
      expect(ours.sessionToken ?? null).toBe(reference?.sessionToken ?? null)
      expect(ours.region ?? null).toBe(reference?.region ?? null)
    } else {
      expect(reference?.ok, JSON.stringify(summary)).toBe(false)
      expect(ours.ok, JSON.stringify(summary)).toBe(false)
      expect(ours.code, JSON.stringify(summary)).toBe(scenario.expect)
    }
  })

  it('random profile graphs: both outcomes well represented', () => {
    const ok = RANDOM.filter((s) => botocore.get(s.name)?.ok).length
    console.log(`random profile graphs: botocore succeeded on ${ok} of ${RANDOM.length}`)
    expect(ok).toBeGreaterThanOrEqual(RANDOM.length / 4)
    expect(RANDOM.length - ok).toBeGreaterThanOrEqual(RANDOM.length / 8)
  })
  it.each(RANDOM.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const reference = botocore.get(scenario.name) as Outcome
    const ours = await runAwsig(scenario, envs.get(scenario.name) as Record<string, string>)
    const summary = JSON.stringify({
      awsig: ours,
      botocore: reference,
      config: scenario.config,
      credentials: scenario.credentials,
      env: scenario.env,
    })
    expect(ours.ok, summary).toBe(reference.ok)
    if (ours.ok) {
      expect([ours.accessKeyId, ours.sessionToken ?? null, ours.region ?? null], summary).toEqual([
        reference.accessKeyId,
        reference.sessionToken ?? null,
        reference.region ?? null,
      ])
    }
  })
})
