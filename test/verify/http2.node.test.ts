// A Node HTTP/2 request (node:http2's compatibility API) verifies as it is: `:authority` is its host.
import { connect, createServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { expect, it } from 'vitest'
import { sign } from '../../src/index.js'
import { type IncomingMessageLike, verifyRequest } from '../../src/verify/index.js'

it('verifies an HTTP/2 request and its body', async () => {
  const credentials = { accessKeyId: 'AKIDH2', secretAccessKey: 'h2-secret' }
  const server = createServer(async (req, res) => {
    try {
      const verified = await verifyRequest(req as unknown as IncomingMessageLike, {
        credentials,
        service: 's3',
        region: 'us-east-1',
      })
      res.end(`ok ${(await new Response(verified.body).text()).length}`)
    } catch (error) {
      res.statusCode = (error as { status?: number }).status ?? 500
      res.end(String((error as { awsCode?: string }).awsCode))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const client = connect(`http://127.0.0.1:${port}`)
  const send = async (body: string, signedBody: string) => {
    const signed = await sign({
      method: 'PUT',
      url: `http://127.0.0.1:${port}/b/k`,
      body: signedBody,
      service: 's3',
      region: 'us-east-1',
      credentials,
    })
    const stream = client.request({ ':method': 'PUT', ':path': '/b/k', ...signed.headers })
    stream.end(body)
    let text = ''
    for await (const piece of stream) text += piece
    return text
  }
  try {
    expect(await send('hello h2', 'hello h2')).toBe('ok 8')
    expect(await send('hello h2', 'other')).toBe('XAmzContentSHA256Mismatch')
  } finally {
    client.close()
    await new Promise((resolve) => server.close(resolve))
  }
})
