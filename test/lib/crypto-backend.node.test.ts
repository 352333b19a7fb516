// The node:crypto backend's prepared HMAC against node:crypto's own createHmac, on random keys and
// messages (the vector suites check the signing path end to end).
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as nodeBackend from '../../src/lib/crypto/crypto.node.js'
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
  })
})
