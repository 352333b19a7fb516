// Behaviour of sign/presign beyond the vector suites: input forms, options, errors, the key cache.
// Runs on both crypto backends (see vitest.config.ts).
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  AwsigError,
  defaultKeyCache,
  EMPTY_SHA256,
  InvalidInputError,
  presign,
  presignRequest,
  SigningKeyCache,
  type SignOptions,
  sign,
  sigv4,
} from '../../src/index.js'

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }
const date = new Date('2015-08-30T12:36:00Z')
const base: SignOptions = {
  url: 'https://example.amazonaws.com/',
  service: 'service',
  region: 'us-east-1',
  credentials,
  date,
}

/** Asserts `promise` rejects with InvalidInputError for `field`, and the secret is nowhere in it. */
async function rejectsFor(promise: Promise<unknown>, field: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(InvalidInputError)
  expect(error).toBeInstanceOf(AwsigError)
  const e = error as InvalidInputError
  expect(e.code).toBe('ERR_INVALID_INPUT')
  expect(e.field).toBe(field)
  expect(e.message.startsWith(`${field}: `)).toBe(true)
  expect(`${e.message}${e.stack}${inspect(e)}${JSON.stringify(e)}`).not.toContain(SECRET)
}

describe('sign', () => {
  it('returns what to send and what was signed', async () => {
    const signed = await sign({ ...base, method: 'post', headers: { 'Content-Type': 'text/plain' }, body: 'hi' })
    expect(signed.method).toBe('POST')
    expect(signed.url).toBe('https://example.amazonaws.com/')
    expect(signed.signedHeaders).toBe('content-type;host;x-amz-date')
    expect(signed.credentialScope).toBe('20150830/us-east-1/service/aws4_request')
    expect(Object.keys(signed.headers).sort()).toEqual(['authorization', 'content-type', 'x-amz-date'])
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${signed.signature}`,
    )
    expect(signed.canonicalRequest.split('\n').at(-1)).toBe(
      '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4', // sha256('hi')
    )
    expect(signed.stringToSign.split('\n').slice(0, 3)).toEqual([
      'AWS4-HMAC-SHA256',
      '20150830T123600Z',
      '20150830/us-east-1/service/aws4_request',
    ])
  })

  it('accepts headers as a record with arrays, as pairs and as Headers, signing the same thing', async () => {
    const fromRecord = await sign({ ...base, headers: { 'X-Multi': ['a', ' b  c '], 'x-one': 1 } })
    const fromPairs = await sign({
      ...base,
      headers: [
        ['x-multi', 'a'],
        ['X-MULTI', ' b  c '],
        ['x-one', '1'],
      ],
    })
    expect(fromPairs.signature).toBe(fromRecord.signature)
    expect(fromRecord.canonicalRequest).toContain('x-multi:a,b c\nx-one:1\n')
    // Sent as signed: each value folded, then joined (a verifier folds the one line it receives).
    expect(fromRecord.headers['x-multi']).toBe('a,b c')
    // A Headers object joins repeated values with ", " (what fetch sends); AWS signs that string.
    const headers = new Headers([
      ['x-multi', 'a'],
      ['x-multi', 'b'],
    ])
    const fromHeaders = await sign({ ...base, headers })
    expect(fromHeaders.canonicalRequest).toContain('x-multi:a, b\n')
  })

  it('sends a header whatever its name, __proto__ included', async () => {
    const signed = await sign({ ...base, headers: [['__proto__', 'x']] })
    expect(signed.signedHeaders).toBe('__proto__;host;x-amz-date')
    expect(Object.entries(signed.headers)).toContainEqual(['__proto__', 'x'])
    expect(Object.getPrototypeOf(signed.headers)).toBe(Object.prototype)
  })

  it('skips undefined and null header values and never signs hop-by-hop or client headers', async () => {
    const signed = await sign({
      ...base,
      headers: {
        'x-gone': undefined,
        'x-null': null,
        'User-Agent': 'me',
        Expect: '100-continue',
        'X-Amzn-Trace-Id': 't',
      },
      unsignedHeaders: ['X-Later'],
    })
    expect(signed.signedHeaders).toBe('host;x-amz-date')
    expect(signed.headers['user-agent']).toBe('me')
    expect(signed.headers).not.toHaveProperty('x-gone')
    const withLater = await sign({ ...base, headers: { 'x-later': 'v' }, unsignedHeaders: ['X-Later'] })
    expect(withLater.signedHeaders).toBe('host;x-amz-date')
    expect(withLater.headers['x-later']).toBe('v')
  })

  it('hashes every body type the same way', async () => {
    const bytes = new TextEncoder().encode('héllo')
    const hashes = await Promise.all(
      ['héllo', bytes, bytes.buffer, new DataView(bytes.buffer), Buffer.from('héllo')].map(async (body) => {
        const signed = await sign({ ...base, method: 'PUT', body })
        return signed.canonicalRequest.split('\n').at(-1)
      }),
    )
    expect(new Set(hashes).size).toBe(1)
    const view = new Uint8Array([0, ...bytes, 0]).subarray(1, bytes.length + 1)
    expect((await sign({ ...base, body: view })).canonicalRequest.split('\n').at(-1)).toBe(hashes[0])
    const form = await sign({ ...base, body: new URLSearchParams({ a: 'b c' }) })
    const formString = await sign({ ...base, body: 'a=b+c' })
    expect(form.signature).toBe(formString.signature)
    expect((await sign({ ...base, body: '' })).canonicalRequest.endsWith(EMPTY_SHA256)).toBe(true)
  })

  it('uses payloadHash over the body, and an x-amz-content-sha256 header as the payload hash', async () => {
    const given = await sign({ ...base, body: 'ignored', payloadHash: 'UNSIGNED-PAYLOAD' })
    expect(given.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true)
    const header = await sign({ ...base, headers: { 'X-Amz-Content-Sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' } })
    expect(header.canonicalRequest.endsWith('\nSTREAMING-UNSIGNED-PAYLOAD-TRAILER')).toBe(true)
    expect(header.signedHeaders).toContain('x-amz-content-sha256')
  })

  it('sends and signs x-amz-content-sha256 for S3 by default, and on request elsewhere', async () => {
    const s3 = await sign({ ...base, service: 's3', url: 'https://b.s3.amazonaws.com/k' })
    expect(s3.headers['x-amz-content-sha256']).toBe(EMPTY_SHA256)
    expect(s3.signedHeaders).toBe('host;x-amz-content-sha256;x-amz-date')
    expect((await sign(base)).headers).not.toHaveProperty('x-amz-content-sha256')
    expect((await sign({ ...base, contentHashHeader: true })).headers['x-amz-content-sha256']).toBe(EMPTY_SHA256)
    const s3Without = await sign({
      ...base,
      service: 's3',
      url: 'https://b.s3.amazonaws.com/k',
      contentHashHeader: false,
    })
    expect(s3Without.headers).not.toHaveProperty('x-amz-content-sha256')
  })

  it('signs the session token, or adds it after signing when asked (IoT)', async () => {
    const temp = { ...credentials, sessionToken: 'TOKEN/+=' }
    const signed = await sign({ ...base, credentials: temp })
    expect(signed.signedHeaders).toBe('host;x-amz-date;x-amz-security-token')
    expect(signed.headers['x-amz-security-token']).toBe('TOKEN/+=')
    const after = await sign({ ...base, credentials: temp, signSessionToken: false })
    expect(after.signedHeaders).toBe('host;x-amz-date')
    expect(after.signature).toBe((await sign(base)).signature)
    expect(after.headers['x-amz-security-token']).toBe('TOKEN/+=')
  })

  it('keeps a non-default port in the host, drops a default one, and lower-cases the host', async () => {
    const host = async (url: string) => (await sign({ ...base, url })).canonicalRequest.split('\n')[3]
    expect(await host('http://127.0.0.1:5000/')).toBe('host:127.0.0.1:5000')
    expect(await host('https://Example.AmazonAWS.com:443/')).toBe('host:example.amazonaws.com')
    expect(await host('http://example.amazonaws.com:80/')).toBe('host:example.amazonaws.com')
    expect(await host('https://example.amazonaws.com:80/')).toBe('host:example.amazonaws.com:80')
    expect(await host('http://[::1]:8080/x')).toBe('host:[::1]:8080')
    expect(await host('https://h.example:0443/')).toBe('host:h.example')
    expect(await host('http://h.example:08080/')).toBe('host:h.example:8080')
    expect((await sign({ ...base, url: 'http://h.example:08080/' })).url).toBe('http://h.example:8080/')
    expect(await host('https://bücher.example/')).toBe('host:xn--bcher-kva.example')
  })

  it('S3: keeps the path as written, encodes each segment once, and sends exactly what it signed', async () => {
    const s3 = { ...base, service: 's3' }
    const signed = await sign({ ...s3, url: "https://b.s3.amazonaws.com/photos//a b+c/./../x!'()*$é%2F~?list-type=2" })
    const path = signed.canonicalRequest.split('\n')[1]
    // An escaped slash in a key is sent and signed as the slash it stands for (issue 8, fix 3).
    expect(path).toBe('/photos//a%20b%2Bc/./../x%21%27%28%29%2A%24%C3%A9/~')
    expect(signed.url).toBe(`https://b.s3.amazonaws.com${path}?list-type=2`)
    // An escaped dot segment is a dot segment to S3 (and to WHATWG URL parsers, which resolve even
    // `%2E%2E`: such keys need a client that sends the path as given).
    const escaped = await sign({ ...s3, url: 'https://b.s3.amazonaws.com/a/%2E%2E/b' })
    expect(escaped.canonicalRequest.split('\n')[1]).toBe('/a/../b')
  })

  it('other services: normalises the signed path and encodes the wire path once more', async () => {
    const signed = await sign({ ...base, url: 'https://x.amazonaws.com/a//b/./c/../d%3A e/' })
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/a/b/d%253A%2520e/')
    expect(signed.url).toBe('https://x.amazonaws.com/a//b/./c/../d%3A%20e/')
    const raw = await sign({
      ...base,
      url: 'https://x.amazonaws.com/a//b',
      normalizePath: false,
      doubleEncodePath: false,
    })
    expect(raw.canonicalRequest.split('\n')[1]).toBe('/a//b')
  })

  it('re-encodes the query: + is a space, duplicates kept, sorted by key then value', async () => {
    const signed = await sign({ ...base, url: 'https://x.amazonaws.com/?b=2&a=z&a=y&a&c=x+y%2By&%E1%88%B4=%zz#frag' })
    expect(signed.canonicalRequest.split('\n')[2]).toBe('%E1%88%B4=%25zz&a=&a=y&a=z&b=2&c=x%20y%2By')
    expect(signed.url).toBe('https://x.amazonaws.com/?b=2&a=z&a=y&a=&c=x%20y%2By&%E1%88%B4=%25zz')
  })

  it('signs a URL object like the equivalent string', async () => {
    const url = new URL('https://x.amazonaws.com/a%20b?q=1')
    expect((await sign({ ...base, url })).signature).toBe((await sign({ ...base, url: url.href })).signature)
  })

  it('sends a host header it signed when it differs from the URL, and none when it is the URL host', async () => {
    const other = await sign({ ...base, headers: { Host: 'Other.example:8443' } })
    expect(other.headers.host).toBe('Other.example:8443')
    expect(other.canonicalRequest).toContain('\nhost:Other.example:8443\n')
    const same = await sign({ ...base, headers: { host: 'EXAMPLE.amazonaws.com' } })
    expect(same.headers.host).toBeUndefined()
    expect(same.signature).toBe((await sign(base)).signature)
  })

  it('sends repeated header values as they were signed: each trimmed and folded (issue 8, fix 1)', async () => {
    const signed = await sign({ ...base, headers: { 'x-amz-meta-m': ['one ', ' two  three'] } })
    expect(signed.canonicalRequest).toContain('\nx-amz-meta-m:one,two three\n')
    expect(signed.headers['x-amz-meta-m']).toBe('one,two three')
    const presigned = await presignRequest({ ...base, headers: { 'x-amz-meta-m': ['one ', 'two'] } })
    expect(presigned.headers['x-amz-meta-m']).toBe('one,two')
  })

  it("gives S3's rules to S3's other signing names (issue 8, fix 2)", async () => {
    for (const service of ['s3-object-lambda', 's3-outposts', 's3express']) {
      const signed = await sign({ ...base, service, url: 'https://b.example.com/a//b/../c d' })
      expect(signed.canonicalRequest.split('\n')[1]).toBe('/a//b/../c%20d')
      expect(signed.headers['x-amz-content-sha256']).toBe(EMPTY_SHA256)
    }
  })

  it('takes a credentials provider, awaited once per call', async () => {
    let calls = 0
    const provider = async () => {
      calls++
      return credentials
    }
    const signed = await sign({ ...base, credentials: provider })
    expect(signed.signature).toBe((await sign(base)).signature)
    expect(await presign({ ...base, credentials: provider })).toBe(await presign(base))
    expect(calls).toBe(2)
  })

  it('returns the payload hash and x-amz-date it signed', async () => {
    const signed = await sign({ ...base, body: 'hi' })
    expect(signed.payloadHash).toBe('8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4')
    expect(signed.amzDate).toBe('20150830T123600Z')
    const presigned = await presignRequest({ ...base, service: 's3' })
    expect(presigned.payloadHash).toBe('UNSIGNED-PAYLOAD')
    expect(presigned.amzDate).toBe('20150830T123600Z')
  })

  it('is a pure function of its inputs', async () => {
    expect((await sign(base)).signature).toBe((await sign({ ...base, keyCache: null })).signature)
    expect((await sign(base)).signature).not.toBe(
      (await sign({ ...base, date: new Date(date.getTime() + 1000) })).signature,
    )
  })
})

describe('presign', () => {
  it('returns a URL carrying every auth parameter and the signature', async () => {
    const url = new URL(await presign({ ...base, service: 's3', url: 'https://b.s3.amazonaws.com/k', expiresIn: 600 }))
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256')
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request')
    expect(url.searchParams.get('X-Amz-Date')).toBe('20150830T123600Z')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600')
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host')
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('uses UNSIGNED-PAYLOAD for S3 and the body hash elsewhere', async () => {
    const s3 = await presignRequest({ ...base, service: 's3', url: 'https://b.s3.amazonaws.com/k' })
    expect(s3.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true)
    const other = await presignRequest({ ...base, body: 'hi' })
    expect(other.canonicalRequest.endsWith('\n8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4')).toBe(
      true,
    )
  })

  it('signs given headers, and moves x-amz-* ones into the query when asked', async () => {
    const headers = { 'x-amz-acl': 'private', 'content-type': 'image/png' }
    const kept = await presignRequest({ ...base, headers })
    expect(kept.signedHeaders).toBe('content-type;host;x-amz-acl')
    expect(kept.headers).toEqual(headers)
    const hoisted = await presignRequest({ ...base, headers, hoistHeaders: true })
    expect(hoisted.signedHeaders).toBe('content-type;host')
    expect(hoisted.headers).toEqual({ 'content-type': 'image/png' })
    expect(new URL(hoisted.url).searchParams.get('x-amz-acl')).toBe('private')
  })

  it('puts the session token in the query, signed or (when asked) after the signature', async () => {
    const temp = { ...credentials, sessionToken: 'T/+=' }
    const signed = new URL((await presignRequest({ ...base, credentials: temp })).url)
    expect(signed.searchParams.get('X-Amz-Security-Token')).toBe('T/+=')
    const after = await presignRequest({ ...base, credentials: temp, signSessionToken: false })
    expect(after.url.endsWith(`X-Amz-Signature=${after.signature}&X-Amz-Security-Token=T%2F%2B%3D`)).toBe(true)
    expect(after.canonicalRequest).not.toContain('Security-Token')
  })

  it('replaces auth parameters already in the URL', async () => {
    const first = await presign(base)
    const again = await presign({ ...base, url: first })
    expect(again).toBe(first)
  })

  it.each([0, -1, 604801, 1.5, Number.NaN, '60'])('rejects expiresIn %s', async (expiresIn) => {
    await rejectsFor(presign({ ...base, expiresIn: expiresIn as number }), 'expiresIn')
  })

  it('accepts expiresIn 1 and 604800', async () => {
    expect(await presign({ ...base, expiresIn: 1 })).toContain('X-Amz-Expires=1&')
    expect(await presign({ ...base, expiresIn: 604800 })).toContain('X-Amz-Expires=604800&')
  })
})

describe('bad input', () => {
  const cases: Array<[string, Partial<Record<keyof SignOptions, unknown>>, string]> = [
    ['no credentials', { credentials: undefined }, 'credentials'],
    ['missing access key', { credentials: { secretAccessKey: SECRET } }, 'credentials.accessKeyId'],
    ['numeric access key', { credentials: { accessKeyId: 1, secretAccessKey: SECRET } }, 'credentials.accessKeyId'],
    ['empty access key', { credentials: { accessKeyId: '', secretAccessKey: SECRET } }, 'credentials.accessKeyId'],
    ['missing secret', { credentials: { accessKeyId: 'AKID' } }, 'credentials.secretAccessKey'],
    ['empty secret', { credentials: { accessKeyId: 'AKID', secretAccessKey: '' } }, 'credentials.secretAccessKey'],
    ['bad token', { credentials: { ...credentials, sessionToken: 42 } }, 'credentials.sessionToken'],
    ['token with a newline', { credentials: { ...credentials, sessionToken: 'FwoG\n' } }, 'credentials.sessionToken'],
    ['token with a space', { credentials: { ...credentials, sessionToken: 'Fwo G' } }, 'credentials.sessionToken'],
    ['empty token', { credentials: { ...credentials, sessionToken: '' } }, 'credentials.sessionToken'],
    ['access key with NUL', { credentials: { ...credentials, accessKeyId: 'AKID\0' } }, 'credentials.accessKeyId'],
    ['access key beyond ASCII', { credentials: { ...credentials, accessKeyId: 'AKID€' } }, 'credentials.accessKeyId'],
    ['access key with slash', { credentials: { ...credentials, accessKeyId: 'AK/ID' } }, 'credentials.accessKeyId'],
    ['port 0', { url: 'https://example.com:0/' }, 'url'],
    ['port 99999', { url: 'https://example.com:99999/' }, 'url'],
    ['empty region', { region: '' }, 'region'],
    ['region with slash', { region: 'us/east' }, 'region'],
    ['numeric service', { service: 3 }, 'service'],
    ['service with space', { service: 's 3' }, 'service'],
    ['relative url', { url: '/path' }, 'url'],
    ['ftp url', { url: 'ftp://example.com/' }, 'url'],
    ['url without host', { url: 'https:///path' }, 'url'],
    ['url with user info', { url: 'https://user:pw@example.com/' }, 'url'],
    ['url as number', { url: 42 }, 'url'],
    ['invalid date', { date: new Date('nope') }, 'date'],
    ['date as string', { date: '2015-08-30' }, 'date'],
    ['bad method', { method: 'GET /' }, 'method'],
    ['header with CR LF', { headers: { 'x-a': 'v\r\nx-injected: 1' } }, 'headers["x-a"]'],
    ['header with NUL', { headers: { 'x-a': 'v\0' } }, 'headers["x-a"]'],
    ['header beyond Latin-1', { headers: { 'x-a': 'ሴ' } }, 'headers["x-a"]'],
    ['bad header name', { headers: { 'x a': 'v' } }, 'headers["x a"]'],
    ['object header value', { headers: { 'x-a': {} } }, 'headers["x-a"]'],
    ['headers as string', { headers: 'x-a: 1' }, 'headers'],
    ['bad pair', { headers: [['x-a']] }, 'headers'],
    ['stream body', { body: new ReadableStream() }, 'body'],
    ['blob body', { body: new Blob(['x']) }, 'body'],
    ['bad payload hash', { payloadHash: 'ABC' }, 'payloadHash'],
    ['upper-case hex hash', { payloadHash: EMPTY_SHA256.toUpperCase() }, 'payloadHash'],
    ['bad content hash header', { headers: { 'x-amz-content-sha256': 'x' } }, 'headers["x-amz-content-sha256"]'],
    ['unsignedHeaders not array', { unsignedHeaders: 'x' }, 'unsignedHeaders'],
    ['x-amz-date left unsigned', { unsignedHeaders: ['X-Amz-Date'] }, 'unsignedHeaders'],
    ['x-amz-content-sha256 left unsigned', { unsignedHeaders: ['x-amz-content-sha256'] }, 'unsignedHeaders'],
    ['x-amz-security-token left unsigned', { unsignedHeaders: ['x-amz-security-token'] }, 'unsignedHeaders'],
    ['upper-case service', { service: 'S3' }, 'service'],
    ['upper-case region', { region: 'US-EAST-1' }, 'region'],
    ['regionSet without a region-set algorithm', { regionSet: ['us-east-1'] }, 'regionSet'],
    ['algorithm that is not one', { algorithm: 'sigv4a' }, 'algorithm'],
    [
      'credentials provider returning nothing',
      { credentials: async () => undefined },
      'credentials (returned by the provider)',
    ],
    [
      'host header given twice',
      {
        headers: [
          ['host', 'a.example'],
          ['host', 'b.example'],
        ],
      },
      'headers["host"]',
    ],
  ]
  it.each(cases)('%s', async (_name, change, field) => {
    await rejectsFor(sign({ ...base, ...change } as SignOptions), field)
  })

  it('rejects non-object options', async () => {
    await rejectsFor(sign(null as unknown as SignOptions), 'options')
  })

  it('says the right spelling of an upper-case signing name or region, and what an invalid date is', async () => {
    const error = (change: Partial<Record<keyof SignOptions, unknown>>) =>
      sign({ ...base, ...change } as SignOptions).then(
        () => undefined,
        (e: InvalidInputError) => e.message,
      )
    expect(await error({ service: 'S3' })).toContain('"s3"')
    expect(await error({ region: 'US-EAST-1' })).toContain('"us-east-1"')
    expect(await error({ date: new Date('nope') })).toContain('got an Invalid Date')
  })

  it('validates before hashing anything', async () => {
    // The body would be hashed first if validation came late; a bad region must win.
    await rejectsFor(sign({ ...base, body: new Uint8Array(10), region: '' }), 'region')
  })
})

describe('SigningKeyCache', () => {
  it('caches one key per credentials, day, region and service, bounded, least recently used first', async () => {
    const keyCache = new SigningKeyCache({ maxEntries: 2 })
    await sign({ ...base, keyCache })
    await sign({ ...base, keyCache })
    expect(keyCache.size).toBe(1)
    await sign({ ...base, keyCache, region: 'eu-west-1' })
    await sign({ ...base, keyCache }) // refresh the first key
    await sign({ ...base, keyCache, service: 'other' })
    expect(keyCache.size).toBe(2)
    keyCache.clear()
    expect(keyCache.size).toBe(0)
  })

  it('finds a cached key without a promise on both backends (WebCrypto hashes the fingerprint once)', async () => {
    const keyCache = new SigningKeyCache()
    const first = await sigv4.key(credentials, '20150830', 'us-east-1', 'service', keyCache)
    await sign({ ...base, keyCache }) // the fingerprint's promise has settled by now
    const again = sigv4.key(credentials, '20150830', 'us-east-1', 'service', keyCache)
    expect(again).not.toBeInstanceOf(Promise)
    expect(again).toBe(first)
  })

  it('notices a changed secret on the same credentials object', async () => {
    const keyCache = new SigningKeyCache()
    const mutable = { accessKeyId: 'AKID', secretAccessKey: 'one' }
    const first = await sign({ ...base, credentials: mutable, keyCache })
    mutable.secretAccessKey = 'two'
    const second = await sign({ ...base, credentials: mutable, keyCache })
    expect(second.signature).not.toBe(first.signature)
    expect(second.signature).toBe((await sign({ ...base, credentials: { ...mutable }, keyCache: null })).signature)
  })

  it('never shows a secret or a key', async () => {
    const keyCache = new SigningKeyCache()
    await sign({ ...base, keyCache })
    expect(inspect(keyCache)).toBe('SigningKeyCache { size: 1, maxEntries: 50 }')
    expect(JSON.stringify(keyCache)).toBe('{"size":1,"maxEntries":50}')
    expect(inspect(defaultKeyCache)).not.toContain(SECRET)
  })

  it('rejects a bad size', () => {
    expect(() => new SigningKeyCache({ maxEntries: 0 })).toThrow(RangeError)
  })
})
