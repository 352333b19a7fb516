// AWS's own test suites, checked step by step: canonical request, string-to-sign, signature.
import { describe, expect, it } from 'vitest'
import * as awsig from '../../src/index.js'
import { loadCases } from '../portable/cases.mjs'
import { runCase } from '../portable/suite.mjs'

interface Case {
  id: string
}
const cases: Case[] = await loadCases()

describe('vector suites', () => {
  it('loads every suite', () => {
    const count = (prefix: string) => cases.filter((c) => c.id.startsWith(prefix)).length
    expect(count('aws-c-auth/')).toBe(76) // 38 cases, header and query
    expect(count('smithy-kotlin/')).toBe(4)
    expect(count('smithy-rs/')).toBe(2)
    expect(count('botocore/')).toBe(34)
    expect(count('s3-examples/')).toBe(5)
    expect(count('aws-docs/')).toBe(1)
  })

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    expect(await runCase(awsig, testCase)).toBeUndefined()
  })
})
