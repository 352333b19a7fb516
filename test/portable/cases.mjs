// Turns the vendored vector suites into plain JSON cases for test/portable/suite.mjs.
// Runs on Node, Bun and Deno (node:fs); the browser runner receives the cases as JSON.
import { readdir, readFile } from 'node:fs/promises'

const VECTORS = new URL('../vectors/', import.meta.url)
const AWS_C_AUTH = 'aws-c-auth/tests/aws-signing-test-suite/v4/'
const AWS_C_AUTH_V4A = 'aws-c-auth/tests/aws-signing-test-suite/v4a/'
const KOTLIN = 'smithy-kotlin/runtime/auth/aws-signing-tests/common/resources/aws-signing-test-suite/v4/'
const SMITHY_RS = 'smithy-rs/aws/rust-runtime/aws-sigv4/aws-signing-test-suite/v4/'
const BOTOCORE = 'botocore/tests/unit/auth/aws4_testsuite/'
const SUITE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

const read = (path) => readFile(new URL(path, VECTORS), 'utf8')
const readMaybe = (path) => read(path).catch(() => undefined)
const readJson = async (path) => JSON.parse(await read(path))

/**
 * Parses a suite `request.txt`: request line, headers (obs-fold continuation lines unfolded into the
 * value with a space, as RFC 9112 allows a recipient to do), blank line, body.
 */
export function parseRequest(text) {
  const [head, ...rest] = text.replaceAll('\r\n', '\n').split('\n\n')
  const lines = head.split('\n').filter((line) => line !== '')
  const requestLine = lines.shift()
  const method = requestLine.slice(0, requestLine.indexOf(' '))
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '))
  const headers = []
  for (const line of lines) {
    if (/^[ \t]/.test(line)) headers[headers.length - 1][1] += ` ${line.trim()}`
    else {
      const colon = line.indexOf(':')
      headers.push([line.slice(0, colon), line.slice(colon + 1)])
    }
  }
  const body = rest.join('\n\n')
  return { method, target, headers, body: body === '' ? null : body }
}

/** A request line's target as `sign` options: the URL is built from the Host header. */
function requestOptions(request) {
  const host = request.headers.find(([name]) => name.toLowerCase() === 'host')[1].trim()
  const headers = request.headers.filter(([name]) => name.toLowerCase() !== 'host')
  // The suites' request lines hold a raw space or raw UTF-8 in a few paths (get-space-*, get-utf8),
  // which no HTTP client can send. Their expected canonical URI is that path encoded once. awsig
  // encodes such characters for the wire first and, for services that double-encode, encodes the
  // wire path again, as AWS does ("/documents and settings/" -> "/documents%2520and%2520settings/"
  // in AWS's own canonical-request documentation). Encoding once is what single encoding does, so
  // these cases run with doubleEncodePath: false; everything else is compared as AWS sends it.
  const rawPath = /[^\x21-\x7e]/.test(request.target.split('?')[0])
  return {
    method: request.method,
    url: `https://${host}${request.target}`,
    headers,
    body: request.body,
    ...(rawPath ? { doubleEncodePath: false } : {}),
  }
}

const signatureOf = (authorization) => /Signature=([0-9a-f]{64})/.exec(authorization)?.[1]

/**
 * aws-c-auth's suite layout (v4 and v4a). For `sigv4a` the options name the algorithm as the string
 * `'sigv4a'` (suite.mjs swaps in the value) and sign for `regionSet: [region]`; ECDSA signatures are
 * random, so the case expects the public key they verify under, and carries upstream's signature.
 */
async function awsCAuthCases(root, source, names, algorithm = 'sigv4') {
  const cases = []
  for (const name of names) {
    const dir = `${root}${name}/`
    const contextText = await readMaybe(`${dir}context.json`)
    const expectedCanonical = await readMaybe(`${dir}header-canonical-request.txt`)
    if (contextText === undefined || expectedCanonical === undefined) continue // incomplete upstream
    const context = JSON.parse(contextText)
    const request = parseRequest(await read(`${dir}request.txt`))
    const credentials = {
      accessKeyId: context.credentials.access_key_id,
      secretAccessKey: context.credentials.secret_access_key,
      ...(context.credentials.token ? { sessionToken: context.credentials.token } : {}),
    }
    const base = {
      ...requestOptions(request),
      service: context.service,
      ...(algorithm === 'sigv4a' ? { regionSet: [context.region], algorithm } : { region: context.region }),
      credentials,
      date: context.timestamp,
      normalizePath: context.normalize,
      ...(context.double_uri_encode === false ? { doubleEncodePath: false } : {}),
      ...(context.omit_session_token ? { signSessionToken: false } : {}),
    }
    cases.push({
      id: `${source}/${name}#header`,
      fn: 'sign',
      options: { ...base, contentHashHeader: context.sign_body },
      expected: {
        canonicalRequest: expectedCanonical,
        stringToSign: await read(`${dir}header-string-to-sign.txt`),
        ...(await expectedSignature(dir, 'header', algorithm)),
      },
    })
    cases.push({
      id: `${source}/${name}#query`,
      fn: 'presign',
      options: { ...base, expiresIn: context.expiration_in_seconds },
      expected: {
        canonicalRequest: await read(`${dir}query-canonical-request.txt`),
        stringToSign: await read(`${dir}query-string-to-sign.txt`),
        ...(await expectedSignature(dir, 'query', algorithm)),
      },
    })
  }
  return cases
}

/** v4: the signature itself. v4a: the public key it must verify under, and upstream's own signature. */
async function expectedSignature(dir, mode, algorithm) {
  const signature = (await read(`${dir}${mode}-signature.txt`)).trim()
  if (algorithm !== 'sigv4a') return { signature }
  const { X, Y } = await readJson(`${dir}public-key.json`)
  return { publicKey: { x: X, y: Y }, upstreamSignature: signature }
}

async function listDirs(path) {
  const entries = await readdir(new URL(path, VECTORS), { withFileTypes: true })
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
}

/** botocore's copy of the 2015 suite: `.req`, `.creq`, `.sts`, `.authz`. */
async function botocoreCases() {
  const cases = []
  const token = (await read(`${BOTOCORE}post-sts-token/readme.txt`)).trim().split('\n').pop().trim()
  const walk = async (dir) => {
    for (const name of await listDirs(dir)) {
      const path = `${dir}${name}/`
      const req = await readMaybe(`${path}${name}.req`)
      if (req === undefined) {
        await walk(path)
        continue
      }
      const request = parseRequest(req)
      const amzDate = request.headers.find(([n]) => n.toLowerCase() === 'x-amz-date')[1]
      const sessionToken =
        name === 'get-vanilla-with-session-token'
          ? await sessionTokenOf(`${path}${name}.creq`)
          : name.startsWith('post-sts-')
            ? token
            : undefined
      const authz = await read(`${path}${name}.authz`)
      cases.push({
        id: `botocore/${path.slice(BOTOCORE.length, -1)}#header`,
        fn: 'sign',
        options: {
          ...requestOptions(request),
          headers: requestOptions(request).headers.filter(([n]) => n.toLowerCase() !== 'x-amz-security-token'),
          service: 'service',
          region: 'us-east-1',
          credentials: { ...SUITE_CREDENTIALS, ...(sessionToken ? { sessionToken } : {}) },
          date: `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
          ...(name === 'post-sts-header-after' ? { signSessionToken: false } : {}),
        },
        expected: {
          canonicalRequest: await read(`${path}${name}.creq`),
          stringToSign: await read(`${path}${name}.sts`),
          signature: signatureOf(authz),
          authorization: authz.trim(),
        },
      })
    }
  }
  await walk(BOTOCORE)
  return cases
}

async function sessionTokenOf(creqPath) {
  return /x-amz-security-token:(.*)/.exec(await read(creqPath))[1]
}

/** smithy-rs adds two Lambda / API Gateway cases without context.json (values from SOURCES.md). */
async function smithyRsCases() {
  const dir = `${SMITHY_RS}double-url-encode/`
  const request = parseRequest(await read(`${dir}request.txt`))
  const misc = await readJson('misc-sigv4-vectors.json')
  const note = misc.notes.find((n) => n.name === 'smithy-rs-double-encode-path-note')
  const pathRequest = parseRequest(await read(`${SMITHY_RS}double-encode-path/request.txt`))
  return [
    {
      id: 'smithy-rs/double-url-encode#header',
      fn: 'sign',
      options: {
        ...requestOptions(request),
        service: 'lambda',
        region: 'us-east-2',
        credentials: SUITE_CREDENTIALS,
        date: '2021-05-11T15:40:45Z',
      },
      expected: {
        canonicalRequest: await read(`${dir}header-canonical-request.txt`),
        stringToSign: (await read(`${dir}header-string-to-sign.txt`)).replace(/\n$/, ''), // file ends in a newline
        signature: signatureOf(await read(`${dir}header-signed-request.txt`)),
      },
    },
    {
      // Upstream's canonical request carries a wrong date; SOURCES.md gives the corrected one.
      id: 'smithy-rs/double-encode-path#header',
      fn: 'sign',
      options: {
        ...requestOptions(pathRequest),
        service: 'service',
        region: 'us-east-1',
        credentials: { accessKeyId: 'ANOTREAL', secretAccessKey: 'notrealrnrELgWzOk3IfjzDKtFBhDby' },
        date: '2015-08-30T12:36:00Z',
      },
      expected: {
        canonicalRequest: note.corrected.canonical_request,
        stringToSign: note.corrected.string_to_sign,
        signature: signatureOf(await read(`${SMITHY_RS}double-encode-path/header-signed-request.txt`)),
      },
    },
  ]
}

/** The S3 documentation examples (header signing and the presigned URL). */
async function s3Cases() {
  const { examples } = await readJson('s3-examples.json')
  const cases = []
  for (const example of examples) {
    const input = example.inputs
    if (input.x_amz_date === undefined) continue // POST policy and chunked cases belong to other suites
    const expected = example.expected
    const common = {
      method: input.method,
      service: input.service,
      region: input.region,
      credentials: { accessKeyId: input.access_key_id, secretAccessKey: input.secret_access_key },
      date: `${input.x_amz_date.slice(0, 4)}-${input.x_amz_date.slice(4, 6)}-${input.x_amz_date.slice(6, 8)}T00:00:00Z`,
    }
    if (example.kind.startsWith('header-signed')) {
      const host = input.headers.Host
      const query = input.query.map(([k, v]) => `${k}=${v}`).join('&')
      const headers = Object.entries(input.headers).filter(([n]) => n !== 'Host' && n.toLowerCase() !== 'x-amz-date')
      cases.push({
        id: `s3-examples/${example.name}#header`,
        fn: 'sign',
        options: {
          ...common,
          url: `https://${host}${input.path}${query ? `?${query}` : ''}`,
          headers,
          body: input.payload === 'empty' ? null : input.payload.utf8,
        },
        expected: {
          canonicalRequest: expected.canonical_request,
          stringToSign: expected.string_to_sign,
          signature: expected.signature,
        },
      })
    } else if (example.kind.startsWith('query-signed')) {
      cases.push({
        id: `s3-examples/${example.name}#query`,
        fn: 'presign',
        options: { ...common, url: input.url, expiresIn: input.expires_seconds },
        expected: {
          canonicalRequest: expected.canonical_request,
          stringToSign: expected.string_to_sign,
          signature: expected.signature,
          url: expected.presigned_url,
        },
      })
    }
  }
  return cases
}

async function docsCases() {
  const misc = await readJson('misc-sigv4-vectors.json')
  return misc.docs_examples.map((example) => {
    const input = example.inputs
    return {
      id: `aws-docs/${example.name}#header`,
      fn: 'sign',
      options: {
        method: input.method,
        url: input.url,
        headers: Object.entries(input.headers).filter(([n]) => n !== 'Host' && n !== 'X-Amz-Date'),
        service: input.service,
        region: input.region,
        credentials: { accessKeyId: input.access_key_id, secretAccessKey: input.secret_access_key },
        date: '2015-08-30T12:36:00Z',
      },
      expected: {
        canonicalRequest: example.expected.canonical_request_reconstructed_by_collector,
        stringToSign: example.expected.string_to_sign,
        signature: example.expected.signature,
        authorization: example.expected.authorization,
      },
    }
  })
}

/** AWS's SigV4a suite (aws-c-auth), header and query: 38 complete cases. JSON-serialisable. */
export async function loadV4aCases() {
  return awsCAuthCases(AWS_C_AUTH_V4A, 'aws-c-auth-v4a', await listDirs(AWS_C_AUTH_V4A), 'sigv4a')
}

/** Every case, JSON-serialisable. */
export async function loadCases() {
  const kotlinExtra = ['get-percent-encoded', 'get-percent-single-encoded']
  return [
    ...(await awsCAuthCases(AWS_C_AUTH, 'aws-c-auth', await listDirs(AWS_C_AUTH))),
    ...(await awsCAuthCases(KOTLIN, 'smithy-kotlin', kotlinExtra)),
    ...(await smithyRsCases()),
    ...(await botocoreCases()),
    ...(await s3Cases()),
    ...(await docsCases()),
  ]
}
