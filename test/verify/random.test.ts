// awsig's own sign, presign and signChunked output verifies on random inputs; a random mutation of any
// signed part is always refused with the awsCode AWS would answer, the unmodified request always accepted.
import { describe, expect, it } from 'vitest'
import { presignRequest, sign, signChunked } from '../../src/index.js'
import { VerificationError, verifyRequest } from '../../src/verify/index.js'

/** xorshift32: every failure reproduces from its seed. */
function prng(seed: number) {
  // Spread consecutive seeds apart (Knuth's multiplicative hash): xorshift's first outputs of close seeds are close.
  let x = Math.imul(seed, 2654435761) | 0 || 1
  const next = () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
  for (let i = 0; i < 8; i++) next()
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T
  return { next, int, pick }
}
type Random = ReturnType<typeof prng>

const KEY_CHARS = [
  'a',
  'Z',
  '0',
  ' ',
  '+',
  '=',
  '&',
  '!',
  "'",
  '(',
  ')',
  '*',
  '~',
  '-',
  '_',
  '.',
  'é',
  '日',
  '%',
  '@',
  ':',
  '$',
  ',',
  ';',
]
const VALUE_CHARS = ['a', 'B', '7', ' ', '  ', '+', '=', '&', '/', '%', '*', '~', 'é', '?', '#', ':']
const SERVICES = ['s3', 's3', 'execute-api', 'dynamodb', 'sts']
const text = (r: Random, chars: readonly string[], max: number) => {
  let out = ''
  for (let n = 1 + r.int(max); n > 0; n--) out += r.pick(chars)
  return out
}
const segment = (r: Random) =>
  encodeURIComponent(text(r, KEY_CHARS, 8)).replace(/[!'()*]/g, (c) =>
    r.int(2) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )

interface Case {
  kind: 'sign' | 'presign' | 'chunked'
  service: string
  request: { method: string; url: string; headers: Record<string, string>; body: Uint8Array | null }
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  now: number
  chunked?: { mode: 'signed' | 'signed-trailer' | 'unsigned-trailer'; payload: Uint8Array }
}

async function randomCase(seed: number, kinds: ReadonlyArray<Case['kind']>): Promise<Case> {
  const r = prng(seed)
  const kind = r.pick(kinds)
  const service = kind === 'chunked' ? 's3' : r.pick(SERVICES)
  const credentials = {
    accessKeyId: `AKID${r.int(1e6)}`,
    secretAccessKey: text(r, ['a', 'B', '/', '+', '9'], 40),
    ...(r.int(4) === 0 ? { sessionToken: `tok${text(r, ['a', '/', '+', '='], 30)}` } : {}),
  }
  const segments = Array.from({ length: 1 + r.int(4) }, () => segment(r))
  const query: string[] = []
  for (let n = r.int(4); n > 0; n--) query.push(`${segment(r)}=${r.int(2) ? segment(r) : ''}`)
  const url = `https://${r.pick(['b.s3.amazonaws.com', 'example.com', 'h.test:8443'])}/${segments.join('/')}${query.length ? `?${query.join('&')}` : ''}`
  const headers: Record<string, string> = {}
  for (let n = r.int(4); n > 0; n--) headers[`x-test-${r.int(100)}`] = text(r, VALUE_CHARS, 12).trim() || 'v'
  if (r.int(2)) headers['content-type'] = 'application/octet-stream'
  const date = new Date(Date.UTC(2020 + r.int(6), r.int(12), 1 + r.int(28), r.int(24), r.int(60), r.int(60)))
  const now = date.getTime() + (r.int(2) ? 1 : -1) * r.int(14 * 60_000)
  const method = kind === 'chunked' ? 'PUT' : r.pick(['GET', 'PUT', 'POST', 'DELETE', 'HEAD'])
  const common = { method, url, headers, service, region: r.pick(['us-east-1', 'eu-west-3']), credentials, date }
  if (kind === 'presign') {
    const signed = await presignRequest({ ...common, expiresIn: 1 + r.int(604800) })
    return {
      kind,
      service,
      request: { method, url: signed.url, headers: signed.headers, body: null },
      credentials,
      now: date.getTime() + 500,
    }
  }
  if (kind === 'chunked') {
    const payload = new Uint8Array(r.int(20_000)).map(() => r.int(256))
    const mode = r.pick(['signed', 'signed-trailer', 'unsigned-trailer'] as const)
    const signed = await signChunked({ ...common, body: payload, contentLength: payload.length, mode, chunkSize: 8192 })
    const body = new Uint8Array(await new Response(signed.body).arrayBuffer())
    return {
      kind,
      service,
      request: { method, url: signed.url, headers: signed.headers, body },
      credentials,
      now,
      chunked: { mode, payload },
    }
  }
  const body = r.int(3) === 0 ? null : new Uint8Array(r.int(300)).map(() => r.int(256))
  const signed = await sign({ ...common, body })
  return { kind, service, request: { method, url: signed.url, headers: signed.headers, body }, credentials, now }
}

const options = (c: Case) => ({ credentials: [c.credentials], now: () => c.now })

async function readAll(c: Case, request: Case['request']): Promise<Uint8Array | null> {
  const verified = await verifyRequest(request, options(c))
  return verified.body === null ? null : new Uint8Array(await new Response(verified.body).arrayBuffer())
}

const RUNS = 10_000
const BATCH = 1_000

describe('sign, presign and signChunked output verifies', () => {
  for (let batch = 0; batch < RUNS / BATCH; batch++) {
    it(`random inputs ${batch * BATCH}..${(batch + 1) * BATCH - 1}`, async () => {
      for (let seed = batch * BATCH + 1; seed <= (batch + 1) * BATCH; seed++) {
        const c = await randomCase(seed, ['sign', 'sign', 'presign', 'chunked'])
        const body = await readAll(c, c.request).catch((error: unknown) => {
          throw new Error(`seed ${seed} (${c.kind} ${c.service} ${c.request.url}): ${error}`)
        })
        const expected = c.chunked?.payload ?? c.request.body
        expect(body === null ? 0 : body.length, `seed ${seed}`).toBe(expected === null ? 0 : expected.length)
        if (body !== null && expected !== null) expect(Buffer.compare(body, expected), `seed ${seed}`).toBe(0)
      }
    })
  }
})

type Mutation = [what: string, request: Case['request'], codes: readonly string[]]

const SIG = ['SignatureDoesNotMatch']
/** The x-amz-date one second after `amzDate`. */
const laterAmzDate = (amzDate: string) =>
  new Date(
    Date.UTC(
      Number(amzDate.slice(0, 4)),
      Number(amzDate.slice(4, 6)) - 1,
      Number(amzDate.slice(6, 8)),
      Number(amzDate.slice(9, 11)),
      Number(amzDate.slice(11, 13)),
      Number(amzDate.slice(13, 15)) + 1,
    ),
  )
    .toISOString()
    .replace(/[-:]|\.\d{3}/g, '')
const flipHex = (hex: string, i: number) => hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1)

/** One random mutation of a signed part, and the AWS codes that may answer it. */
function mutate(c: Case, r: Random): Mutation {
  const { request } = c
  const url = new URL(request.url)
  const headers = { ...request.headers }
  const presigned = c.kind === 'presign'
  const withUrl = (next: string): Case['request'] => ({ ...request, url: next })
  const choices: Array<() => Mutation> = [
    () => ['method', { ...request, method: request.method === 'PATCH' ? 'GET' : 'PATCH' }, SIG],
    () => {
      const path = request.url.replace(/^(https:\/\/[^/]+\/)/, `$1x${r.int(10)}`)
      return ['path', withUrl(path), SIG]
    },
    () => {
      const [base, query = ''] = request.url.split('?') as [string, string?]
      const pairs = query === '' ? [] : query.split('&')
      const mine = pairs.filter((p) => !p.startsWith('X-Amz-'))
      if (mine.length === 0 || r.int(3) === 0)
        return ['query added', withUrl(`${base}?${[...pairs, `zz${r.int(9)}=1`].join('&')}`), SIG]
      const victim = r.pick(mine)
      const changed = r.int(2) ? pairs.filter((p) => p !== victim) : pairs.map((p) => (p === victim ? `${p}q` : p))
      return ['query pair', withUrl(`${base}${changed.length ? '?' : ''}${changed.join('&')}`), SIG]
    },
    () => {
      const signature = presigned
        ? (url.searchParams.get('X-Amz-Signature') as string)
        : (/Signature=(\w+)/.exec(headers.authorization as string)?.[1] as string)
      const flipped = flipHex(signature, r.int(signature.length))
      if (presigned) return ['signature', withUrl(request.url.replace(signature, flipped)), SIG]
      return [
        'signature',
        {
          ...request,
          headers: { ...headers, authorization: (headers.authorization as string).replace(signature, flipped) },
        },
        SIG,
      ]
    },
  ]
  if (presigned) {
    choices.push(
      () => {
        const amzDate = url.searchParams.get('X-Amz-Date') as string
        const next = laterAmzDate(amzDate)
        // One second later may be the next day: then the scope's day is wrong first.
        const codes = next.slice(0, 8) === amzDate.slice(0, 8) ? SIG : ['AuthorizationQueryParametersError']
        return ['date', withUrl(request.url.replace(`X-Amz-Date=${amzDate}`, `X-Amz-Date=${next}`)), codes]
      },
      () => {
        const expires = url.searchParams.get('X-Amz-Expires') as string
        return [
          'expires',
          withUrl(
            request.url.replace(
              `X-Amz-Expires=${expires}`,
              `X-Amz-Expires=${Math.max(1, Number(expires) - 1) === Number(expires) ? 2 : Number(expires) - 1}`,
            ),
          ),
          SIG,
        ]
      },
      () => [
        'scope',
        withUrl(request.url.replace(/(X-Amz-Credential=[^&]*?%2F\d{8}%2F)([a-z0-9-]+)/, '$1ap-south-2')),
        SIG,
      ],
    )
    if (c.credentials.sessionToken !== undefined) {
      choices.push(() => [
        'token',
        withUrl(request.url.replace('X-Amz-Security-Token=tok', 'X-Amz-Security-Token=tak')),
        ['InvalidToken'],
      ])
    }
  } else {
    const signedList = /SignedHeaders=([^,]+)/.exec(headers.authorization as string)?.[1] ?? ''
    const signedNames = signedList.split(';').filter((n) => n !== 'host')
    choices.push(
      () => {
        const name = r.pick(signedNames)
        if (name === 'x-amz-date') {
          const value = headers[name] as string
          const next = laterAmzDate(value)
          const codes = next.slice(0, 8) === value.slice(0, 8) ? SIG : ['AuthorizationHeaderMalformed']
          return ['date', { ...request, headers: { ...headers, [name]: next } }, codes]
        }
        if (name === 'x-amz-content-sha256') {
          const value = headers[name] as string
          const next = /^[0-9a-f]{64}$/.test(value) ? flipHex(value, 0) : 'UNSIGNED-PAYLOAD'
          return ['content hash', { ...request, headers: { ...headers, [name]: next } }, SIG]
        }
        if (name === 'x-amz-security-token')
          return ['token', { ...request, headers: { ...headers, [name]: `${headers[name]}x` } }, ['InvalidToken']]
        return [`header ${name}`, { ...request, headers: { ...headers, [name]: `${headers[name]}x` } }, SIG]
      },
      () => {
        const name = r.pick(signedNames)
        const { [name]: _, ...rest } = headers
        const codes =
          name === 'x-amz-date' ? ['AuthorizationHeaderMalformed', 'AccessDenied'] : ['AuthorizationHeaderMalformed']
        return [`header ${name} removed`, { ...request, headers: rest }, codes]
      },
      () => [
        'scope',
        {
          ...request,
          headers: {
            ...headers,
            authorization: (headers.authorization as string).replace(/(\/\d{8}\/)([a-z0-9-]+)/, '$1ap-south-2'),
          },
        },
        SIG,
      ],
      () => [
        'day',
        {
          ...request,
          headers: {
            ...headers,
            authorization: (headers.authorization as string).replace(
              /\/(\d{8})\//,
              (_, d: string) => `/${d.slice(0, 6)}${d[6] === '0' ? '1' : '0'}${d[7]}/`,
            ),
          },
        },
        ['AuthorizationHeaderMalformed'],
      ],
    )
    const body = request.body
    if (body !== null && body.length > 0) {
      const i = r.int(body.length)
      const tampered = body.slice()
      tampered[i] = (tampered[i] as number) ^ (1 + r.int(255))
      const codes = c.chunked
        ? ['SignatureDoesNotMatch', 'InvalidRequest', 'IncompleteBody', 'BadDigest']
        : c.service === 's3'
          ? ['XAmzContentSHA256Mismatch']
          : SIG
      choices.push(() => [c.chunked ? 'chunk byte' : 'body byte', { ...request, body: tampered }, codes])
    }
    if (c.chunked) {
      const wire = new TextDecoder('latin1').decode(request.body as Uint8Array)
      const swap = (from: RegExp, to: (m: string) => string, what: string, codes: readonly string[]): Mutation => {
        const next = wire.replace(from, to)
        return [what, { ...request, body: Uint8Array.from(next, (ch) => ch.charCodeAt(0)) }, codes]
      }
      choices.push(() =>
        swap(/^[0-9a-f]+/, (size) => (Number.parseInt(size, 16) + 1).toString(16), 'chunk boundary', [
          'InvalidRequest',
          'IncompleteBody',
          'SignatureDoesNotMatch',
        ]),
      )
      if (c.chunked.mode !== 'signed') {
        choices.push(() =>
          swap(
            /x-amz-checksum-crc32:(.)/,
            (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`,
            'trailer',
            c.chunked?.mode === 'signed-trailer' ? SIG : ['BadDigest'],
          ),
        )
      }
    }
  }
  return r.pick(choices)()
}

describe('tampering: every mutation of a signed part is refused with the right code', () => {
  const seen = new Map<string, number>()
  for (let batch = 0; batch < RUNS / BATCH; batch++) {
    it(`random requests ${batch * BATCH}..${(batch + 1) * BATCH - 1}`, async () => {
      for (let seed = batch * BATCH + 1; seed <= (batch + 1) * BATCH; seed++) {
        const c = await randomCase(seed + 1_000_000, ['sign', 'sign', 'presign', 'chunked'])
        await readAll(c, c.request)
        const [what, tampered, codes] = mutate(c, prng(seed))
        const kind = what.replace(/^header (?!.*removed).*/, 'header').replace(/^header .* removed$/, 'header removed')
        seen.set(kind, (seen.get(kind) ?? 0) + 1)
        const error = await readAll(c, tampered).then(
          () => undefined,
          (e: unknown) => e,
        )
        const label = `seed ${seed}: ${what} (${c.kind} ${c.service})`
        expect(error, label).toBeInstanceOf(VerificationError)
        expect(codes, `${label}: ${(error as VerificationError).message}`).toContain(
          (error as VerificationError).awsCode,
        )
      }
    })
  }
  it('mutated every kind of signed part, many times each', () => {
    const kinds = ['method', 'path', 'query pair', 'query added', 'signature', 'date', 'expires', 'scope', 'day']
    kinds.push(
      'header',
      'header removed',
      'content hash',
      'token',
      'body byte',
      'chunk byte',
      'chunk boundary',
      'trailer',
    )
    for (const kind of kinds)
      expect(seen.get(kind) ?? 0, `${kind} in ${JSON.stringify([...seen])}`).toBeGreaterThanOrEqual(20)
  })
})
