// verifyRequest on a WHATWG Request in whatever runtime imports this (Bun, Deno, workerd): a signed PUT
// with its body, a presigned GET, a tampered body and a wrong secret. No node: imports.
import { presign, sign, signChunked } from 'awsig'
import { verifyRequest } from 'awsig/verify'

const credentials = { accessKeyId: 'AKIDPORTABLE', secretAccessKey: 'portable/secret' }
const common = { service: 's3', region: 'us-east-1', credentials }
const options = { credentials: [credentials], service: 's3', region: 'us-east-1' }
const text = async (stream) => (stream === null ? '' : await new Response(stream).text())
const code = (promise) =>
  promise.then(
    () => 'accepted',
    (error) => error.awsCode ?? String(error),
  )

export async function runVerifyChecks() {
  const results = {}
  const url = 'https://bucket.s3.amazonaws.com/a b/c+d.txt'
  const put = await sign({ ...common, method: 'PUT', url, body: 'portable body' })
  const verified = await verifyRequest(
    new Request(put.url, { method: 'PUT', headers: put.headers, body: 'portable body' }),
    options,
  )
  results.put = await text(verified.body)
  const tampered = await verifyRequest(
    new Request(put.url, { method: 'PUT', headers: put.headers, body: 'portable BODY' }),
    options,
  )
  results.tampered = await code(text(tampered.body))
  const presigned = await presign({ ...common, url, expiresIn: 60 })
  results.presigned = (await verifyRequest(new Request(presigned), options)).presigned
  const wrong = await sign({ ...common, url, credentials: { ...credentials, secretAccessKey: 'wrong' } })
  results.wrong = await code(verifyRequest(new Request(wrong.url, { headers: wrong.headers }), options))
  const payload = new Uint8Array(20000).fill(97)
  const chunked = await signChunked({
    ...common,
    method: 'PUT',
    url,
    body: payload,
    contentLength: payload.length,
    checksum: 'crc32',
    chunkSize: 8192,
  })
  const encoded = new Uint8Array(await new Response(chunked.body).arrayBuffer())
  const decoded = await verifyRequest(
    new Request(chunked.url, { method: 'PUT', headers: chunked.headers, body: encoded }),
    options,
  )
  results.chunked = (await text(decoded.body)).length
  return results
}

export const EXPECTED = {
  put: 'portable body',
  tampered: 'XAmzContentSHA256Mismatch',
  presigned: true,
  wrong: 'SignatureDoesNotMatch',
  chunked: 20000,
}

// Run directly (bun, deno): print the results as JSON.
if (import.meta.main) console.log(JSON.stringify(await runVerifyChecks()))
