// uploadFile (Node): a file on disk, its size from the file system, through uploadObject.
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client/index.js'
import type { InvalidInputError } from '../../src/errors.js'
import { MIN_PART_SIZE } from '../../src/s3/index.js'
import { uploadFile } from '../../src/s3/node.js'
import { type MiniS3, startMiniS3 } from './mini-s3.js'

let s3: MiniS3
let dir: string
const client = () =>
  createClient({ credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, region: 'us-east-1', service: 's3' })

beforeAll(async () => {
  s3 = await startMiniS3()
  dir = await mkdtemp(join(tmpdir(), 'awsig-s3-'))
})
afterAll(async () => {
  await s3.close()
  await rm(dir, { recursive: true, force: true })
})

describe('uploadFile', () => {
  it('uploads a file in parts whose sizes and MD5s are the file bytes', async () => {
    const data = Buffer.alloc(2 * MIN_PART_SIZE + 10, 7)
    data.write('start')
    const path = join(dir, 'f.bin')
    await writeFile(path, data)
    const result = await uploadFile({ client: client(), url: `${s3.url}/bucket/f.bin`, path, partSize: MIN_PART_SIZE })
    expect([result.parts, result.size]).toEqual([3, data.length])
    const md5 = (from: number, to: number) => createHash('md5').update(data.subarray(from, to)).digest('hex')
    expect(s3.completed.get('/bucket/f.bin')).toEqual([
      { size: MIN_PART_SIZE, md5: md5(0, MIN_PART_SIZE) },
      { size: MIN_PART_SIZE, md5: md5(MIN_PART_SIZE, 2 * MIN_PART_SIZE) },
      { size: 10, md5: md5(2 * MIN_PART_SIZE, data.length) },
    ])
  })

  it('names the path when it is missing', async () => {
    const error = await uploadFile({ client: client(), url: `${s3.url}/bucket/x`, path: '' }).catch((e: unknown) => e)
    expect((error as InvalidInputError).field).toBe('path')
  })
})
