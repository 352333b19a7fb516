// The event-stream part of the portable suite (test/portable/event-stream.mjs), here on both crypto
// backends against the source; test/runtimes.test.ts runs it against the build in Bun, Deno and Chromium.
import { describe, expect, it } from 'vitest'
import * as eventStream from '../../src/event-stream/index.js'
import { loadEventStreamCases } from '../portable/event-stream-cases.mjs'
import { runCase } from '../portable/suite.mjs'

const cases: { id: string }[] = await loadEventStreamCases()

describe('portable event-stream cases', () => {
  it('loads the framing vectors and the signed chain', () => {
    expect(cases.map((c) => c.id)).toHaveLength(10)
  })

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    expect(await runCase({ eventStream }, testCase)).toBeUndefined()
  })
})
