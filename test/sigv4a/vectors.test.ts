// AWS's SigV4a suite (aws-c-auth), header and query, step by step: canonical request and string to sign
// byte-equal, every signature awsig produces verifies under the case's public-key.json, the derived
// public key equals it, and upstream's signature verifies under awsig's key. The same cases run in Bun,
// Deno and Chromium (test/runtimes.test.ts).
import { describe, expect, it } from 'vitest'
import * as awsig from '../../src/index.js'
import * as awsigSigv4a from '../../src/sigv4a/index.js'
import { loadV4aCases } from '../portable/cases.mjs'
import { runCase } from '../portable/suite.mjs'

const cases: Array<{ id: string }> = await loadV4aCases()

describe('SigV4a vector suite (aws-c-auth v4a)', () => {
  it('loads the 38 complete cases, header and query', () => {
    expect(cases).toHaveLength(76)
  })

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    expect(await runCase({ ...awsig, ...awsigSigv4a }, testCase)).toBeUndefined()
  })
})
