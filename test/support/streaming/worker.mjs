// The streamed upload inside a Cloudflare Worker (workerd): upload-once.mjs driven by the request's
// JSON body, from the fresh-array generator; bundled with esbuild and run by miniflare (see workerd.mjs).
import { freshChunks } from './fresh-chunks.mjs'
import { uploadOnce } from './upload-once.mjs'

export default {
  async fetch(request) {
    const config = await request.json()
    const started = Date.now()
    const source = freshChunks(config.size, { pieceSize: config.pieceSize })
    const result = await uploadOnce(config, config.key, config.size, source)
    // Workers' clock advances only across I/O, which an upload is made of.
    return Response.json({ ...result, seconds: (Date.now() - started) / 1000 })
  },
}
