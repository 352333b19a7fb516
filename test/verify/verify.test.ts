// verifyRequest against awsig's own signer: header, presigned and aws-chunked requests, and the refusals.
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { checksumState } from '../../src/chunked/checksum.js'
import { presignRequest, sign, signChunked, VerificationError } from '../../src/index.js'
import { concat } from '../../src/lib/hex.js'
import { createReplayCache, s3ErrorXml, verifyRequest } from '../../src/verify/index.js'

const credentials = { accessKeyId: 'AKIDVERIFY', secretAccessKey: 'secret/with+chars=' }
const date = new Date('2026-03-04T05:06:07Z')
const now = () => date.getTime()
const options = { credentials, service: 's3', region: 'us-east-1', now }

const text = async (stream: ReadableStream<Uint8Array> | null) =>
  stream === null ? null : new TextDecoder().decode(await new Response(stream).arrayBuffer())

async function refusal(promise: Promise<unknown>): Promise<VerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(VerificationError)
  return error as VerificationError
}

describe('header-signed requests', () => {
  it('verifies a PUT with its body and reads it back', async () => {
    const body = 'hello, verifier'
    const signed = await sign({
      method: 'PUT',
      url: 'https://b.s3.amazonaws.com/a b/c+d',
      body,
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    const verified = await verifyRequest({ method: 'PUT', url: signed.url, headers: signed.headers, body }, options)
    expect(verified).toMatchObject({
      accessKeyId: 'AKIDVERIFY',
      service: 's3',
      region: 'us-east-1',
      presigned: false,
      algorithm: 'AWS4-HMAC-SHA256',
    })
    expect(verified.signedHeaders).toEqual(signed.signedHeaders.split(';'))
    expect(await text(verified.body)).toBe(body)
  })

  it('verifies a WHATWG Request', async () => {
    const signed = await sign({
      method: 'POST',
      url: 'https://sts.amazonaws.com/',
      body: 'Action=GetCallerIdentity',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      service: 'sts',
      region: 'us-east-1',
      credentials,
      date,
    })
    const request = new Request(signed.url, {
      method: 'POST',
      headers: signed.headers,
      body: 'Action=GetCallerIdentity',
    })
    const verified = await verifyRequest(request, { credentials, now })
    expect(verified.service).toBe('sts')
    expect(await text(verified.body)).toBe('Action=GetCallerIdentity')
  })

  it('errors the body stream at its end when it does not hash to x-amz-content-sha256', async () => {
    const signed = await sign({
      method: 'PUT',
      url: 'https://b.s3.amazonaws.com/k',
      body: 'right',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    const stream = new Response('wrong').body as ReadableStream<Uint8Array>
    const verified = await verifyRequest(
      { method: 'PUT', url: signed.url, headers: signed.headers, body: stream },
      options,
    )
    const error = await refusal(text(verified.body))
    expect([error.code, error.status, error.awsCode]).toEqual([
      'ERR_CONTENT_SHA256_MISMATCH',
      400,
      'XAmzContentSHA256Mismatch',
    ])
    // A body given whole is checked at once.
    const whole = await refusal(
      verifyRequest({ method: 'PUT', url: signed.url, headers: signed.headers, body: 'wrong' }, options),
    )
    expect(whole.code).toBe('ERR_CONTENT_SHA256_MISMATCH')
  })

  it('refuses a wrong secret, an unknown key, a skewed clock, a wrong region', async () => {
    const signed = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    const request = { url: signed.url, headers: signed.headers }
    const wrong = await refusal(
      verifyRequest(request, { ...options, credentials: { ...credentials, secretAccessKey: 'other' } }),
    )
    expect([wrong.code, wrong.status, wrong.awsCode]).toEqual(['ERR_SIGNATURE_MISMATCH', 403, 'SignatureDoesNotMatch'])
    expect(wrong.canonicalRequest).toBe(signed.canonicalRequest)
    expect(wrong.stringToSign).toBe(signed.stringToSign)
    const unknown = await refusal(verifyRequest(request, { ...options, credentials: () => undefined }))
    expect([unknown.code, unknown.status, unknown.awsCode]).toEqual([
      'ERR_UNKNOWN_ACCESS_KEY',
      403,
      'InvalidAccessKeyId',
    ])
    const skewed = await refusal(verifyRequest(request, { ...options, now: () => now() + 16 * 60_000 }))
    expect([skewed.code, skewed.awsCode]).toEqual(['ERR_CLOCK_SKEW', 'RequestTimeTooSkewed'])
    expect((await verifyRequest(request, { ...options, now: () => now() - 14 * 60_000 })).accessKeyId).toBe(
      'AKIDVERIFY',
    )
    const region = await refusal(verifyRequest(request, { ...options, region: 'eu-west-1' }))
    expect([region.code, region.awsCode]).toEqual(['ERR_SCOPE_MISMATCH', 'AuthorizationHeaderMalformed'])
  })

  it('checks session tokens: signed, and the one issued with the key', async () => {
    const temporary = { ...credentials, sessionToken: 'token-1' }
    const signed = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials: temporary,
      date,
    })
    const request = { url: signed.url, headers: signed.headers }
    expect((await verifyRequest(request, { ...options, credentials: temporary })).sessionToken).toBe(true)
    const other = await refusal(
      verifyRequest(request, { ...options, credentials: { ...temporary, sessionToken: 'token-2' } }),
    )
    expect([other.code, other.awsCode]).toEqual(['ERR_INVALID_TOKEN', 'InvalidToken'])
    const none = await refusal(verifyRequest(request, options))
    expect(none.code).toBe('ERR_INVALID_TOKEN')
    const unsigned = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials: temporary,
      date,
      signSessionToken: false,
    })
    const notSigned = await refusal(
      verifyRequest({ url: unsigned.url, headers: unsigned.headers }, { ...options, credentials: temporary }),
    )
    expect(notSigned.code).toBe('ERR_INVALID_TOKEN')
  })

  it('refuses malformed authorization with typed errors', async () => {
    const signed = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    const auth = signed.headers.authorization as string
    const cases: Array<[string, string]> = [
      [auth.replace('SignedHeaders=host;', 'SignedHeaders='), 'ERR_AUTH_MALFORMED'],
      [
        auth.replace('host;x-amz-content-sha256;x-amz-date', 'host;x-amz-date;x-amz-content-sha256'),
        'ERR_AUTH_MALFORMED',
      ],
      [auth.replace('x-amz-date', 'x-amz-date;x-amz-missing'), 'ERR_AUTH_MALFORMED'],
      [auth.replace(/Signature=\w+/, 'Signature=XYZ'), 'ERR_AUTH_MALFORMED'],
      [`${auth}, Signature=${'0'.repeat(64)}`, 'ERR_AUTH_MALFORMED'],
      [auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'), 'ERR_AUTH_MALFORMED'],
      [auth.replace('/aws4_request', '/aws5_request'), 'ERR_AUTH_MALFORMED'],
      [auth.replace('20260304/', '20260305/'), 'ERR_SCOPE_MISMATCH'],
      ['AWS4-HMAC-SHA256', 'ERR_AUTH_MALFORMED'],
      [`AWS4-HMAC-SHA256 ${'x'.repeat(10_000)}`, 'ERR_AUTH_MALFORMED'],
    ]
    for (const [authorization, code] of cases) {
      const error = await refusal(
        verifyRequest({ url: signed.url, headers: { ...signed.headers, authorization } }, options),
      )
      expect(error.code, authorization.slice(0, 120)).toBe(code)
      expect(error.status).toBeGreaterThanOrEqual(400)
    }
    const both = await refusal(
      verifyRequest({ url: `${signed.url}?X-Amz-Signature=${'0'.repeat(64)}`, headers: signed.headers }, options),
    )
    expect([both.code, both.awsCode]).toEqual(['ERR_AUTH_MALFORMED', 'InvalidArgument'])
    const none = await refusal(verifyRequest({ url: signed.url }, options))
    expect([none.code, none.status, none.awsCode]).toEqual(['ERR_NOT_SIGNED', 403, 'AccessDenied'])
  })
})

describe('the verified path', () => {
  it('is the path the signature covers: dot segments and empty ones resolved where the rules say (not S3)', async () => {
    const signed = await sign({
      url: 'https://api.example.com/public/x',
      service: 'execute-api',
      region: 'us-east-1',
      credentials,
      date,
    })
    // The same signature covers a target that a router not resolving `..` would send elsewhere.
    const verified = await verifyRequest(
      { url: 'https://api.example.com/admin/../public//x', headers: signed.headers },
      { ...options, service: 'execute-api' },
    )
    expect(verified.path).toBe('/public/x')
    const s3 = await sign({
      url: 'https://b.s3.amazonaws.com/a/../b%20c',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    expect((await verifyRequest({ url: s3.url, headers: s3.headers }, options)).path).toBe('/a/../b%20c')
  })
})

describe('services without x-amz-content-sha256', () => {
  it('hash the body first, up to maxBufferedBody', async () => {
    const body = 'x'.repeat(2000)
    const signed = await sign({
      method: 'POST',
      url: 'https://sqs.us-east-1.amazonaws.com/',
      body,
      service: 'sqs',
      region: 'us-east-1',
      credentials,
      date,
    })
    const request = () => ({
      method: 'POST',
      url: signed.url,
      headers: signed.headers,
      body: new Response(body).body as ReadableStream<Uint8Array>,
    })
    const verified = await verifyRequest(request(), { credentials, now })
    expect(await text(verified.body)).toBe(body)
    const large = await refusal(verifyRequest(request(), { credentials, now, maxBufferedBody: 1000 }))
    expect([large.code, large.awsCode]).toEqual(['ERR_INVALID_REQUEST', 'EntityTooLarge'])
    const changed = await refusal(verifyRequest({ ...request(), body: 'y'.repeat(2000) }, { credentials, now }))
    expect(changed.awsCode).toBe('SignatureDoesNotMatch')
  })
})

describe('presigned URLs', () => {
  it('verifies until expiry, refuses before and after', async () => {
    const { url } = await presignRequest({
      url: 'https://b.s3.amazonaws.com/a/b c',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
      expiresIn: 60,
    })
    const verified = await verifyRequest({ url }, { ...options, now: () => now() + 59_000 })
    expect(verified.presigned).toBe(true)
    expect(verified.expiresAt?.getTime()).toBe(now() + 60_000)
    expect(verified.payloadHash).toBe('UNSIGNED-PAYLOAD')
    const expired = await refusal(verifyRequest({ url }, { ...options, now: () => now() + 61_000 }))
    expect([expired.code, expired.status, expired.awsCode]).toEqual(['ERR_EXPIRED', 403, 'AccessDenied'])
    const early = await refusal(verifyRequest({ url }, { ...options, now: () => now() - 16 * 60_000 }))
    expect([early.code, early.awsCode]).toEqual(['ERR_NOT_YET_VALID', 'AccessDenied'])
    const tooLong = await refusal(
      verifyRequest({ url: url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') }, options),
    )
    expect([tooLong.code, tooLong.awsCode]).toEqual(['ERR_AUTH_MALFORMED', 'AuthorizationQueryParametersError'])
    const twice = await refusal(verifyRequest({ url: `${url}&X-Amz-Date=20260304T050607Z` }, options))
    expect(twice.code).toBe('ERR_AUTH_MALFORMED')
    const missing = await refusal(verifyRequest({ url: url.replace(/X-Amz-Credential=[^&]*&/, '') }, options))
    expect([missing.code, missing.awsCode]).toEqual(['ERR_AUTH_MALFORMED', 'AuthorizationQueryParametersError'])
    const nonHex = await refusal(
      verifyRequest({ url: url.replace(/X-Amz-Signature=\w+/, 'X-Amz-Signature=zz') }, options),
    )
    expect(nonHex.code).toBe('ERR_AUTH_MALFORMED')
  })

  it('verifies a presigned URL with a session token', async () => {
    const temporary = { ...credentials, sessionToken: 'tok/en+=' }
    const { url } = await presignRequest({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials: temporary,
      date,
    })
    expect((await verifyRequest({ url }, { ...options, credentials: temporary })).sessionToken).toBe(true)
    expect((await refusal(verifyRequest({ url }, options))).code).toBe('ERR_INVALID_TOKEN')
    // A URL signed without the token, the token sent in a header it does not sign: refused unless asked.
    const bare = await presignRequest({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    const inHeader = { url: bare.url, headers: { 'x-amz-security-token': temporary.sessionToken } }
    const unsigned = await refusal(verifyRequest(inHeader, { ...options, credentials: temporary }))
    expect([unsigned.code, unsigned.awsCode]).toEqual(['ERR_INVALID_TOKEN', 'InvalidToken'])
    const lenient = { ...options, credentials: temporary, requireSignedSessionToken: false }
    expect((await verifyRequest(inHeader, lenient)).sessionToken).toBe(true)
  })
})

describe('aws-chunked bodies', () => {
  const payload = new Uint8Array(100_000).map((_, i) => (i * 7) & 255)
  for (const mode of ['signed', 'signed-trailer', 'unsigned-trailer'] as const) {
    it(`verifies ${mode} and refuses a flipped byte`, async () => {
      const signed = await signChunked({
        method: 'PUT',
        url: 'https://b.s3.amazonaws.com/big',
        service: 's3',
        region: 'us-east-1',
        credentials,
        date,
        body: payload,
        contentLength: payload.length,
        mode,
        chunkSize: 8192,
      })
      const encoded = new Uint8Array(await new Response(signed.body).arrayBuffer())
      const verified = await verifyRequest(
        { method: 'PUT', url: signed.url, headers: signed.headers, body: encoded },
        options,
      )
      expect(new Uint8Array(await new Response(verified.body).arrayBuffer())).toEqual(payload)
      if (mode !== 'signed') expect(Object.keys(verified.trailers)).toEqual(['x-amz-checksum-crc32'])
      const tampered = encoded.slice()
      tampered[20_000] = (tampered[20_000] as number) ^ 1
      const again = await verifyRequest(
        { method: 'PUT', url: signed.url, headers: signed.headers, body: tampered },
        options,
      )
      const error = await refusal(new Response(again.body).arrayBuffer())
      expect(error.awsCode).toBe(mode === 'unsigned-trailer' ? 'BadDigest' : 'SignatureDoesNotMatch')
    })
  }

  describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER as other SDKs frame it', () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 13) & 255)
    const crc = checksumState('crc32')
    crc.update(data)
    const checksum = crc.digest()
    const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
    const frame = (size: string, trailer: string) =>
      concat(
        [latin1(`${size}\r\n`), data, latin1(`\r\n0\r\n${trailer}\r\n`)],
        data.length + size.length + 9 + trailer.length,
      )
    async function request(announced: string | undefined, body: Uint8Array) {
      const signed = await sign({
        method: 'PUT',
        url: 'https://b.s3.amazonaws.com/rust',
        service: 's3',
        region: 'us-east-1',
        credentials,
        date,
        payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '1000',
          ...(announced === undefined ? {} : { 'x-amz-trailer': announced }),
        },
      })
      return verifyRequest({ method: 'PUT', url: signed.url, headers: signed.headers, body }, options)
    }

    it('upper-case hex chunk sizes (the AWS SDK for Rust and aws-c-s3 write "%X")', async () => {
      // aws-smithy-http's AwsChunkedBody: format!("{:X?}{CRLF}", len); aws-c-s3's chunk stream: "%" PRIX64.
      const verified = await request('x-amz-checksum-crc32', frame('3E8', `x-amz-checksum-crc32:${checksum}\r\n`))
      expect(new Uint8Array(await new Response(verified.body).arrayBuffer())).toEqual(data)
      expect(verified.trailers).toEqual({ 'x-amz-checksum-crc32': checksum })
    })

    it('refuses a trailer that x-amz-trailer did not announce: its checksum would go unchecked', async () => {
      for (const value of [checksum, 'AAAAAA==']) {
        const verified = await request(undefined, frame('3e8', `x-amz-checksum-crc32:${value}\r\n`))
        const error = await refusal(new Response(verified.body).arrayBuffer())
        expect([error.code, error.awsCode]).toEqual(['ERR_MALFORMED_CHUNK', 'InvalidRequest'])
      }
    })

    it('refuses an announced x-amz-checksum-* of an algorithm it cannot check', async () => {
      const error = await refusal(request('x-amz-checksum-md5', frame('3e8', 'x-amz-checksum-md5:AAAA\r\n')))
      expect([error.code, error.status, error.awsCode]).toEqual(['ERR_INVALID_REQUEST', 400, 'InvalidRequest'])
    })
  })

  it('needs x-amz-decoded-content-length', async () => {
    const signed = await sign({
      method: 'PUT',
      url: 'https://b.s3.amazonaws.com/big',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    })
    const error = await refusal(
      verifyRequest({ method: 'PUT', url: signed.url, headers: signed.headers, body: 'x' }, options),
    )
    expect([error.status, error.awsCode]).toEqual([411, 'MissingContentLength'])
  })
})

describe('helpers', () => {
  it('refuses a replayed signature when given a replay cache', async () => {
    const replay = createReplayCache({ now })
    const signed = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials,
      date,
    })
    await verifyRequest({ url: signed.url, headers: signed.headers }, { ...options, replay: replay.check })
    const error = await refusal(
      verifyRequest({ url: signed.url, headers: signed.headers }, { ...options, replay: replay.check }),
    )
    expect([error.code, error.awsCode]).toEqual(['ERR_REPLAYED', 'AccessDenied'])
  })

  it('forgets from the oldest signature when full, with the expired ones after it, and never grows past its bound', () => {
    let time = 10
    const cache = createReplayCache({ maxEntries: 3, now: () => time })
    expect([cache.check('a', 100), cache.check('b', 50), cache.check('c', 200)]).toEqual([false, false, false])
    time = 60
    // Full: 'a' (the oldest, still valid) goes, then 'b' (expired); 'c' stays.
    expect(cache.check('d', 300)).toBe(false)
    expect(cache.size).toBe(2)
    expect([cache.check('c', 200), cache.check('d', 300)]).toEqual([true, true])
    // An expired signature seen again is new: remembered anew, at the end.
    time = 250
    expect(cache.check('c', 400)).toBe(false)
    expect(cache.check('c', 400)).toBe(true)
    const big = createReplayCache({ maxEntries: 100, now: () => time })
    for (let i = 0; i < 10_000; i++) big.check(`s${i}`, time + 1000)
    expect(big.size).toBe(100)
    expect([big.check('s9999', 0), big.check('s9899', time + 1000)]).toEqual([true, false])
  })

  it('renders S3 error XML without the session token', async () => {
    const temporary = { ...credentials, sessionToken: 'SECRET-TOKEN' }
    const signed = await sign({
      url: 'https://b.s3.amazonaws.com/k',
      service: 's3',
      region: 'us-east-1',
      credentials: temporary,
      date,
    })
    const error = await refusal(
      verifyRequest(
        { url: signed.url, headers: signed.headers },
        { ...options, credentials: { ...temporary, secretAccessKey: 'x' } },
      ),
    )
    const xml = s3ErrorXml(error, { resource: '/k', requestId: 'R1' })
    expect(xml).toContain('<Code>SignatureDoesNotMatch</Code>')
    expect(xml).toContain('<AWSAccessKeyId>AKIDVERIFY</AWSAccessKeyId>')
    expect(xml).toContain('<Resource>/k</Resource><RequestId>R1</RequestId></Error>')
    expect(xml).toContain('x-amz-security-token:[redacted]')
    expect(xml).not.toContain('SECRET-TOKEN')
    expect(inspect(error, { depth: 5 })).not.toContain('SECRET-TOKEN')
    expect(JSON.stringify(error)).not.toContain('SECRET-TOKEN')
    expect(inspect(error)).not.toContain(temporary.secretAccessKey)
    expect(s3ErrorXml(new Error('boom'))).toContain('<Code>InternalError</Code>')
  })
})
