// Every signed request of AWS's Signature V4 test suites (aws-c-auth, smithy-kotlin, botocore), the S3
// documentation examples and its aws-chunked bodies, verified as they are written: not re-signed by us.
import { describe, expect, it } from 'vitest'
import { verifyRequest } from '../../src/verify/index.js'
import { readVector, receivedRequest, signedSuiteCase, vectorDirs, vectorExists } from '../support/signed-suite.js'

const read = readVector
const exists = vectorExists
const dirs = vectorDirs

const SUITES: Array<[string, string, string[] | undefined]> = [
  ['aws-c-auth', 'aws-c-auth/tests/aws-signing-test-suite/v4/', undefined],
  [
    'smithy-kotlin',
    'smithy-kotlin/runtime/auth/aws-signing-tests/common/resources/aws-signing-test-suite/v4/',
    ['get-percent-encoded', 'get-percent-single-encoded'],
  ],
]

describe('AWS Signature V4 test suite: every signed request verifies', () => {
  for (const [source, root, only] of SUITES) {
    for (const name of only ?? dirs(root)) {
      const dir = `${root}${name}/`
      if (!exists(`${dir}context.json`)) continue
      for (const variant of ['header', 'query'] as const) {
        const file = `${dir}${variant}-signed-request.txt`
        if (!exists(file)) continue
        it(`${source}/${name} (${variant})`, async () => {
          const { request, credentials, options, signature } = signedSuiteCase(dir, variant)
          const verified = await verifyRequest(request, options)
          expect(verified.accessKeyId).toBe(credentials.accessKeyId)
          expect(verified.presigned).toBe(variant === 'query')
          expect(verified.sessionToken).toBe(credentials.sessionToken !== undefined)
          expect(verified.signature).toBe(signature)
        })
      }
    }
  }
})

describe('botocore copy of the 2015 suite', () => {
  const ROOT = 'botocore/tests/unit/auth/aws4_testsuite/'
  const token = read(`${ROOT}post-sts-token/readme.txt`).trim().split('\n').pop()?.trim() as string
  const cases: Array<[string, string]> = []
  const walk = (dir: string) => {
    for (const name of dirs(dir)) {
      const path = `${dir}${name}/`
      if (exists(`${path}${name}.req`)) cases.push([path, name])
      else walk(path)
    }
  }
  walk(ROOT)
  it.each(cases)('%s', async (path, name) => {
    const { target, ...request } = receivedRequest(read(`${path}${name}.req`))
    const authorization = read(`${path}${name}.authz`).trim()
    const rawPath = /[^\x21-\x7e]/.test(target.split('?')[0] as string)
    const creq = read(`${path}${name}.creq`)
    const sessionToken =
      /x-amz-security-token:(.*)/.exec(creq)?.[1] ?? (name.startsWith('post-sts-') ? token : undefined)
    const headers = [
      ...(request.headers as Array<[string, string]>),
      ['Authorization', authorization] as [string, string],
    ]
    if (sessionToken !== undefined && !headers.some(([n]) => n.toLowerCase() === 'x-amz-security-token')) {
      headers.push(['X-Amz-Security-Token', sessionToken])
    }
    const amzDate = (headers.find(([n]) => n.toLowerCase() === 'x-amz-date') as [string, string])[1]
    const verified = await verifyRequest(
      { ...request, headers },
      {
        credentials: [
          { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken },
        ],
        service: 'service',
        region: 'us-east-1',
        now: () =>
          Date.parse(
            `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
          ),
        ...(rawPath ? { doubleEncodePath: false } : {}),
        requireSignedSessionToken: name !== 'post-sts-header-after',
      },
    )
    expect(verified.signature).toBe(/Signature=([0-9a-f]{64})/.exec(authorization)?.[1])
  })
})

interface S3Example {
  name: string
  kind: string
  // biome-ignore lint/suspicious/noExplicitAny: vector file shape varies per kind
  inputs: any
  // biome-ignore lint/suspicious/noExplicitAny: vector file shape varies per kind
  expected: any
}
const s3 = (JSON.parse(read('s3-examples.json')) as { examples: S3Example[] }).examples
const dayStart = (amzDate: string) =>
  Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T00:00:00Z`)

describe('S3 documentation examples', () => {
  for (const example of s3) {
    const input = example.inputs
    const credentials = [{ accessKeyId: input.access_key_id, secretAccessKey: input.secret_access_key }]
    const options = {
      credentials,
      service: 's3',
      region: input.region,
      now: () => dayStart(input.x_amz_date ?? '20130524'),
    }
    if (example.kind.startsWith('header-signed')) {
      it(`${example.name} (header)`, async () => {
        const query = input.query.map(([k, v]: [string, string]) => `${k}=${v}`).join('&')
        const body = input.payload === 'empty' ? null : input.payload.utf8
        const verified = await verifyRequest(
          {
            method: input.method,
            url: `https://${input.headers.Host}${input.path}${query ? `?${query}` : ''}`,
            headers: { ...input.headers, authorization: example.expected.authorization_sdk_format },
            body,
          },
          options,
        )
        expect(verified.signature).toBe(example.expected.signature)
        expect(verified.body === null ? '' : await new Response(verified.body).text()).toBe(body ?? '')
      })
    } else if (example.kind.startsWith('query-signed')) {
      it(`${example.name} (presigned)`, async () => {
        const verified = await verifyRequest({ method: input.method, url: example.expected.presigned_url }, options)
        expect(verified.signature).toBe(example.expected.signature)
        expect(verified.expiresAt?.getTime()).toBe(dayStart(input.x_amz_date) + input.expires_seconds * 1000)
      })
    } else if (example.name.startsWith('chunked-upload')) {
      it(`${example.name} (aws-chunked body)`, async () => {
        let wire = ''
        for (const chunk of example.expected.chunks) {
          wire += chunk.encoded_chunk_header
          if (chunk.chunk_data.length > 0) wire += `${chunk.chunk_data.repeat.repeat(chunk.chunk_data.length)}\r\n`
        }
        wire += example.expected.trailer?.encoded_trailer ?? '\r\n'
        const verified = await verifyRequest(
          {
            method: input.method,
            url: `https://${input.headers.Host}${input.path}`,
            headers: { ...input.headers, authorization: example.expected.seed_authorization_sdk_format },
            body: wire,
          },
          options,
        )
        expect(await new Response(verified.body).text()).toBe('a'.repeat(66560))
        if (example.expected.trailer) {
          expect(Object.entries(verified.trailers)).toEqual(example.expected.trailer.trailing_headers)
        }
      })
    }
  }
})
