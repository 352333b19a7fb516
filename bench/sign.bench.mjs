// sign and presign: awsig against aws4fetch, aws4, @smithy/signature-v4 and the raw crypto floor, in one
// process. Every library signs the same request with the same credentials and date (so each can cache
// its signing key), and the check table below proves they all compute the same signature first.
// Run: npm run build (in the repo root), then here: node --expose-gc sign.bench.mjs
import { createHash, createHmac, createSecretKey, hash as oneShotHash } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import aws4 from 'aws4'
import { AwsV4Signer } from 'aws4fetch'
import { bench, do_not_optimize, group, run, summary } from 'mitata'
import { presign, presignRequest, sign } from '../dist/index.js'
import { cpuTimes } from './cpu-time.mjs'

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html (example keys)
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const date = new Date('2024-05-01T12:34:56Z')
const amzDate = '20240501T123456Z'
const region = 'us-east-1'
const expiresIn = 3600
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

const DDB_HOST = 'dynamodb.us-east-1.amazonaws.com'
const DDB_URL = `https://${DDB_HOST}/`
const DDB_BODY = JSON.stringify({
  TableName: 'Music',
  Key: { Artist: { S: 'No One You Know' }, SongTitle: { S: 'Call Me Today' } },
})
const DDB_TYPE = 'application/x-amz-json-1.0'
const DDB_TARGET = 'DynamoDB_20120810.GetItem'

const S3_HOST = 'examplebucket.s3.us-east-1.amazonaws.com'
const S3_PATH = '/photos/2024/a%20b.jpg'
const S3_URL = `https://${S3_HOST}${S3_PATH}`

// Long-lived signers, as an SDK client holds them. Hash from @smithy/hash-node is node:crypto's
// createHash/createHmac, the hash the AWS SDK uses on Node.
const sha256 = Hash.bind(null, 'sha256')
const smithyDdb = new SignatureV4({ credentials, region, service: 'dynamodb', sha256, applyChecksum: false })
const smithyS3 = new SignatureV4({ credentials, region, service: 's3', sha256, uriEscapePath: false })
// What @aws-sdk/s3-request-presigner does: UNSIGNED-PAYLOAD, neither signed nor hoisted to the query.
const smithyS3Presign = {
  signingDate: date,
  expiresIn,
  unsignableHeaders: new Set(['x-amz-content-sha256']),
  unhoistableHeaders: new Set(['x-amz-content-sha256']),
}
// awsig signs x-amz-target as a header when presigning (no hoisting unless asked): so must smithy.
const smithyDdbPresign = { signingDate: date, expiresIn, unhoistableHeaders: new Set(['x-amz-target']) }
// aws4fetch's derived-key cache, shared between iterations (as an AwsClient would share it).
const aws4fetchCache = new Map()

// One function per library and operation; each builds its request description afresh, as a caller would.
const cases = {
  'dynamodb sign': {
    awsig: () =>
      sign({
        method: 'POST',
        url: DDB_URL,
        headers: { 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
        body: DDB_BODY,
        service: 'dynamodb',
        region,
        credentials,
        date,
      }),
    aws4fetch: () =>
      new AwsV4Signer({
        method: 'POST',
        url: DDB_URL,
        headers: { 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
        body: DDB_BODY,
        service: 'dynamodb',
        region,
        ...credentials,
        datetime: amzDate,
        cache: aws4fetchCache,
        allHeaders: true, // aws4fetch skips content-type by default; awsig signs it
      }).sign(),
    aws4: () =>
      aws4.sign(
        {
          method: 'POST',
          host: DDB_HOST,
          path: '/',
          headers: { 'Content-Type': DDB_TYPE, 'X-Amz-Target': DDB_TARGET, 'X-Amz-Date': amzDate },
          body: DDB_BODY,
          service: 'dynamodb',
          region,
          extraHeadersToIgnore: { 'content-length': true }, // aws4 adds and signs it; awsig does not
        },
        credentials,
      ),
    smithy: () =>
      smithyDdb.sign(
        new HttpRequest({
          method: 'POST',
          protocol: 'https:',
          hostname: DDB_HOST,
          path: '/',
          headers: { host: DDB_HOST, 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
          body: DDB_BODY,
        }),
        { signingDate: date },
      ),
  },
  's3 sign': {
    awsig: () => sign({ url: S3_URL, service: 's3', region, credentials, date }),
    aws4fetch: () =>
      new AwsV4Signer({
        url: S3_URL,
        headers: { 'x-amz-content-sha256': EMPTY_SHA256 },
        service: 's3',
        region,
        ...credentials,
        datetime: amzDate,
        cache: aws4fetchCache,
      }).sign(),
    aws4: () =>
      aws4.sign(
        {
          host: S3_HOST,
          path: S3_PATH,
          headers: { 'X-Amz-Content-Sha256': EMPTY_SHA256, 'X-Amz-Date': amzDate },
          service: 's3',
          region,
        },
        credentials,
      ),
    smithy: () =>
      smithyS3.sign(
        new HttpRequest({
          method: 'GET',
          protocol: 'https:',
          hostname: S3_HOST,
          path: S3_PATH,
          headers: { host: S3_HOST },
        }),
        { signingDate: date },
      ),
  },
  'dynamodb presign': {
    awsig: () =>
      presign({
        method: 'POST',
        url: DDB_URL,
        headers: { 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
        body: DDB_BODY,
        service: 'dynamodb',
        region,
        credentials,
        date,
        expiresIn,
      }),
    aws4fetch: () =>
      new AwsV4Signer({
        method: 'POST',
        url: `${DDB_URL}?X-Amz-Expires=${expiresIn}`,
        headers: { 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
        body: DDB_BODY,
        service: 'dynamodb',
        region,
        ...credentials,
        datetime: amzDate,
        cache: aws4fetchCache,
        signQuery: true,
        allHeaders: true,
      }).sign(),
    aws4: () =>
      aws4.sign(
        {
          method: 'POST',
          host: DDB_HOST,
          path: `/?X-Amz-Date=${amzDate}&X-Amz-Expires=${expiresIn}`,
          headers: { 'Content-Type': DDB_TYPE, 'X-Amz-Target': DDB_TARGET },
          body: DDB_BODY,
          service: 'dynamodb',
          region,
          signQuery: true,
        },
        credentials,
      ),
    smithy: () =>
      smithyDdb.presign(
        new HttpRequest({
          method: 'POST',
          protocol: 'https:',
          hostname: DDB_HOST,
          path: '/',
          headers: { host: DDB_HOST, 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
          body: DDB_BODY,
        }),
        smithyDdbPresign,
      ),
  },
  's3 presign': {
    awsig: () => presign({ url: S3_URL, service: 's3', region, credentials, date, expiresIn }),
    aws4fetch: () =>
      new AwsV4Signer({
        url: `${S3_URL}?X-Amz-Expires=${expiresIn}`,
        service: 's3',
        region,
        ...credentials,
        datetime: amzDate,
        cache: aws4fetchCache,
        signQuery: true,
      }).sign(),
    aws4: () =>
      aws4.sign(
        {
          host: S3_HOST,
          path: `${S3_PATH}?X-Amz-Date=${amzDate}&X-Amz-Expires=${expiresIn}`,
          service: 's3',
          region,
          signQuery: true,
        },
        credentials,
      ),
    smithy: () =>
      smithyS3.presign(
        new HttpRequest({
          method: 'GET',
          protocol: 'https:',
          hostname: S3_HOST,
          path: S3_PATH,
          headers: { host: S3_HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        }),
        smithyS3Presign,
      ),
  },
}

// The signature each library computed, from what it returns.
const SIGNATURE = /Signature=([0-9a-f]{64})/
const signatureOf = {
  awsig: (out) => (typeof out === 'string' ? new URL(out).searchParams.get('X-Amz-Signature') : out.signature),
  aws4fetch: (out) =>
    out.url.searchParams.get('X-Amz-Signature') ?? SIGNATURE.exec(out.headers.get('authorization'))?.[1],
  aws4: (out) =>
    new URLSearchParams(out.path.split('?')[1] ?? '').get('X-Amz-Signature') ??
    SIGNATURE.exec(out.headers.Authorization)?.[1],
  smithy: (out) => out.query['X-Amz-Signature'] ?? SIGNATURE.exec(out.headers.authorization)?.[1],
}
const LIBRARIES = ['awsig', 'aws4fetch', 'aws4', 'smithy']
const LABEL = { awsig: 'awsig', aws4fetch: 'aws4fetch', aws4: 'aws4', smithy: '@smithy/signature-v4' }

// 1. Same work: every peer must produce awsig's signature.
let mismatches = 0
console.log('Signature check (same credentials, same date):\n')
console.log(`| case | ${LIBRARIES.map((l) => LABEL[l]).join(' | ')} |`)
console.log(`| --- | ${LIBRARIES.map(() => '---').join(' | ')} |`)
for (const [name, fns] of Object.entries(cases)) {
  const expected = signatureOf.awsig(await fns.awsig())
  const cells = []
  for (const lib of LIBRARIES) {
    const got = signatureOf[lib](await fns[lib]())
    if (got !== expected) mismatches++
    cells.push(got === expected ? `ok ${got.slice(0, 8)}` : `MISMATCH ${String(got).slice(0, 8)}`)
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`)
}
if (mismatches > 0) {
  console.error(`\n${mismatches} signature(s) differ from awsig's: the comparison would not be of equal work.`)
  process.exit(1)
}

// 2. The floor: the cryptography one signature needs and nothing else, with the fastest node:crypto
// calls (measured: which is fastest depends on the Node version, so every variant runs and the summary
// takes the fastest). Inputs are awsig's own canonical request and string-to-sign for each case
// (realistic lengths); the signing key is derived once, as every library caches it.
const kDate = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(amzDate.slice(0, 8)).digest()
const kRegion = createHmac('sha256', kDate).update(region).digest()
const floorKeys = {}
for (const service of ['dynamodb', 's3']) {
  const kService = createHmac('sha256', kRegion).update(service).digest()
  const key = createHmac('sha256', kService).update('aws4_request').digest()
  floorKeys[service] = { buffer: key, keyObject: createSecretKey(key) }
}
const ddbOptions = () => ({
  method: 'POST',
  url: DDB_URL,
  headers: { 'content-type': DDB_TYPE, 'x-amz-target': DDB_TARGET },
  body: DDB_BODY,
  service: 'dynamodb',
  region,
  credentials,
  date,
})
const pieces = {
  'dynamodb sign': await sign(ddbOptions()),
  's3 sign': await sign({ url: S3_URL, service: 's3', region, credentials, date }),
  'dynamodb presign': await presignRequest({ ...ddbOptions(), expiresIn }),
  's3 presign': await presignRequest({ url: S3_URL, service: 's3', region, credentials, date, expiresIn }),
}
const hasOneShot = typeof oneShotHash === 'function'
const FLOORS = [] // names of the floor variants, fastest picked in the summary
for (const [name, p] of Object.entries(pieces)) {
  const keys = floorKeys[name.startsWith('s3') ? 's3' : 'dynamodb']
  // S3 GET and S3 presign sign a constant payload hash (empty body / UNSIGNED-PAYLOAD): no payload hash.
  const payload = name.startsWith('dynamodb') ? DDB_BODY : null
  const { canonicalRequest, stringToSign } = p
  const variants = {
    'floor: createHash + createHmac': (key = keys.buffer) => {
      if (payload !== null) do_not_optimize(createHash('sha256').update(payload).digest('hex'))
      do_not_optimize(createHash('sha256').update(canonicalRequest).digest('hex'))
      return createHmac('sha256', key).update(stringToSign).digest('hex')
    },
  }
  if (hasOneShot) {
    variants['floor: crypto.hash + createHmac'] = (key = keys.buffer) => {
      if (payload !== null) do_not_optimize(oneShotHash('sha256', payload, 'hex'))
      do_not_optimize(oneShotHash('sha256', canonicalRequest, 'hex'))
      return createHmac('sha256', key).update(stringToSign).digest('hex')
    }
    const hmacKeyObject = variants['floor: crypto.hash + createHmac']
    variants['floor: crypto.hash + createHmac(KeyObject)'] = () => hmacKeyObject(keys.keyObject)
    // HMAC as RFC 2104 spells it out, with the padded key blocks prepared once (what awsig's node
    // backend does since it caches the prepared key): two one-shot hashes instead of an Hmac object.
    const inner = Buffer.alloc(64, 0x36)
    const outer = Buffer.alloc(96, 0x5c)
    for (let i = 0; i < keys.buffer.length; i++) {
      inner[i] ^= keys.buffer[i]
      outer[i] ^= keys.buffer[i]
    }
    const stringToSignBytes = Buffer.from(stringToSign)
    variants['floor: crypto.hash + prepared HMAC'] = () => {
      if (payload !== null) do_not_optimize(oneShotHash('sha256', payload, 'hex'))
      do_not_optimize(oneShotHash('sha256', canonicalRequest, 'hex'))
      outer.write(oneShotHash('sha256', Buffer.concat([inner, stringToSignBytes]), 'hex'), 64, 'hex')
      return oneShotHash('sha256', outer, 'hex')
    }
  }
  for (const [variant, fn] of Object.entries(variants)) {
    // Sanity: the floor computes the same signature.
    if (fn() !== p.signature) throw new Error(`${variant} for ${name} computes another signature`)
    cases[name][variant] = () => fn()
    if (!FLOORS.includes(variant)) FLOORS.push(variant)
  }
}
console.log(
  `\nInputs: DynamoDB GetItem body ${Buffer.byteLength(DDB_BODY)} B; canonical request ` +
    Object.entries(pieces)
      .map(([name, p]) => `${name} ${p.canonicalRequest.length} B`)
      .join(', '),
)
console.log(`crypto.hash one-shot: ${hasOneShot ? 'yes' : 'no (floor uses createHash)'}`)
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} cores)\n`,
)

// 3. Measure. Asynchronous APIs are awaited (the caller pays for the promise); synchronous ones are not.
const SYNC = new Set(['aws4', ...FLOORS])
for (const [name, fns] of Object.entries(cases)) {
  group(name, () => {
    summary(() => {
      for (const [lib, fn] of Object.entries(fns)) {
        const label = `${name}: ${LABEL[lib] ?? lib}`
        const b = SYNC.has(lib)
          ? bench(label, () => do_not_optimize(fn()))
          : bench(label, async () => do_not_optimize(await fn()))
        if (lib === 'awsig') b.baseline(true)
      }
    })
  })
}
const { benchmarks } = await run()
console.log(
  `\nload average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)

// 4. Cross-check in CPU time. Wall-clock samples on a machine shared with other work (2 cores here) swing
// by tens of percent; the CPU time this process spends (all its threads, so WebCrypto's thread pool
// too) barely moves when other processes compete. ROUNDS rounds of ~80 ms per function, order
// alternating, minimum per function.
const ROUNDS = 7
const entries = []
for (const [name, fns] of Object.entries(cases)) {
  for (const [lib, fn] of Object.entries(fns)) {
    const label = `${name}: ${LABEL[lib] ?? lib}`
    const wall = benchmarks.find((b) => b.alias === label).runs[0].stats.avg
    entries.push({ label, fn, sync: SYNC.has(lib), iterations: Math.max(20, Math.round(80e6 / wall)) })
  }
}
const cpu = await cpuTimes(entries, ROUNDS)
console.log(
  `load average after the CPU-time rounds: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)

// 5. Summary: ratios against the goals from the issue, from both measures. Wall: mitata's median sample
// (each sample averages a batch of calls, GC included; the median is less disturbed by other work than
// the mean, shown in parentheses). CPU: the minimum over the rounds above.
const wallStats = new Map()
for (const b of benchmarks) wallStats.set(b.alias, b.runs[0].stats)
const GOALS = { aws4fetch: 100, aws4: 5, smithy: 10 }
const PEERS = ['aws4fetch', 'aws4', 'smithy']
const us = (v) => `${(v / 1000).toFixed(v >= 10_000 ? 1 : 2)} µs`
const x = (v) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`
const measures = {
  wall: (label) => wallStats.get(label)?.p50,
  cpu: (label) => cpu.get(label),
}
const rows = {}
for (const [measure, get] of Object.entries(measures)) {
  rows[measure] = Object.keys(cases).map((name) => {
    const [floorName, floor] = FLOORS.map((f) => [f, get(`${name}: ${f}`)])
      .filter(([, t]) => t !== undefined)
      .reduce((best, cur) => (cur[1] < best[1] ? cur : best))
    const peers = Object.fromEntries(PEERS.map((lib) => [lib, get(`${name}: ${LABEL[lib]}`)]))
    return { name, awsig: get(`${name}: awsig`), floorName, floor, peers }
  })
}

console.log('\nWall time per operation, median of mitata samples (mean); ratio = peer / awsig:\n')
console.log('| case | awsig | aws4fetch | aws4 | @smithy/signature-v4 | floor | awsig / floor |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const { name, awsig, floor, floorName, peers } of rows.wall) {
  const mean = (lib) => us(wallStats.get(`${name}: ${LABEL[lib] ?? lib}`).avg)
  const cells = PEERS.map((lib) => `${us(peers[lib])} (${mean(lib)}) **${x(peers[lib] / awsig)}**`)
  console.log(
    `| ${name} | ${us(awsig)} (${mean('awsig')}) | ${cells.join(' | ')} | ${us(floor)} (${mean(floorName)}) | **${x(awsig / floor)}** |`,
  )
}
console.log('\nCPU time per operation, minimum of rounds; ratio = peer / awsig:\n')
console.log('| case | awsig | aws4fetch | aws4 | @smithy/signature-v4 | floor | awsig / floor |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const { name, awsig, floor, peers } of rows.cpu) {
  const cells = PEERS.map((lib) => `${us(peers[lib])} **${x(peers[lib] / awsig)}**`)
  console.log(`| ${name} | ${us(awsig)} | ${cells.join(' | ')} | ${us(floor)} | **${x(awsig / floor)}** |`)
}
const floorNames = (measure) => [...new Set(rows[measure].map((r) => r.floorName.replace('floor: ', '')))].join('; ')
console.log(`\nFloor = fastest variant per case. Wall: ${floorNames('wall')}. CPU: ${floorNames('cpu')}.`)

console.log('\nGoals:\n')
console.log('| case | ratio | goal | wall | CPU | met |')
console.log('| --- | --- | --- | --- | --- | --- |')
Object.keys(cases).forEach((name, i) => {
  const w = rows.wall[i]
  const c = rows.cpu[i]
  const line = (what, goal, atLeast, wr, cr) => {
    const ok = (r) => (atLeast ? r >= goal : r <= goal)
    const met = ok(wr) && ok(cr) ? 'yes' : !ok(wr) && !ok(cr) ? 'NO' : 'one measure only'
    console.log(`| ${name} | ${what} | ${atLeast ? '>=' : '<='} ${goal}x | ${x(wr)} | ${x(cr)} | ${met} |`)
  }
  for (const lib of PEERS)
    line(`${LABEL[lib]} / awsig`, GOALS[lib], true, w.peers[lib] / w.awsig, c.peers[lib] / c.awsig)
  line('awsig / floor', 2, false, w.awsig / w.floor, c.awsig / c.floor)
  // Issue 8 names its floor: one-shot crypto.hash of body and canonical request + one createHmac with
  // a cached key (not the faster prepared HMAC, which awsig itself uses and the row above takes).
  const named = `${name}: floor: crypto.hash + createHmac`
  if (measures.wall(named) !== undefined) {
    line(
      'awsig / (crypto.hash + createHmac)',
      1.5,
      false,
      w.awsig / measures.wall(named),
      c.awsig / measures.cpu(named),
    )
  }
})

// The peers' distance from the floor bounds the ratio any signer can reach against them.
console.log('\nCeiling: peer / floor, the ratio a signer costing exactly the floor would get (wall | CPU):\n')
console.log('| case | aws4fetch / floor | aws4 / floor | @smithy/signature-v4 / floor |')
console.log('| --- | --- | --- | --- |')
Object.keys(cases).forEach((name, i) => {
  const w = rows.wall[i]
  const c = rows.cpu[i]
  const cells = PEERS.map((lib) => `${x(w.peers[lib] / w.floor)} \\| ${x(c.peers[lib] / c.floor)}`)
  console.log(`| ${name} | ${cells.join(' | ')} |`)
})
