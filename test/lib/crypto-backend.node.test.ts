// The node:crypto backend's prepared HMAC, and the plain-JavaScript backend's SHA-256 and HMAC, against
// node:crypto's own, on random keys and messages (the vector suites check the signing path end to end).
import { createHash, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as nodeBackend from '../../src/lib/crypto/crypto.node.js'
import * as pureBackend from '../../src/lib/crypto/pure.js'
import * as webBackend from '../../src/lib/crypto/web.js'

describe('hmacHexWith (node)', () => {
  it('equals createHmac for keys of any length and any text', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
        (key, messages) => {
          const prepared = nodeBackend.hmacHexWith(key)
          for (const message of [...messages, 'x'.repeat(3000)]) {
            const expected = createHmac('sha256', key).update(message).digest('hex')
            expect(prepared(message)).toBe(expected)
            expect(nodeBackend.hmacHex(prepared, message)).toBe(expected)
            expect(nodeBackend.hmacHex(Buffer.from(key), message)).toBe(expected)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('derives the same signing key on both backends', async () => {
    const args = ['wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam'] as const
    const toSign =
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59'
    // The AWS documentation's signature for this string to sign (IAM ListUsers example).
    const expected = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7'
    expect(nodeBackend.hmacHex(nodeBackend.deriveSigningKey(...args), toSign)).toBe(expected)
    expect(await webBackend.hmacHex(await webBackend.deriveSigningKey(...args), toSign)).toBe(expected)
    expect(pureBackend.hmacHex(pureBackend.deriveSigningKey(...args), toSign)).toBe(expected)
  })
})

describe('plain-JavaScript backend (react-native condition)', () => {
  it('SHA-256 and HMAC equal node:crypto for keys of any length and any text or bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, text, bytes) => {
          expect(pureBackend.sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'))
          expect(pureBackend.sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'))
          const expected = createHmac('sha256', key).update(text).digest('hex')
          expect(pureBackend.hmacHex(key, text)).toBe(expected)
          expect(pureBackend.hmacHexWith(key)(text)).toBe(expected)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never touches WebCrypto: signs with globalThis.crypto gone', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto')
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
    try {
      const key = pureBackend.deriveSigningKey('secret', '20260101', 'us-east-1', 's3')
      const kDate = createHmac('sha256', 'AWS4secret').update('20260101').digest()
      const kRegion = createHmac('sha256', kDate).update('us-east-1').digest()
      const kService = createHmac('sha256', kRegion).update('s3').digest()
      const kSigning = createHmac('sha256', kService).update('aws4_request').digest()
      expect(pureBackend.hmacHex(key, 'to sign')).toBe(createHmac('sha256', kSigning).update('to sign').digest('hex'))
    } finally {
      if (saved) Object.defineProperty(globalThis, 'crypto', saved)
    }
  })
})
