// One streamed upload of `size` bytes from `source` (an async iterable of fresh arrays), shared by
// upload.mjs (Node, Bun, Deno) and worker.mjs (workerd). Portable: no node: imports.
//
// transport: 'auto' | 'fetch' | 'node-http' go through send(signChunked(...)); 'fetch-plain' is the
// runtime's fetch with duplex: 'half' and nothing else; 'client' is createClient's default transport
// with a plain (not aws-chunked) stream body signed UNSIGNED-PAYLOAD.
import { createClient, send } from '../../../dist/client/index.js'
import { signChunked } from '../../../dist/index.js'

/** @returns {Promise<{ status: number, text: string }>} */
export async function uploadOnce(config, key, size, source) {
  const url = `${config.endpoint}/${config.bucket}/${key}`
  const transport = config.transport ?? 'auto'
  if (transport === 'client') {
    const client = createClient({ credentials: config.credentials, region: config.region, service: 's3' })
    const iterator = source[Symbol.asyncIterator]()
    const body = new ReadableStream({
      async pull(controller) {
        const { done, value } = await iterator.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: () => iterator.return?.(),
    })
    const response = await client.fetch(url, {
      method: 'PUT',
      headers: { 'content-length': String(size) },
      body,
      payloadHash: 'UNSIGNED-PAYLOAD',
    })
    return { status: response.status, text: await response.text() }
  }
  const signed = await signChunked({
    method: 'PUT',
    url,
    service: 's3',
    region: config.region,
    credentials: config.credentials,
    body: source,
    contentLength: size,
    chunkSize: config.chunkSize,
  })
  let response
  if (transport === 'fetch-plain') {
    const { method, headers, body } = signed
    response = await fetch(signed.url, { method, headers, body, duplex: 'half' })
  } else response = await send(signed, { transport })
  return { status: response.status, text: await response.text() }
}
