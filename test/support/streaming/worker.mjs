// The streamed upload inside a Cloudflare Worker (workerd): the same as upload.mjs, driven by the
// request's JSON body; bundled with esbuild and run by miniflare (see workerd.mjs).

import { send } from '../../../dist/client/index.js'
import { signChunked } from '../../../dist/index.js'
import { freshChunks } from './fresh-chunks.mjs'

export default {
  async fetch(request) {
    const config = await request.json()
    const started = Date.now()
    const signed = await signChunked({
      method: 'PUT',
      url: `${config.endpoint}/${config.bucket}/${config.key}`,
      service: 's3',
      region: config.region,
      credentials: config.credentials,
      body: freshChunks(config.size, { pieceSize: config.pieceSize }),
      contentLength: config.size,
      chunkSize: config.chunkSize,
    })
    let response
    if (config.transport === 'fetch-plain') {
      const { url, method, headers, body } = signed
      response = await fetch(url, { method, headers, body })
    } else response = await send(signed, { transport: config.transport ?? 'auto' })
    const text = await response.text()
    // Workers' clock advances only across I/O, which an upload is made of.
    return Response.json({ status: response.status, text, seconds: (Date.now() - started) / 1000 })
  },
}
