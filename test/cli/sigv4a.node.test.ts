// `awsig --sigv4a`: the command's SigV4a signatures, checked by the AWS Common Runtime (aws-crt's
// `aws_verify_sigv4a_signing`), which rebuilds the canonical request from the request printed by
// --dry-run, requires it equal to the one awsig shows under -v, and checks the ECDSA signature.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { auth, http } from 'aws-crt'
import { describe, expect, it } from 'vitest'
import { publicKeyFor } from '../../src/sigv4a/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'dist/cli/main.node.js')
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

/** Runs the built command with --dry-run -v; returns the curl command's parts and the canonical request. */
function dryRun(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, '--dry-run', '-v', ...args], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    },
  })
  expect(result.status, result.stderr).toBe(0)
  const canonical = /\* canonical request:\n((?:\* {3}.*\n)+)/.exec(result.stderr)?.[1] ?? ''
  const canonicalRequest = canonical
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(4))
    .join('\n')
  const headers = [...result.stdout.matchAll(/-H '([^:]+): ([^']*)'/g)].map((m) => [m[1], m[2]] as [string, string])
  const url = /^curl(?: -X \w+)? (\S+)/.exec(result.stdout)?.[1] as string
  return { canonicalRequest, headers, url: url.replace(/^'|'$/g, '') }
}

function verify(
  request: ReturnType<typeof dryRun>,
  options: { method: string; service: string; regionSet: string[]; payloadHash: string; s3: boolean },
) {
  const header = (name: string) => request.headers.find(([n]) => n === name)?.[1] as string
  const amzDate = header('x-amz-date')
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  )
  const signature = /Signature=([0-9a-f]+)/.exec(header('authorization'))?.[1] as string
  const url = new URL(request.url)
  const crtHeaders = new http.HttpHeaders([['host', url.host]])
  const skip = new Set(['authorization', 'x-amz-date', 'x-amz-region-set', 'x-amz-content-sha256'])
  for (const [name, value] of request.headers) if (!skip.has(name)) crtHeaders.add(name, value)
  const crtRequest = new http.HttpRequest(options.method, request.url, crtHeaders)
  return publicKeyFor(credentials, { keyCache: null }).then(({ x, y }): boolean =>
    auth.aws_verify_sigv4a_signing(
      crtRequest,
      {
        algorithm: auth.AwsSigningAlgorithm.SigV4Asymmetric,
        signature_type: auth.AwsSignatureType.HttpRequestViaHeaders,
        provider: auth.AwsCredentialsProvider.newStatic(credentials.accessKeyId, credentials.secretAccessKey),
        region: options.regionSet.join(','),
        service: options.service,
        date,
        use_double_uri_encode: !options.s3,
        should_normalize_uri_path: !options.s3,
        signed_body_value: options.payloadHash,
        signed_body_header: options.s3
          ? auth.AwsSignedBodyHeaderType.XAmzContentSha256
          : auth.AwsSignedBodyHeaderType.None,
      },
      request.canonicalRequest,
      signature,
      x,
      y,
    ),
  )
}

describe('awsig --sigv4a', () => {
  it('a query request over a region set: the CRT accepts the signature', async () => {
    const request = dryRun([
      '--sigv4a',
      '--region-set',
      'us-east-1,us-west-2',
      '--service',
      'sqs',
      '-d',
      'Action=ListQueues&Version=2012-11-05',
      'https://sqs.us-east-1.amazonaws.com/',
    ])
    expect(request.canonicalRequest).toContain('x-amz-region-set:us-east-1,us-west-2')
    const payloadHash = '48a38266faf90970d6c7fea9b15e6ba366e5f6397c2970fc893f8a7b5e207bd0' // sha256 of the body
    expect(
      await verify(request, {
        method: 'POST',
        service: 'sqs',
        regionSet: ['us-east-1', 'us-west-2'],
        payloadHash,
        s3: false,
      }),
    ).toBe(true)
    // The same request with another region set does not verify (the CRT throws on the canonical request).
    const other = await verify(request, {
      method: 'POST',
      service: 'sqs',
      regionSet: ['eu-west-1'],
      payloadHash,
      s3: false,
    }).catch((error: Error) => error.message)
    expect(other).toMatch(/CANONICAL_REQUEST_MISMATCH/)
  })

  it('an S3 Multi-Region Access Point: region set * from the host', async () => {
    const request = dryRun(['--sigv4a', 'https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key.txt'])
    expect(request.canonicalRequest).toContain('x-amz-region-set:*')
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    expect(
      await verify(request, { method: 'GET', service: 's3', regionSet: ['*'], payloadHash: empty, s3: true }),
    ).toBe(true)
  })
})
