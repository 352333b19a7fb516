// awsig/credentials: redaction, the XML and INI readers, cached(), chains, region and endpoint
// resolution, credential_process, and the typed errors of bad input.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format, inspect } from 'node:util'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCredentials } from '../../src/credentials/credentials.js'
import * as universal from '../../src/credentials/index.js'
import { parseIni } from '../../src/credentials/ini.js'
import {
  cached,
  chain,
  defaultChain,
  fromEnv,
  fromIni,
  fromProcess,
  loadSharedConfig,
  resolveEndpoint,
  resolveRegion,
} from '../../src/credentials/node.js'
import { CredentialsError } from '../../src/errors.js'
import { XmlParseError, xmlPathText } from '../../src/lib/xml.js'
import { sign } from '../../src/sign/sign.js'

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKENVALUE'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'awsig-credentials-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The error a promise rejects with (fails the test if it resolves). */
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

/** Everything an error shows: message, inspect (with cause chain), JSON. */
const shown = (error: unknown) =>
  `${(error as Error).message}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content, { mode: 0o700 })
  return path
}

describe('credentials objects never show their secrets', () => {
  const credentials = createCredentials(
    {
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: new Date('2030-01-01T00:00:00Z'),
      accountId: '123456789012',
    },
    'test',
  )

  it('reads like a plain object', () => {
    expect(credentials.secretAccessKey).toBe(SECRET)
    expect(credentials.sessionToken).toBe(TOKEN)
    expect(credentials.accessKeyId).toBe('ASIAEXAMPLE')
    expect(Object.isFrozen(credentials)).toBe(true)
  })

  it('util.inspect, console formatting, JSON.stringify, String, Object.keys, nested', () => {
    for (const text of [
      inspect(credentials),
      inspect({ nested: { deeper: credentials } }, { depth: 10, showHidden: false }),
      format('%o %O %j %s', credentials, credentials, credentials, credentials),
      JSON.stringify(credentials),
      JSON.stringify({ credentials }),
      String(credentials),
      Object.keys(credentials).join(','),
      Object.entries(credentials).flat().join(','),
      inspect({ ...credentials }),
    ]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(TOKEN)
    }
    expect(inspect(credentials)).toContain('[redacted]')
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: '[redacted]',
      sessionToken: '[redacted]',
      expiration: '2030-01-01T00:00:00.000Z',
      accountId: '123456789012',
      source: 'test',
    })
  })

  it('signs exactly like a plain object', async () => {
    const request = { url: 'https://sts.amazonaws.com/', service: 'sts', region: 'us-east-1', date: new Date(0) }
    const plain = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN }
    expect((await sign({ ...request, credentials })).headers).toEqual(
      (await sign({ ...request, credentials: plain })).headers,
    )
  })
})

describe('STS XML reader', () => {
  const response = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity/>
    <AssumedRoleUser attr='a > b'>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
    </AssumedRoleUser>
    <sts:Credentials xmlns:sts="x">
      <SessionToken>a&amp;b&lt;c&gt;d&quot;e&apos;f&#65;&#x42;<![CDATA[<raw&>]]></SessionToken>
      <SecretAccessKey>
        wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY
      </SecretAccessKey>
    </sts:Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>`

  it('finds nested values, decodes entities and CDATA, drops prefixes, trims', () => {
    expect(xmlPathText(response, ['AssumeRoleResult', 'Credentials', 'SessionToken'])).toBe(`a&b<c>d"e'fAB<raw&>`)
    expect(xmlPathText(response, ['AssumeRoleResult', 'Credentials', 'SecretAccessKey'])).toBe(
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
    )
    expect(xmlPathText(response, ['AssumeRoleResult', 'AssumedRoleUser', 'Arn'])).toMatch(/assumed-role\/demo\/John$/)
    expect(xmlPathText(response, ['AssumeRoleResult', 'SourceIdentity'])).toBe('')
    expect(xmlPathText(response, ['AssumeRoleResult', 'Nope'])).toBeUndefined()
  })

  it.each([
    ['a DTD (no entity expansion)', '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'],
    ['a bare ampersand', '<x>x & y</x>'],
    ['an unknown entity', '<x>&nbsp;</x>'],
    ['a bad character reference', '<x>&#0;</x>'],
  ])('rejects %s', (_what, xml) => {
    expect(() => xmlPathText(xml, ['x'])).toThrow(XmlParseError)
  })

  it.each([
    ['mismatched tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['an empty document', '   '],
    ['an HTML error page', '<html><body><p>502 Bad Gateway<br></body></html>'],
  ])('finds no credentials in %s', (_what, xml) => {
    expect(xmlPathText(xml, ['Result', 'Credentials', 'AccessKeyId'])).toBeUndefined()
  })

  it('round-trips any text, and throws nothing but XmlParseError on any input', () => {
    const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const doc = `<R><Result><Credentials><AccessKeyId>${escapeXml(text)}</AccessKeyId></Credentials></Result></R>`
        expect(xmlPathText(doc, ['Result', 'Credentials', 'AccessKeyId'])).toBe(text.trim())
      }),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('<', '>', '/', 'a', 'b', '&', ';', '!', '?', '"', ' ', '[', ']', '-', '#'),
          maxLength: 40,
        }),
        (junk) => {
          try {
            xmlPathText(junk, ['a', 'b'])
          } catch (error) {
            expect(error).toBeInstanceOf(XmlParseError)
          }
        },
      ),
      { numRuns: 1000 },
    )
  })
})

describe('INI parsing, against Python configparser as botocore drives it', () => {
  function pythonParse(texts: string[]): Promise<unknown[]> {
    const script = `
import json, os, sys, tempfile, botocore.configloader as c
out = []
for text in json.load(sys.stdin):
    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f: f.write(text)
    try: out.append({'ok': c.raw_config_parse(path)})
    except Exception as e: out.append({'error': type(e).__name__})
    finally: os.unlink(path)
print(json.dumps(out))`
    return new Promise((resolveRun, reject) => {
      const child = spawn(process.env.PYTHON ?? 'python3', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
      child.once('error', reject)
      child.once('close', (code) => (code === 0 ? resolveRun(JSON.parse(out) as unknown[]) : reject(new Error(err))))
      child.stdin.end(JSON.stringify(texts))
    })
  }

  const line = fc.oneof(
    fc.constantFrom(
      '[default]',
      '[profile a]',
      '[profile a]',
      '[DEFAULT]',
      '[s]',
      '',
      '   ',
      '# c',
      '; c',
      '  # c',
      '[ x ]',
      '[a] trailing',
      'noequals',
    ),
    fc
      .tuple(
        fc.constantFrom('', ' ', '  ', '\t'),
        fc.constantFrom('key', 'Key', 'region', 'aws_access_key_id', 's3', 'a b', ''),
        fc.constantFrom('=', ' = ', ':', ' : ', '=='),
        fc.constantFrom('', 'v', 'v w', 'v # not comment', '  padded  ', 'k = v', 'x:y'),
      )
      .map(([indent, key, sep, value]) => `${indent}${key}${sep}${value}`),
  )
  const files = fc
    .array(line, { maxLength: 12 })
    .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol)))

  it('parses 600 generated files as configparser does (or fails where it fails)', async () => {
    const texts = fc.sample(files, { numRuns: 600, seed: 42 })
    texts.push(
      '[default]\ns3 =\n  addressing_style = path\n  max = 4\nregion = x\n',
      '[a]\nk = v\n  continued\n\n  more\n\nn = 1\n',
      '[a]\ns3 =\n  nokv\n',
    )
    const reference = await pythonParse(texts)
    let agreedErrors = 0
    texts.forEach((text, i) => {
      const expected = reference[i] as { ok?: unknown; error?: string }
      let ours: { ok?: unknown; error?: string }
      try {
        ours = { ok: parseIni(text) }
      } catch {
        ours = { error: 'error' }
      }
      if (expected.error !== undefined) {
        expect(ours.error, `configparser failed (${expected.error}) on ${JSON.stringify(text)}`).toBe('error')
        agreedErrors++
      } else expect(ours.ok, JSON.stringify(text)).toEqual(expected.ok)
    })
    expect(agreedErrors).toBeGreaterThan(20)
    expect(texts.length - agreedErrors).toBeGreaterThan(100)
  })
})

describe('cached()', () => {
  const make = (n: number, expiresInMs: number | undefined) =>
    createCredentials(
      {
        accessKeyId: `AKIA${n}`,
        secretAccessKey: SECRET,
        expiration: expiresInMs === undefined ? undefined : new Date(Date.now() + expiresInMs),
      },
      'test',
    )

  it('1,000 concurrent callers during a refresh make exactly one upstream call', async () => {
    let calls = 0
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    const provider = cached(async () => {
      calls++
      await gate
      return make(calls, 3600_000)
    })
    const all = Promise.all(Array.from({ length: 1000 }, () => provider()))
    release()
    const results = await all
    expect(calls).toBe(1)
    expect(new Set(results).size).toBe(1)
    await provider()
    expect(calls).toBe(1)
  })

  it('1,000 concurrent callers inside the refresh window: one refresh, everyone gets the new credentials', async () => {
    let calls = 0
    let now = Date.now()
    const provider = cached(
      async () => {
        calls++
        await new Promise((r) => setTimeout(r, 10))
        return createCredentials(
          { accessKeyId: `AKIA${calls}`, secretAccessKey: 's', expiration: new Date(now + 3600_000) },
          'test',
        )
      },
      { refreshBefore: 5 * 60_000, now: () => now },
    )
    expect((await provider()).accessKeyId).toBe('AKIA1')
    now += 3600_000 - 60_000 // 1 min before expiry: inside the 5 min window
    const results = await Promise.all(Array.from({ length: 1000 }, () => provider()))
    expect(calls).toBe(2)
    expect(results.every((c) => c.accessKeyId === 'AKIA2')).toBe(true)
  })

  it('a failed refresh keeps serving valid credentials, retries after retryAfter, throws once they expire', async () => {
    let now = Date.now()
    let fail = false
    let calls = 0
    const provider = cached(
      async () => {
        calls++
        if (fail) throw new CredentialsError('ERR_CREDENTIALS_REQUEST', 'upstream down', { provider: 'test' })
        return createCredentials(
          { accessKeyId: `AKIA${calls}`, secretAccessKey: 's', expiration: new Date(now + 600_000) },
          'test',
        )
      },
      { refreshBefore: 300_000, retryAfter: 10_000, now: () => now },
    )
    expect((await provider()).accessKeyId).toBe('AKIA1')
    fail = true
    now += 400_000 // inside the refresh window, still valid
    const during = await Promise.all(Array.from({ length: 1000 }, () => provider()))
    expect(during.every((c) => c.accessKeyId === 'AKIA1')).toBe(true)
    expect(calls).toBe(2) // one failed refresh for the thousand
    await provider()
    expect(calls).toBe(2) // within retryAfter: no new attempt
    now += 10_001
    await provider()
    expect(calls).toBe(3)
    now += 200_000 // expired now
    expect((await failure(provider())).code).toBe('ERR_CREDENTIALS_REQUEST')
    fail = false
    expect((await provider()).accessKeyId).toBe('AKIA5')
  })

  it('cache: false asks every time; refresh(), clear(), current; refuses expired credentials', async () => {
    let calls = 0
    const upstream = async () => make(++calls, undefined)
    const never = cached(upstream, { cache: false })
    await never()
    await never()
    expect(calls).toBe(2)
    expect(never.current).toBeUndefined()

    const held = cached(upstream)
    const first = await held()
    expect(await held()).toBe(first)
    expect(held.current).toBe(first)
    expect((await held.refresh()).accessKeyId).not.toBe(first.accessKeyId)
    held.clear()
    expect(held.current).toBeUndefined()
    expect(inspect(held)).not.toContain(SECRET)
    expect(JSON.stringify(held)).not.toContain(SECRET)

    const stale = cached(async () => make(1, -1000))
    expect((await failure(stale())).code).toBe('ERR_CREDENTIALS_EXPIRED')
    expect(() => cached(upstream, { refreshBefore: -1 })).toThrow(CredentialsError)
  })

  it('a provider that throws synchronously fails that call only; the next call asks again', async () => {
    let calls = 0
    let fail = true
    const provider = cached((() => {
      calls++
      if (fail) throw new Error('transient: not ready yet')
      return Promise.resolve(make(calls, undefined))
    }) as () => Promise<ReturnType<typeof make>>)
    await expect(provider()).rejects.toThrow('transient: not ready yet')
    await expect(provider.refresh()).rejects.toThrow('transient: not ready yet')
    expect(calls).toBe(2)
    fail = false
    expect((await provider()).accessKeyId).toBe('AKIA3')
    // Single flight still holds after the failures.
    const again = await Promise.all([provider.refresh(), provider.refresh(), provider()])
    expect(calls).toBe(4)
    expect(new Set(again.slice(0, 2)).size).toBe(1)
  })

  it('clear() forgets a fetch under way: its result is not kept, the next call fetches anew', async () => {
    let calls = 0
    const provider = cached(async () => {
      const n = ++calls
      await new Promise((r) => setTimeout(r, 20))
      return make(n, undefined)
    })
    const before = provider()
    provider.clear()
    const after = await provider()
    expect(after.accessKeyId).toBe('AKIA2')
    expect(calls).toBe(2)
    expect((await before).accessKeyId).toBe('AKIA1') // whoever asked before clear() still gets an answer
    expect(provider.current?.accessKeyId).toBe('AKIA2')
    expect(await provider()).toBe(after)
    expect(calls).toBe(2)

    // A fetch cleared and never followed by another call stores nothing.
    const lone = provider.refresh()
    provider.clear()
    await lone
    expect(provider.current).toBeUndefined()
  })

  it('inspect and JSON show no secret or token of plain-object credentials', async () => {
    const plain = cached(async () => ({
      accessKeyId: 'AKIDPLAIN',
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: new Date('2030-01-01T00:00:00Z'),
    }))
    await plain()
    const resolved = cached(async () => make(7, 3600_000))
    await resolved()
    for (const provider of [plain, resolved]) {
      for (const text of [inspect(provider), inspect({ creds: provider }, { depth: 5 }), JSON.stringify(provider)]) {
        expect(text).not.toContain(SECRET)
        expect(text).not.toContain(TOKEN)
        expect(text).toContain('[redacted]')
      }
    }
    expect(JSON.parse(JSON.stringify(plain))).toEqual({
      current: {
        accessKeyId: 'AKIDPLAIN',
        secretAccessKey: '[redacted]',
        sessionToken: '[redacted]',
        expiration: '2030-01-01T00:00:00.000Z',
      },
    })
    expect(JSON.parse(JSON.stringify(resolved)).current).toMatchObject({ accessKeyId: 'AKIA7', source: 'test' })
    expect(plain.current?.secretAccessKey).toBe(SECRET) // the held credentials themselves are untouched
  })
})

describe('chains', () => {
  const none = (provider: string) => async () => {
    throw new CredentialsError('ERR_CREDENTIALS_NOT_FOUND', 'nothing here', { provider })
  }

  it('moves on past providers that find nothing, stops at a broken one, lists every attempt', async () => {
    const ok = async () => createCredentials({ accessKeyId: 'AKIAOK', secretAccessKey: 's' }, 'test')
    expect((await chain(none('a'), none('b'), ok)()).accessKeyId).toBe('AKIAOK')
    const broken = async () => {
      throw new CredentialsError('ERR_CREDENTIALS_CONFIG', 'broken', { provider: 'c' })
    }
    expect((await failure(chain(none('a'), broken, ok)())).code).toBe('ERR_CREDENTIALS_CONFIG')
    const error = await failure(chain(none('a'), none('b'))())
    expect(error.code).toBe('ERR_CREDENTIALS_CHAIN')
    expect(error.attempts?.map((e) => e.provider)).toEqual(['a', 'b'])
  })

  it('defaultChain reports every provider it tried', async () => {
    const error = await failure(
      defaultChain({
        env: {
          HOME: dir,
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none2'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      })(),
    )
    expect(error.code).toBe('ERR_CREDENTIALS_CHAIN')
    expect(error.attempts?.map((e) => e.provider)).toEqual(['env', 'ini', 'container', 'imds'])
    expect(error.attempts?.every((e) => e.code === 'ERR_CREDENTIALS_NOT_FOUND')).toBe(true)
  })

  it('fromEnv reads the given environment only', async () => {
    const c = await fromEnv({
      env: { AWS_ACCESS_KEY_ID: 'AKIAX', AWS_SECRET_ACCESS_KEY: SECRET, AWS_ACCOUNT_ID: '123456789012' },
    })()
    expect(c.accessKeyId).toBe('AKIAX')
    expect(c.accountId).toBe('123456789012')
    expect(c.source).toBe('env')
    expect(
      (
        await failure(
          fromEnv({
            env: { AWS_ACCESS_KEY_ID: 'AKIAX', AWS_SECRET_ACCESS_KEY: 's', AWS_CREDENTIAL_EXPIRATION: 'tomorrow' },
          })(),
        )
      ).code,
    ).toBe('ERR_CREDENTIALS_PARSE')
  })
})

describe('region and endpoint resolution', () => {
  it('AWS_REGION, then AWS_DEFAULT_REGION, then the profile', async () => {
    const config = file('region-config', '[default]\nregion = eu-west-1\n[profile other]\nregion = ap-east-1\n')
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), HOME: dir }
    expect(await resolveRegion({ env })).toBe('eu-west-1')
    expect(await resolveRegion({ env, profile: 'other' })).toBe('ap-east-1')
    expect(await resolveRegion({ env: { ...env, AWS_PROFILE: 'other' } })).toBe('ap-east-1')
    expect(await resolveRegion({ env: { ...env, AWS_DEFAULT_REGION: 'us-west-1' } })).toBe('us-west-1')
    expect(await resolveRegion({ env: { ...env, AWS_DEFAULT_REGION: 'us-west-1', AWS_REGION: 'us-east-2' } })).toBe(
      'us-east-2',
    )
    expect(await resolveRegion({ env: { ...env, AWS_CONFIG_FILE: join(dir, 'none') } })).toBeUndefined()
  })

  it('AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, [services] section, profile endpoint_url; ignore switch', async () => {
    const config = file(
      'endpoint-config',
      '[default]\nendpoint_url = http://profile.local\nservices = local\n[services local]\ndynamodb =\n  endpoint_url = http://dynamo.local\nsso_oidc =\n  endpoint_url = http://oidc.local\n',
    )
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), HOME: dir }
    expect(await resolveEndpoint('s3', { env })).toBe('http://profile.local')
    expect(await resolveEndpoint('dynamodb', { env })).toBe('http://dynamo.local')
    expect(await resolveEndpoint('sso-oidc', { env })).toBe('http://oidc.local')
    expect(await resolveEndpoint('dynamodb', { env: { ...env, AWS_ENDPOINT_URL: 'http://global.env' } })).toBe(
      'http://global.env',
    )
    expect(
      await resolveEndpoint('dynamodb', {
        env: { ...env, AWS_ENDPOINT_URL: 'http://global.env', AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb.env' },
      }),
    ).toBe('http://ddb.env')
    expect(
      await resolveEndpoint('dynamodb', {
        env: { ...env, AWS_ENDPOINT_URL: 'http://g', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      }),
    ).toBeUndefined()
  })
})

describe('bad input gives typed errors that say where, and never a secret', () => {
  it('a malformed file names the file and the line, not its content', async () => {
    const path = file('bad-ini', `[default]\naws_access_key_id = AKIA\n${SECRET}\n`)
    const error = await failure(
      fromIni({ env: { AWS_SHARED_CREDENTIALS_FILE: path, AWS_CONFIG_FILE: join(dir, 'none'), HOME: dir } })(),
    )
    expect(error.code).toBe('ERR_CREDENTIALS_PARSE')
    expect(error.file).toBe(path)
    expect((error.cause as { line?: number }).line).toBe(3)
    expect(shown(error)).not.toContain(SECRET)
    await expect(loadSharedConfig({ env: { AWS_SHARED_CREDENTIALS_FILE: path, HOME: dir } })).rejects.toThrow(
      CredentialsError,
    )
  })

  it('a malformed sub-section names the line of its key, not line 0', async () => {
    const path = file('bad-nested', `[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n  ${SECRET}\n`)
    const error = await failure(
      fromIni({ env: { AWS_SHARED_CREDENTIALS_FILE: path, AWS_CONFIG_FILE: join(dir, 'none'), HOME: dir } })(),
    )
    expect(error.code).toBe('ERR_CREDENTIALS_PARSE')
    expect((error.cause as { line?: number }).line).toBe(3)
    expect(error.message).toContain('line 3')
    expect(shown(error)).not.toContain(SECRET)
  })

  it('an unknown profile and a cycle name the profile', async () => {
    const config = file(
      'cycle',
      '[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n',
    )
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), HOME: dir }
    const unknown = await failure(fromIni({ env, profile: 'ghost' })())
    expect([unknown.code, unknown.profile, unknown.provider]).toEqual([
      'ERR_CREDENTIALS_PROFILE_NOT_FOUND',
      'ghost',
      'ini',
    ])
    const cycle = await failure(fromIni({ env, profile: 'a' })())
    expect([cycle.code, cycle.profile]).toEqual(['ERR_CREDENTIALS_PROFILE_CYCLE', 'b'])
  })

  it('mfa_serial without an mfaCode callback', async () => {
    const config = file(
      'mfa',
      '[profile m]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = m\nmfa_serial = arn:aws:iam::1:mfa/me\naws_access_key_id = AKIA\naws_secret_access_key = s\n',
    )
    const error = await failure(
      fromIni({
        profile: 'm',
        env: { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), HOME: dir },
      })(),
    )
    expect([error.code, error.provider, error.profile]).toEqual(['ERR_CREDENTIALS_CONFIG', 'assume-role', 'm'])
  })

  it('credential_process: non-zero exit, bad JSON, bad version, missing key, timeout, missing program; no output in errors', async () => {
    const script = (name: string, body: string) => `sh ${file(name, `#!/bin/sh\n${body}\n`)}`
    const secretJson = JSON.stringify({ Version: 1, AccessKeyId: 'AKIA', SecretAccessKey: SECRET })
    const cases: Array<[string, string, CredentialsError['code']]> = [
      ['exit', `echo '${secretJson}'; exit 2`, 'ERR_CREDENTIALS_PROCESS'],
      ['badjson', `echo '{"Version": 1, "SecretAccessKey": "${SECRET}"'`, 'ERR_CREDENTIALS_PARSE'],
      [
        'version',
        `echo '${JSON.stringify({ Version: '1', AccessKeyId: 'AKIA', SecretAccessKey: SECRET })}'`,
        'ERR_CREDENTIALS_PROCESS',
      ],
      ['nokey', `echo '${JSON.stringify({ Version: 1, SecretAccessKey: SECRET })}'`, 'ERR_CREDENTIALS_PARSE'],
      ['array', `echo '[1]'`, 'ERR_CREDENTIALS_PARSE'],
    ]
    for (const [name, body, code] of cases) {
      const error = await failure(fromProcess({ command: script(name, body), env: { PATH: process.env.PATH } })())
      expect(error.code, name).toBe(code)
      expect(error.provider).toBe('process')
      expect(shown(error)).not.toContain(SECRET)
    }
    const started = Date.now()
    const slow = await failure(
      fromProcess({ command: script('slow', 'sleep 10'), timeout: 200, env: { PATH: process.env.PATH } })(),
    )
    expect(slow.code).toBe('ERR_CREDENTIALS_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(5000)
    expect((await failure(fromProcess({ command: 'awsig-no-such-program-xyz' })())).code).toBe(
      'ERR_CREDENTIALS_PROCESS',
    )
    expect((await failure(fromProcess({ command: '"unclosed' })())).code).toBe('ERR_CREDENTIALS_CONFIG')
    const ok = await fromProcess({
      command: `${script('ok', `echo '${secretJson}'`)} --arg "with space"`,
      env: { PATH: process.env.PATH },
    })()
    expect(ok.secretAccessKey).toBe(SECRET)
    expect(ok.source).toBe('process')
  })

  it('credential_process printing more than 1 MiB fails at once, even through a shell whose child holds stdout', async () => {
    // `; :` keeps sh from exec'ing yes: killing sh leaves yes writing into the pipe.
    const started = Date.now()
    const error = await failure(
      fromProcess({ command: `sh -c "yes ${SECRET}; :"`, timeout: 10_000, env: { PATH: process.env.PATH } })(),
    )
    expect(error.code).toBe('ERR_CREDENTIALS_PROCESS')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(shown(error)).not.toContain(SECRET)
  })

  it("credential_process writes to this process's stderr, so a prompt or a reason for failing can be seen", async () => {
    // The process reports where its stderr goes; it must be ours, not /dev/null (where a question for
    // an MFA code, asked on stderr and answered on the inherited stdin, went unseen until the timeout).
    const command = `sh ${file('stderr', `#!/bin/sh\necho "{\\"Version\\": 1, \\"AccessKeyId\\": \\"$(readlink /proc/$$/fd/2)\\", \\"SecretAccessKey\\": \\"s\\"}"\n`)}`
    const credentials = await fromProcess({ command, env: { PATH: process.env.PATH } })()
    expect(credentials.accessKeyId).toBe(readlinkSync('/proc/self/fd/2'))
    expect(credentials.accessKeyId).not.toBe('/dev/null')
  })

  it('fromProcess without credential_process finds nothing', async () => {
    const config = file('noproc', '[default]\nregion = us-east-1\n')
    const error = await failure(
      fromProcess({ env: { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), HOME: dir } })(),
    )
    expect([error.code, error.profile]).toEqual(['ERR_CREDENTIALS_NOT_FOUND', 'default'])
  })
})

describe('the universal build', () => {
  it('defaultChain: env, web identity, container, IMDS; no file access unless given readFile', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAU', AWS_SECRET_ACCESS_KEY: 's' }
    expect((await universal.defaultChain({ env })()).accessKeyId).toBe('AKIAU')
    const nothing = await failure(universal.defaultChain({ env: { AWS_EC2_METADATA_DISABLED: 'true' } })())
    expect(nothing.attempts?.map((e) => e.provider)).toEqual(['env', 'web-identity', 'container', 'imds'])
    const tokenFile = file('universal-token', 'tok')
    const web = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }
    const noReader = await failure(universal.fromWebIdentity({ env: web })())
    expect([noReader.code, noReader.file]).toEqual(['ERR_CREDENTIALS_CONFIG', tokenFile])
    const tokens: string[] = []
    const fetch = async (_url: string, init: RequestInit) => {
      tokens.push(new URLSearchParams(String(init.body)).get('WebIdentityToken') ?? '')
      return new Response('<ErrorResponse><Error><Code>InvalidIdentityToken</Code></Error></ErrorResponse>', {
        status: 400,
      })
    }
    const rejected = await failure(
      universal.fromWebIdentity({ env: web, fetch, readFile: async () => 'from-reader' })(),
    )
    expect([rejected.awsCode, tokens]).toEqual(['InvalidIdentityToken', ['from-reader']])
    expect(await universal.resolveRegion({ env: { AWS_DEFAULT_REGION: 'eu-west-1' } })).toBe('eu-west-1')
    expect(await universal.resolveEndpoint('sts', { env: { AWS_ENDPOINT_URL_STS: 'http://sts.local' } })).toBe(
      'http://sts.local',
    )
  })

  it('defaultChain passes timeout to every endpoint, and region to STS, in both builds', async () => {
    // A fetch that never answers: each request waits for its deadline, which is recorded.
    const waits: number[] = []
    const urls: string[] = []
    const hang = (url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        const started = Date.now()
        urls.push(url)
        init.signal?.addEventListener('abort', () => {
          waits.push(Date.now() - started)
          reject(init.signal?.reason)
        })
      })
    const timeout = 100 // the defaults: 1 s (IMDS), 2 s (container), 5 s (STS)
    const imds = { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' }
    const container = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/creds',
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    const web = { AWS_WEB_IDENTITY_TOKEN_FILE: 'token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r', ...container }
    const readFile = async () => 'token'
    const none = { AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), HOME: dir }
    const runs: Array<[string, () => Promise<unknown>, CredentialsError['code']]> = [
      ['universal imds', universal.defaultChain({ env: imds, fetch: hang, timeout }), 'ERR_CREDENTIALS_CHAIN'],
      [
        'universal container',
        universal.defaultChain({ env: container, fetch: hang, timeout }),
        'ERR_CREDENTIALS_TIMEOUT',
      ],
      [
        'universal web identity',
        universal.defaultChain({ env: web, fetch: hang, timeout, readFile, region: 'eu-west-3' }),
        'ERR_CREDENTIALS_TIMEOUT',
      ],
      ['node imds', defaultChain({ env: { ...imds, ...none }, fetch: hang, timeout }), 'ERR_CREDENTIALS_CHAIN'],
    ]
    for (const [name, run, code] of runs) {
      waits.length = 0
      expect((await failure(run())).code, name).toBe(code)
      expect(waits.length, name).toBeGreaterThan(0)
      expect(Math.max(...waits), name).toBeLessThan(900)
    }
    expect(urls.filter((url) => url.includes('sts.')).every((url) => url.startsWith('https://sts.eu-west-3.'))).toBe(
      true,
    )
    expect(urls.some((url) => url.includes('sts.'))).toBe(true)
  })

  it('credential_source Environment with nothing in it, and aws_account_id for a process', async () => {
    const config = file(
      'source-env',
      `[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n[profile p]\ncredential_process = sh ${file('acct.sh', `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"AKIAP","SecretAccessKey":"s"}'\n`)}\naws_account_id = 210987654321\n`,
    )
    const env = {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      HOME: dir,
      PATH: process.env.PATH,
    }
    const error = await failure(fromIni({ env, profile: 'r' })())
    expect([error.code, error.provider, error.profile]).toEqual(['ERR_CREDENTIALS_CONFIG', 'assume-role', 'r'])
    const c = await fromIni({ env, profile: 'p' })()
    expect([c.accessKeyId, c.accountId, c.source, c.secretAccessKey]).toEqual(['AKIAP', '210987654321', 'process', 's'])
  })
})

describe('packaging: the universal entry never reaches Node-only code', () => {
  it('src/credentials/index.ts imports no node: module and no *.node.ts file, transitively', () => {
    const seen = new Set<string>()
    const visit = (path: string) => {
      if (seen.has(path)) return
      seen.add(path)
      const source = readFileSync(path, 'utf8')
      for (const [, spec] of source.matchAll(/(?:import|export)[^'"]*?from\s*'([^']+)'/g)) {
        const s = spec as string
        expect(s.startsWith('node:'), `${path} imports ${s}`).toBe(false)
        if (s.startsWith('.')) {
          expect(s, `${path} imports ${s}`).not.toMatch(/\.node\.js$/)
          visit(resolve(dirname(path), s.replace(/\.js$/, '.ts')))
        } else expect(s, `${path} imports ${s}`).toBe('#crypto')
      }
    }
    visit(fileURLToPath(new URL('../../src/credentials/index.ts', import.meta.url)))
    expect(seen.size).toBeGreaterThan(8)
  })

  it('package.json maps awsig/credentials to the Node build for node, bun and deno, and to the universal one otherwise', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
      exports: Record<string, Record<string, { types: string; default: string }>>
    }
    const entry = pkg.exports['./credentials'] as Record<string, { types: string; default: string }>
    // dist/node/: the build Node, Bun and Deno load (scripts/build.mjs)
    for (const runtime of ['node', 'bun', 'deno'])
      expect(entry[runtime]?.default).toBe('./dist/node/credentials/node.js')
    expect(entry.default?.default).toBe('./dist/credentials/index.js')
    expect(Object.keys(entry).at(-1)).toBe('default')
  })
})
