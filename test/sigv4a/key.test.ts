// SigV4a keys and ECDSA on both crypto backends: the key-derivation vectors, public keys, DER framing,
// and AWS's own suite signatures verified under the keys awsig derives.
import { readdir, readFile } from 'node:fs/promises'
import { inspect } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { keyPairFromScalar, signDerHex } from '#crypto-ecdsa'
import { SigningKeyCache } from '../../src/index.js'
import { derFromRaw, P256_N, publicPointFromScalar, rawFromDer } from '../../src/lib/crypto/p256.js'
import { fromHex, toHex } from '../../src/lib/hex.js'
import { sigv4 } from '../../src/sign/algorithm.js'
import { paddedSignature, unpaddedSignature } from '../../src/sign/chain.js'
import { publicKeyFor, sigv4a, verifyWithPublicKey } from '../../src/sigv4a/index.js'
import { derivePrivateScalar, fixedInput } from '../../src/sigv4a/key.js'

const VECTORS = new URL('../vectors/', import.meta.url)
const vectors = JSON.parse(await readFile(new URL('sigv4a-vectors.json', VECTORS), 'utf8'))
const SUITE = new URL('aws-c-auth/tests/aws-signing-test-suite/v4a/', VECTORS)

interface KeyVector {
  name: string
  access_key_id: string
  secret_access_key: string
  expected: Record<string, string>
}
const keyVectors: KeyVector[] = vectors.key_derivation

const privateHex = (v: KeyVector) => v.expected.private_key_hex ?? v.expected.private_key_hex_derived_by_collector
const publicX = (v: KeyVector) => v.expected.public_key_x_hex ?? v.expected.public_key_x_hex_derived_by_collector
const publicY = (v: KeyVector) => v.expected.public_key_y_hex ?? v.expected.public_key_y_hex_derived_by_collector
const creds = (v: KeyVector) => ({ accessKeyId: v.access_key_id, secretAccessKey: v.secret_access_key })

describe('SigV4a key derivation (aws-c-auth KDF)', () => {
  it('builds the fixed input as smithy-typescript does', () => {
    const [helper] = vectors.kdf_helper_vectors
    const prefix = toHex(new TextEncoder().encode(helper.inputs.prefix))
    expect(prefix + toHex(fixedInput(helper.inputs.access_key, helper.inputs.counter))).toBe(helper.expected_bytes_hex)
  })

  it.each(keyVectors.map((v) => [v.name, v] as const))('%s: private scalar', async (_name, v) => {
    expect(privateHex(v)).toMatch(/^[0-9a-f]{64}$/)
    expect(toHex(await derivePrivateScalar(v.access_key_id, v.secret_access_key))).toBe(privateHex(v))
  })

  it.each(keyVectors.filter((v) => publicX(v) !== undefined).map((v) => [v.name, v] as const))(
    '%s: public key',
    async (_name, v) => {
      const publicKey = await publicKeyFor(creds(v), { keyCache: null })
      expect(publicKey.x).toBe(publicX(v))
      expect(publicKey.y).toBe(publicY(v))
      expect(toHex(publicKey.raw)).toBe(`04${publicX(v)}${publicY(v)}`)
      // The plain-JavaScript fallback agrees with the backend.
      const point = publicPointFromScalar(fromHex(privateHex(v) as string))
      expect([toHex(point.x), toHex(point.y)]).toEqual([publicX(v), publicY(v)])
    },
  )

  it('finds the public point in JavaScript where WebCrypto refuses a PKCS#8 key without it', async () => {
    // Some WebCrypto implementations require the public key inside PKCS#8; the web backend then
    // computes d*G itself. (node:crypto never imports PKCS#8 here: the spy sees no call there.)
    const importKey = crypto.subtle.importKey.bind(crypto.subtle)
    const refused: string[] = []
    const spy = vi.spyOn(crypto.subtle, 'importKey').mockImplementation(((format: string, ...rest: unknown[]) => {
      if (format === 'pkcs8') {
        refused.push(format)
        return Promise.reject(new DOMException('refused', 'DataError'))
      }
      return (importKey as (...args: unknown[]) => Promise<CryptoKey>)(format, ...rest)
    }) as typeof crypto.subtle.importKey)
    try {
      for (const v of keyVectors.filter((v) => publicX(v) !== undefined)) {
        const pair = await keyPairFromScalar(fromHex(privateHex(v) as string))
        expect([toHex(pair.x), toHex(pair.y)]).toEqual([publicX(v), publicY(v)])
        const signature = await signDerHex(pair.privateKey, 'm')
        expect(await verifyWithPublicKey({ x: toHex(pair.x), y: toHex(pair.y) }, 'm', signature)).toBe(true)
      }
      const probe = keyPairFromScalar(new Uint8Array(32).fill(1))
      const web = probe instanceof Promise
      await probe
      expect(refused.length > 0).toBe(web)
    } finally {
      spy.mockRestore()
    }
  })

  it('retries while the candidate exceeds n-2, and d = candidate + 1', async () => {
    // Every vector's d is K0 + 1 for counter 1 (the chance of a retry is 2^-32); check the arithmetic
    // against the definition with the backend's own HMAC, and that the scalar is in [1, n-1].
    for (const v of keyVectors) {
      const d = BigInt(`0x${toHex(await derivePrivateScalar(v.access_key_id, v.secret_access_key))}`)
      expect(d >= 1n && d <= P256_N - 1n).toBe(true)
    }
    expect(keyVectors.find((v) => v.name === 'aws-c-auth-fixed')?.expected.counter_byte_used).toBe(1)
  })

  it('derives the same key for the same credentials and another for another secret', async () => {
    const a = await publicKeyFor({ accessKeyId: 'AKID', secretAccessKey: 'one' }, { keyCache: null })
    const b = await publicKeyFor({ accessKeyId: 'AKID', secretAccessKey: 'two' }, { keyCache: null })
    const c = await publicKeyFor({ accessKeyId: 'AKID2', secretAccessKey: 'one' }, { keyCache: null })
    expect(await publicKeyFor({ accessKeyId: 'AKID', secretAccessKey: 'one' }, { keyCache: null })).toEqual(a)
    expect(new Set([a.x, b.x, c.x]).size).toBe(3)
  })
})

describe('SigV4a key cache', () => {
  it('caches one key per credentials, whatever the day, region and service, keyed without the secret', async () => {
    const cache = new SigningKeyCache()
    const credentials = { accessKeyId: 'AKIDCACHE', secretAccessKey: 'secret-that-must-not-show' }
    const first = await sigv4a.key(credentials, '20260101', '', 's3', cache)
    expect(cache.size).toBe(1)
    const again = await sigv4a.key({ ...credentials }, '20270202', '', 'ec2', cache)
    expect(again).toBe(first)
    expect(cache.size).toBe(1)
    // A SigV4 key for the same credentials is another entry.
    await sigv4.key(credentials, '20260101', 'us-east-1', 's3', cache)
    expect(cache.size).toBe(2)
    expect(inspect(cache)).not.toContain('secret-that-must-not-show')
    expect(JSON.stringify(cache)).not.toContain('secret-that-must-not-show')
    expect(inspect(first, { depth: 5 })).not.toContain('secret-that-must-not-show')
    // Nor the private scalar, in any form.
    const d = await derivePrivateScalar(credentials.accessKeyId, credentials.secretAccessKey)
    for (const shown of [inspect(first, { depth: 5 }), JSON.stringify(first)]) {
      expect(shown).not.toContain(toHex(d))
      expect(shown).not.toContain(Buffer.from(d).toString('base64url'))
      expect(shown).not.toContain(`${d[0]},${d[1]},${d[2]}`)
    }
  })

  it('answers synchronously from the cache on node:crypto once the credentials object is known', async () => {
    const cache = new SigningKeyCache()
    const credentials = { accessKeyId: 'AKIDSYNC', secretAccessKey: 'secret' }
    const key = await sigv4a.key(credentials, '', '', '', cache)
    const hit = sigv4a.key(credentials, '', '', '', cache)
    // node:crypto fingerprints synchronously; WebCrypto's SHA-256 is a promise.
    if (!(hit instanceof Promise)) expect(hit).toBe(key)
    else expect(await hit).toBe(key)
  })

  it('derives again after the secret changes', async () => {
    const cache = new SigningKeyCache()
    const credentials = { accessKeyId: 'AKIDROT', secretAccessKey: 'old' }
    const before = await publicKeyFor(credentials, { keyCache: cache })
    const after = await publicKeyFor({ ...credentials, secretAccessKey: 'new' }, { keyCache: cache })
    expect(after.x).not.toBe(before.x)
    expect(cache.size).toBe(2)
  })
})

describe('ECDSA P-256 signatures', () => {
  const credentials = creds(keyVectors[0] as KeyVector)

  it('signs DER hex that verifies, and rejects a changed message or signature', async () => {
    const key = await sigv4a.key(credentials, '', '', '', null)
    const signature = await sigv4a.sign(key, 'string to sign')
    expect(signature).toMatch(/^30[0-9a-f]+$/)
    expect(signature.length).toBeLessThanOrEqual(144)
    expect(rawFromDer(fromHex(signature))).toBeDefined()
    expect(await sigv4a.verify(key, 'string to sign', signature)).toBe(true)
    expect(await sigv4a.verify(key, 'string to sigN', signature)).toBe(false)
    const flipped = `${signature.slice(0, -2)}${((Number.parseInt(signature.slice(-2), 16) + 1) & 0xff).toString(16).padStart(2, '0')}`
    expect(await sigv4a.verify(key, 'string to sign', flipped)).toBe(false)
    const other = await sigv4a.key({ accessKeyId: 'X', secretAccessKey: 'Y' }, '', '', '', null)
    expect(await sigv4a.verify(other, 'string to sign', signature)).toBe(false)
  })

  it('rejects signatures that are not strict lower-case DER hex', async () => {
    const key = await sigv4a.key(credentials, '', '', '', null)
    const signature = await sigv4a.sign(key, 'x')
    for (const bad of [
      '',
      signature.toUpperCase(),
      `${signature}00`,
      signature.slice(0, -1),
      `${signature}**`,
      `${signature}`.replace(/^30/, '31'),
      'zz',
    ]) {
      expect(await sigv4a.verify(key, 'x', bad), bad).toBe(false)
    }
  })

  it('converts raw r||s to DER and back, with the sign bytes DER needs', () => {
    const raw = new Uint8Array(64)
    raw[0] = 0x80 // r needs a leading 0x00
    raw[31] = 1
    raw[63] = 0x7f // s is a single byte
    const der = derFromRaw(raw)
    expect(toHex(der)).toBe(`3026022100${'80'}${'00'.repeat(30)}01${'0201'}7f`)
    expect(rawFromDer(der)).toEqual(raw)
    // Not minimal, negative, trailing bytes, wrong lengths: refused.
    for (const bad of [
      '300602020001020101',
      '3006020180020101',
      '30060201010201010000',
      '3006020101020201',
      '3003020101',
    ]) {
      expect(rawFromDer(fromHex(bad)), bad).toBeUndefined()
    }
  })

  it('signs with the backend key directly (DER, both backends)', async () => {
    const pair = await keyPairFromScalar(fromHex(privateHex(keyVectors[0] as KeyVector) as string))
    const signature = await signDerHex(pair.privateKey, 'hello')
    expect(await verifyWithPublicKey({ x: toHex(pair.x), y: toHex(pair.y) }, 'hello', signature)).toBe(true)
  })
})

describe('chained signature padding (aws-c-auth: "*" to 144 characters)', () => {
  it('pads SigV4a chunk signatures and strips the padding again; SigV4 is untouched', async () => {
    const key = await sigv4a.key(credentials(), '', '', '', null)
    const signature = await sigv4a.sign(key, 'chunk')
    const wire = paddedSignature(sigv4a, signature)
    expect(wire).toHaveLength(144)
    expect(wire).toBe(signature + '*'.repeat(144 - signature.length))
    expect(unpaddedSignature(wire)).toBe(signature)
    const hex64 = 'a'.repeat(64)
    expect(paddedSignature(sigv4, hex64)).toBe(hex64)
    expect(unpaddedSignature(hex64)).toBe(hex64)
  })
  const credentials = () => ({
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  })
})

describe("AWS's v4a suite signatures verify under the derived key", async () => {
  const names = (await readdir(SUITE, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  const complete: string[] = []
  for (const name of names) {
    const files = await readdir(new URL(`${name}/`, SUITE))
    if (files.includes('header-signature.txt')) complete.push(name)
  }

  it('has the 38 complete cases', () => {
    expect(complete).toHaveLength(38)
  })

  it.each(complete)('%s', async (name) => {
    const dir = new URL(`${name}/`, SUITE)
    const read = (file: string) => readFile(new URL(file, dir), 'utf8')
    const context = JSON.parse(await read('context.json'))
    const expected = JSON.parse(await read('public-key.json'))
    const credentials = {
      accessKeyId: context.credentials.access_key_id,
      secretAccessKey: context.credentials.secret_access_key,
    }
    const publicKey = await publicKeyFor(credentials)
    expect([publicKey.x, publicKey.y]).toEqual([expected.X, expected.Y])
    const key = await sigv4a.key(credentials, '', '', '', null)
    for (const mode of ['header', 'query']) {
      const stringToSign = await read(`${mode}-string-to-sign.txt`)
      const signature = (await read(`${mode}-signature.txt`)).trim()
      expect(await sigv4a.verify(key, stringToSign, signature)).toBe(true)
      expect(await verifyWithPublicKey({ x: expected.X, y: expected.Y }, stringToSign, signature)).toBe(true)
      expect(await sigv4a.verify(key, `${stringToSign}x`, signature)).toBe(false)
      // And what awsig signs verifies under the suite's public key.
      const ours = await sigv4a.sign(key, stringToSign)
      expect(await verifyWithPublicKey({ x: expected.X, y: expected.Y }, stringToSign, ours)).toBe(true)
    }
  })
})

describe('bad input', () => {
  it('names the field', async () => {
    await expect(publicKeyFor({ accessKeyId: '', secretAccessKey: 'x' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      field: 'credentials.accessKeyId',
    })
    await expect(publicKeyFor({ accessKeyId: 'A', secretAccessKey: '' })).rejects.toMatchObject({
      field: 'credentials.secretAccessKey',
    })
    await expect(verifyWithPublicKey({ x: 'zz', y: '00' }, 's', '30')).rejects.toMatchObject({ field: 'publicKey.x' })
    await expect(verifyWithPublicKey({ x: '0'.repeat(64), y: 'q' }, 's', '30')).rejects.toMatchObject({
      field: 'publicKey.y',
    })
    await expect(verifyWithPublicKey({ x: '0'.repeat(64), y: '0'.repeat(64) }, 's', '30')).rejects.toMatchObject({
      field: 'publicKey',
    })
  })
})
