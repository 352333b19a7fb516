// `npm run demo` without moto: the tour runs against examples/s3-server.mjs (verifyRequest) and says so.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

it('the demo runs its S3 tour against a local endpoint built on verifyRequest when asked (or without moto)', async () => {
  const env: Record<string, string | undefined> = { ...process.env, AWSIG_DEMO_LOCAL: '1' }
  delete env.AWS_SESSION_TOKEN
  const { stdout } = await run(process.execPath, ['examples/demo.mjs'], { cwd: root, env, maxBuffer: 1 << 22 })
  expect(stdout).toContain('Running the tour against a LOCAL S3-compatible endpoint (examples/s3-server.mjs)')
  expect(stdout).toMatch(/s3 +PutObject \(aws-chunked, streamed\) +200/)
  expect(stdout).toMatch(/s3 +ListBuckets \(wrong secret\) +403 +SignatureDoesNotMatch/)
  expect(stdout).toMatch(/sts +GetCallerIdentity +skipped +needs moto_server/)
  expect(stdout).toContain('Every signature checked out')
}, 120_000)
