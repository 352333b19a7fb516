// The event-stream vectors as plain JSON cases for test/portable/event-stream.mjs: smithy-typescript's
// framing vectors (positive and negative) and the aws-c-auth signed chain. Runs on Node, Bun and Deno
// (node:fs); the browser runner receives the cases as JSON.
import { readdir, readFile } from 'node:fs/promises'

const VECTORS = new URL('../vectors/', import.meta.url)
const FRAMING = 'smithy-typescript/packages/eventstream-codec/test_vectors/'
const base64 = (bytes) => Buffer.from(bytes).toString('base64')

export async function loadEventStreamCases() {
  const cases = []
  for (const kind of ['positive', 'negative']) {
    const dir = new URL(`${FRAMING}encoded/${kind}/`, VECTORS)
    for (const name of (await readdir(dir)).sort()) {
      const bytes = base64(await readFile(new URL(name, dir)))
      const decoded = await readFile(new URL(`${FRAMING}decoded/${kind}/${name}`, VECTORS), 'utf8')
      cases.push(
        kind === 'positive'
          ? { id: `event-stream/framing/${name}`, fn: 'event-stream:decode', bytes, expected: JSON.parse(decoded) }
          : {
              id: `event-stream/framing/negative/${name}`,
              fn: 'event-stream:reject',
              bytes,
              code: decoded.startsWith('Prelude') ? 'ERR_EVENT_STREAM_PRELUDE_CRC' : 'ERR_EVENT_STREAM_MESSAGE_CRC',
            },
      )
    }
  }
  const signing = JSON.parse(await readFile(new URL('event-stream-signing.json', VECTORS), 'utf8'))
  const chain = signing.cases.find((c) => c.name === 'aws-c-auth-event-signing')
  cases.push({ id: 'event-stream/aws-c-auth-event-signing', fn: 'event-stream:sign', vector: chain })
  return cases
}
