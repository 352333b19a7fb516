// @smithy/signature-v4a (the AWS SDK for JavaScript v3's SigV4a signer) as a second reference, on the
// random requests its input model can express (header signing only: it has no presign): the same
// canonical request and string to sign as awsig, byte for byte, and its signature verifies under the
// public key awsig derives, so its key derivation (on random credentials) agrees with awsig's too.
// Where smithy's model differs (one string per header, decoded query values, which headers it signs by
// default) the adapter bridges it as test/sign/differential.node.test.ts does for @smithy/signature-v4.
import { createHash } from 'node:crypto'
import { SignatureV4a } from '@smithy/signature-v4a'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sign } from '../../src/index.js'
import { publicKeyFor, sigv4a, verifyWithPublicKey } from '../../src/sigv4a/index.js'
import { NodeSha256 } from '../support/node-sha256.js'
import { bodyOf, type Case, caseArb, headersInput } from '../support/request-cases.js'
import { forSigv4a, regionSetArb, sigv4aOptions } from '../support/sigv4a-cases.js'

const RUNS = 400 // per property, 2 properties

/** SignatureV4a that remembers the canonical request and string to sign it computed last. */
class CapturingSignatureV4a extends SignatureV4a {
  canonicalRequest = ''
  stringToSign = ''
  protected override createCanonicalRequest(...args: Parameters<SignatureV4a['createCanonicalRequest']>): string {
    this.canonicalRequest = super.createCanonicalRequest(...args)
    return this.canonicalRequest
  }
  protected override async createStringToSign(
    ...args: Parameters<SignatureV4a['createStringToSign']>
  ): Promise<string> {
    this.stringToSign = await super.createStringToSign(...args)
    return this.stringToSign
  }
}

const EMPTY_SHA256 = createHash('sha256').digest('hex')
const isAscii = (text: string) => [...text].every((c) => c.charCodeAt(0) < 0x80)
const pathOf = (url: string) => /^[a-z]+:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? ''

/** smithy's signature of the case, with what it computed; null where its model cannot say the same. */
async function signWithSmithy(c: Case, regionSet: string[], signedUrl: string, s3: boolean) {
  const { sent } = headersInput(c)
  const joined = new Map<string, string>()
  const counts = new Map<string, number>()
  for (const [name] of sent) counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1)
  for (const [name, value] of sent) {
    const lower = name.toLowerCase()
    // One string per header: comparable when repeated values have no edge whitespace.
    if ((counts.get(lower) as number) > 1 && /^[ \t]|[ \t]$/.test(value)) return null
    const previous = joined.get(lower)
    joined.set(lower, previous === undefined ? value : `${previous},${value}`)
  }
  const headers: Record<string, string> = Object.fromEntries(joined) // own `__proto__` too
  const query: Record<string, string | string[]> = {}
  const search = signedUrl.split('?')[1] ?? ''
  for (const pair of search === '' ? [] : search.split('&')) {
    const eq = pair.indexOf('=')
    let key: string
    let value: string
    try {
      key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq))
      value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1))
    } catch {
      return null // not UTF-8: smithy takes strings
    }
    if (key === '__proto__') return null
    const previous = query[key]
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
  }
  const signableHeaders = new Set(Object.keys(headers))
  const unsignableHeaders = new Set<string>()
  let body: Uint8Array | undefined
  if (s3 || c.payload.kind === 'hash') {
    const bytes = bodyOf(c.payload)
    headers['x-amz-content-sha256'] =
      c.payload.kind === 'hash'
        ? c.payload.payloadHash
        : bytes === null
          ? EMPTY_SHA256
          : createHash('sha256').update(bytes).digest('hex')
    if (!s3) unsignableHeaders.add('x-amz-content-sha256')
  } else {
    body = bodyOf(c.payload) ?? undefined
  }
  const url = new URL(signedUrl)
  const signer = new CapturingSignatureV4a({
    service: c.service,
    region: regionSet.join(','),
    credentials: c.credentials,
    sha256: NodeSha256,
    uriEscapePath: !s3,
    applyChecksum: false,
  })
  const signed = await signer.sign(
    {
      method: c.method.toUpperCase(),
      protocol: url.protocol,
      hostname: url.host,
      path: pathOf(signedUrl),
      query,
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate: c.date, signableHeaders, unsignableHeaders },
  )
  const signature = /Signature=([0-9a-f]+)$/.exec(String(signed.headers.authorization))?.[1] ?? ''
  return { canonicalRequest: signer.canonicalRequest, stringToSign: signer.stringToSign, signature }
}

describe('SigV4a: awsig and @smithy/signature-v4a compute the same canonical request', () => {
  for (const s3 of [true, false]) {
    it(`header signing, ${s3 ? 's3' : 'other services'}: ${RUNS} random requests`, { timeout: 120_000 }, async () => {
      let compared = 0
      let asciiSecrets = 0
      await fc.assert(
        fc.asyncProperty(caseArb('header', s3), regionSetArb, async (c, regionSet) => {
          c = forSigv4a(c)
          const ours = await sign({ ...sigv4aOptions(c, regionSet, s3), contentHashHeader: s3 })
          const theirs = await signWithSmithy(c, regionSet, ours.url, s3)
          if (theirs === null) return
          expect(ours.canonicalRequest).toBe(theirs.canonicalRequest)
          expect(ours.stringToSign).toBe(theirs.stringToSign)
          // smithy derived its key itself: its signature verifies under awsig's public key (for ASCII
          // secrets: see the last test).
          if (isAscii(c.credentials.secretAccessKey)) {
            const publicKey = await publicKeyFor(c.credentials)
            expect(await verifyWithPublicKey(publicKey, ours.stringToSign, theirs.signature)).toBe(true)
            asciiSecrets++
          }
          compared++
        }),
        { numRuns: RUNS },
      )
      expect(compared).toBeGreaterThan(RUNS * 0.4)
      // About a fifth of the generated secrets are ASCII (75 to 95 of 400 seen): enough to mean something.
      expect(asciiSecrets).toBeGreaterThan(RUNS * 0.1)
    })
  }

  it('smithy derives another key from a secret that is not ASCII (aws-c-auth and awsig use its UTF-8)', async () => {
    // smithy-typescript's getSigV4aSigningKey writes each UTF-16 unit of "AWS4A" + secret as one byte;
    // aws-c-auth HMACs the secret's bytes as given (UTF-8 from every SDK). The CRT test
    // (crt.node.test.ts) checks awsig against aws-c-auth's own derivation on such secrets.
    const credentials = { accessKeyId: 'AKID', secretAccessKey: 'sécret' }
    const c = { method: 'GET', headers: [], payload: { kind: 'none' } } as unknown as Case
    const date = new Date('2026-01-01T00:00:00Z')
    const ours = await sign({
      url: 'https://h.example/',
      service: 'x',
      regionSet: ['*'],
      algorithm: sigv4a,
      credentials,
      date,
    })
    const theirs = await signWithSmithy({ ...c, service: 'x', credentials, date }, ['*'], ours.url, false)
    expect(theirs?.stringToSign).toBe(ours.stringToSign)
    const publicKey = await publicKeyFor(credentials)
    expect(await verifyWithPublicKey(publicKey, ours.stringToSign, theirs?.signature as string)).toBe(false)
    expect(await verifyWithPublicKey(publicKey, ours.stringToSign, ours.signature)).toBe(true)
  })
})
