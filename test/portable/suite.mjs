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
  const result = testCase.fn === 'sign' ? await awsig.sign(options) : await awsig.presignRequest(options)
  // Step by step: the first step that differs is the one worth reading.
  const problems = [
    diff('canonical request', testCase.expected.canonicalRequest, result.canonicalRequest),
    diff('string to sign', testCase.expected.stringToSign, result.stringToSign),
    diff('signature', testCase.expected.signature, result.signature),
    diff('authorization', testCase.expected.authorization, result.headers.authorization),
    diff('url', testCase.expected.url, result.url),
  ].filter(Boolean)
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
