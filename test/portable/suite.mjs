// The vector suite, runnable anywhere: Node (vitest), Bun, Deno and a browser. No node: imports.
// `awsig` is the module namespace of the package under test; cases come from cases.mjs.
// Event-stream cases (event-stream-cases.mjs) run against `awsig.eventStream` (awsig/event-stream).
import { runEventStreamCase } from './event-stream.mjs'

function diff(field, expected, actual) {
  if (expected === undefined || expected === actual) return undefined
  return `${field}\n--- expected\n${expected}\n--- actual\n${actual}`
}

/** Runs one case; returns undefined or a description of what differs. */
export async function runCase(awsig, testCase) {
  if (testCase.fn.startsWith('event-stream:')) return runEventStreamCase(awsig.eventStream, testCase)
  const options = { ...testCase.options, date: new Date(testCase.options.date) }
  // SigV4a cases name the algorithm; `awsig` then holds awsig/sigv4a's exports too.
  if (options.algorithm === 'sigv4a') options.algorithm = awsig.sigv4a
  const result = testCase.fn === 'sign' ? await awsig.sign(options) : await awsig.presignRequest(options)
  // Step by step: the first step that differs is the one worth reading.
  const problems = [
    diff('canonical request', testCase.expected.canonicalRequest, result.canonicalRequest),
    diff('string to sign', testCase.expected.stringToSign, result.stringToSign),
    diff('signature', testCase.expected.signature, result.signature),
    diff('authorization', testCase.expected.authorization, result.headers.authorization),
    diff('url', testCase.expected.url, result.url),
  ].filter(Boolean)
  const publicKey = testCase.expected.publicKey
  if (publicKey !== undefined) {
    // ECDSA signatures are random: each must verify under the suite's public key, which awsig must
    // derive from the credentials; upstream's own signature must verify under awsig's derived key.
    const derived = await awsig.publicKeyFor(options.credentials)
    if (derived.x !== publicKey.x || derived.y !== publicKey.y) problems.push('derived public key differs')
    if (!(await awsig.verifyWithPublicKey(publicKey, result.stringToSign, result.signature))) {
      problems.push(`signature ${result.signature} does not verify under the public key`)
    }
    const key = await awsig.sigv4a.key(options.credentials, '', '', '', null)
    const upstream = testCase.expected.upstreamSignature
    if (!(await awsig.sigv4a.verify(key, testCase.expected.stringToSign, upstream))) {
      problems.push("upstream's signature does not verify under the derived key")
    }
  }
  if (testCase.fn === 'sign' && !result.headers.authorization?.endsWith(`Signature=${result.signature}`)) {
    problems.push('authorization header does not carry the signature')
  }
  if (
    testCase.fn === 'presign' &&
    !result.url.endsWith(`X-Amz-Signature=${result.signature}`) &&
    !result.url.includes(`X-Amz-Signature=${result.signature}&`)
  ) {
    problems.push('presigned URL does not carry the signature')
  }
  return problems.length === 0 ? undefined : `${testCase.id}: ${problems.join('\n')}`
}

export async function runSuite(awsig, cases) {
  const failures = []
  for (const testCase of cases) {
    try {
      const problem = await runCase(awsig, testCase)
      if (problem !== undefined) failures.push(problem)
    } catch (error) {
      failures.push(`${testCase.id}: threw ${error?.stack ?? error}`)
    }
  }
  return { passed: cases.length - failures.length, failed: failures.length, failures }
}
