// SigV4a `sign`: awsig against @smithy/signature-v4a and the crypto floor (one-shot SHA-256 of the
// canonical request + one node:crypto ECDSA P-256 signature, which hashes the string to sign), with a
// warm key; and the cold cost of deriving a key. Every signature is first checked to verify under the
// credentials' public key over awsig's string to sign, so all do the same work.
// Run: npm run build (in the repo root), then here: node --expose-gc sigv4a.bench.mjs
import { createPrivateKey, sign as ecdsaSign, verify as ecdsaVerify, hash as oneShotHash } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4a } from '@smithy/signature-v4a'
import { do_not_optimize, bench as mitataBench, run, summary } from 'mitata'
import { defaultKeyCache, sign } from '../dist/index.js'
import { publicKeyFor, sigv4a, verifyWithPublicKey } from '../dist/sigv4a/index.js'
import { cpuTimes } from './cpu-time.mjs'
import { importInternal } from './internal.mjs'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const date = new Date('2024-05-01T12:34:56Z')
const S3_HOST = 'examplebucket.s3.us-east-1.amazonaws.com'
const S3_PATH = '/photos/2024/a%20b.jpg'
const S3_URL = `https://${S3_HOST}${S3_PATH}`
const sha256 = Hash.bind(null, 'sha256')

const smithy = new SignatureV4a({ credentials, region: '*', service: 's3', sha256, uriEscapePath: false })
const smithyRequest = () =>
  new HttpRequest({ method: 'GET', protocol: 'https:', hostname: S3_HOST, path: S3_PATH, headers: { host: S3_HOST } })

const options = { url: S3_URL, service: 's3', regionSet: ['*'], credentials, date, algorithm: sigv4a }
const awsig = () => sign(options)
const smithySign = () => smithy.sign(smithyRequest(), { signingDate: date, signingRegion: '*' })

// The floor: awsig's own canonical request and string to sign, the key derived once.
const reference = await awsig()
const { canonicalRequest, stringToSign } = reference
const { x, y } = await publicKeyFor(credentials)
const jwk = {
  kty: 'EC',
  crv: 'P-256',
  x: Buffer.from(x, 'hex').toString('base64url'),
  y: Buffer.from(y, 'hex').toString('base64url'),
}
// The private scalar from awsig's derivation (checked below through the public key).
const { derivePrivateScalar } = await importInternal('sigv4a/key.ts')
const d = Buffer.from(await derivePrivateScalar(credentials.accessKeyId, credentials.secretAccessKey))
const privateKey = createPrivateKey({ key: { ...jwk, d: d.toString('base64url') }, format: 'jwk' })
const floor = () => {
  do_not_optimize(oneShotHash('sha256', canonicalRequest, 'hex'))
  return ecdsaSign('sha256', Buffer.from(stringToSign), privateKey).toString('hex')
}

// 1. Same work: every signature verifies over awsig's string to sign under the public key.
const SIG = /Signature=([0-9a-f]+)/
const checks = {
  awsig: reference.signature,
  '@smithy/signature-v4a': SIG.exec((await smithySign()).headers.authorization)?.[1],
  floor: floor(),
}
console.log('Signature check (each verifies under the public key over awsig’s string to sign):\n')
let bad = 0
for (const [name, signature] of Object.entries(checks)) {
  const ok = signature !== undefined && (await verifyWithPublicKey({ x, y }, stringToSign, signature))
  const native =
    signature !== undefined &&
    ecdsaVerify('sha256', Buffer.from(stringToSign), { key: jwk, format: 'jwk' }, Buffer.from(signature, 'hex'))
  if (!ok || !native) bad++
  console.log(`  ${name.padEnd(24)} ${ok && native ? 'ok' : 'FAILS'} ${String(signature).slice(0, 16)}…`)
}
if (bad > 0) process.exit(1)

// 2. Cold key derivation: credentials never seen, no cache.
let n = 0
const cold = {
  'awsig publicKeyFor (cold, no cache)': () =>
    publicKeyFor({ accessKeyId: `AKID${n++}`, secretAccessKey: credentials.secretAccessKey }, { keyCache: null }),
  'awsig sign (cold: new credentials object and secret)': () =>
    sign({ ...options, credentials: { accessKeyId: `AKID${n++}`, secretAccessKey: `s${n}` } }),
  '@smithy/signature-v4a sign (cold: new signer)': () =>
    new SignatureV4a({
      credentials: { accessKeyId: `AKID${n++}`, secretAccessKey: credentials.secretAccessKey },
      region: '*',
      service: 's3',
      sha256,
      uriEscapePath: false,
    }).sign(smithyRequest(), { signingDate: date, signingRegion: '*' }),
}

const warm = {
  'awsig sign': awsig,
  '@smithy/signature-v4a sign': smithySign,
  'floor: crypto.hash + crypto.sign': floor,
}
const SYNC = new Set(['floor: crypto.hash + crypto.sign'])
console.log(
  `\ncanonical request ${canonicalRequest.length} B; load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} cores)\n`,
)
summary(() => {
  for (const [label, fn] of Object.entries(warm)) {
    const b = SYNC.has(label)
      ? mitataBench(label, () => do_not_optimize(fn()))
      : mitataBench(label, async () => do_not_optimize(await fn()))
    if (label === 'awsig sign') b.baseline(true)
  }
})
summary(() => {
  for (const [label, fn] of Object.entries(cold)) mitataBench(label, async () => do_not_optimize(await fn()))
})
const { benchmarks } = await run()

// 3. CPU time per operation (minimum over rounds, order alternating, a GC before each entry so that
// smithy's garbage is not collected on awsig's time): steadier than wall time on a shared machine.
const ROUNDS = 7
const entries = [...Object.entries(warm), ...Object.entries(cold)].map(([label, fn]) => {
  const wall = benchmarks.find((b) => b.alias === label).runs[0].stats.avg
  return { label, fn, sync: SYNC.has(label), iterations: Math.max(10, Math.round(100e6 / wall)) }
})
const cpu = await cpuTimes(entries, ROUNDS, { collect: true })
defaultKeyCache.clear()

const us = (ns) => `${(ns / 1000).toFixed(ns >= 100_000 ? 0 : 1)} µs`
const wallOf = (label) => benchmarks.find((b) => b.alias === label).runs[0].stats.p50
console.log(
  `\nload average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
)
console.log('| operation | wall (median) | CPU (min of rounds) |')
console.log('| --- | ---: | ---: |')
for (const { label } of entries) console.log(`| ${label} | ${us(wallOf(label))} | ${us(cpu.get(label))} |`)
const ratio = (a, b, get) => (get(a) / get(b)).toFixed(2)
for (const [measure, get] of [
  ['wall', wallOf],
  ['CPU', (label) => cpu.get(label)],
]) {
  console.log(
    `\n${measure}: @smithy/signature-v4a / awsig = ${ratio('@smithy/signature-v4a sign', 'awsig sign', get)}x (goal >= 2x); ` +
      `awsig / floor = ${ratio('awsig sign', 'floor: crypto.hash + crypto.sign', get)}x (goal <= 1.3x)`,
  )
}
