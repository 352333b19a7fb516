// Signed DynamoDB GetItem calls per second to a local loopback server: awsig's `client.fetch` against
// awsig over the global fetch, @aws-lite/client, @aws-sdk/client-dynamodb and aws4fetch's AwsClient, in one
// run (awsig's default on Node is node:http). Each client runs in a fresh child
// process (so that memory is its own), ROUNDS times, interleaved; the server lives in this process
// and answers every call the same. Reports the median requests/s, ratios to awsig, and peak memory.
// Run: npm run build (in the repo root), then here: node client.bench.mjs [requests] [concurrency] [rounds]
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const region = 'us-east-1'
const input = { TableName: 'users', Key: { pk: { S: 'user#42' } } }
const ITEM = JSON.stringify({ Item: { pk: { S: 'user#42' }, name: { S: 'Ada' }, visits: { N: '42' } } })

/** One client's loop, in a child process: `node client.bench.mjs --child NAME URL REQUESTS CONCURRENCY` */
async function child(name, url, requests, concurrency) {
  let call
  if (name === 'awsig') {
    const { createClient } = await import('awsig/client')
    const { awsJson } = await import('awsig/protocols')
    const client = createClient({ credentials, region, service: 'dynamodb' })
    call = async () => (await client.fetch(url, awsJson('DynamoDB_20120810.GetItem', input))).json()
  } else if (name === 'awsig, global fetch') {
    const { createClient } = await import('awsig/client')
    const { awsJson } = await import('awsig/protocols')
    const client = createClient({ credentials, region, service: 'dynamodb', fetch: globalThis.fetch })
    call = async () => (await client.fetch(url, awsJson('DynamoDB_20120810.GetItem', input))).json()
  } else if (name === '@aws-lite/client') {
    const { default: awsLite } = await import('@aws-lite/client')
    const aws = await awsLite({ ...credentials, region, endpoint: url, autoloadPlugins: false })
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }
    call = async () => (await aws({ service: 'dynamodb', method: 'POST', path: '/', headers, payload: input })).payload
  } else if (name === '@aws-sdk/client-dynamodb') {
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb')
    const client = new DynamoDBClient({ region, endpoint: url, credentials })
    call = () => client.send(new GetItemCommand(input))
  } else if (name === 'aws4fetch') {
    const { AwsClient } = await import('aws4fetch')
    const client = new AwsClient({ ...credentials, region, service: 'dynamodb' })
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }
    call = async () => {
      const response = await client.fetch(url, { method: 'POST', headers, body: JSON.stringify(input) })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      return response.json()
    }
  } else if (name === 'fetch, unsigned (ceiling)') {
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }
    const authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/unsigned`
    call = async () =>
      (await fetch(url, { method: 'POST', headers: { ...headers, authorization }, body: JSON.stringify(input) })).json()
  } else if (name === 'awsig, undici.request + interceptor') {
    const { Agent, request } = await import('undici')
    const { createUndiciInterceptor } = await import('awsig/client/undici')
    const { awsJson } = await import('awsig/protocols')
    const dispatcher = new Agent().compose(createUndiciInterceptor({ credentials, region, service: 'dynamodb' }))
    call = async () => {
      const { statusCode, body } = await request(url, { dispatcher, ...awsJson('DynamoDB_20120810.GetItem', input) })
      if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
      return body.json()
    }
  } else throw new Error(`unknown client ${name}`)

  const loop = async (count) => {
    let next = 0
    const worker = async () => {
      while (next < count) {
        next++
        const result = await call()
        if (result.Item?.name?.S !== 'Ada') throw new Error(`${name}: unexpected result ${JSON.stringify(result)}`)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }
  await loop(Math.min(1000, requests)) // warm-up: JIT, connections, key cache
  globalThis.gc?.()
  let peakRss = 0
  let peakHeap = 0
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage()
    peakRss = Math.max(peakRss, rss)
    peakHeap = Math.max(peakHeap, heapUsed)
  }
  const sampler = setInterval(sample, 5)
  const started = performance.now()
  await loop(requests)
  const ms = performance.now() - started
  clearInterval(sampler)
  sample()
  process.stdout.write(JSON.stringify({ rps: (requests / ms) * 1000, peakRss, peakHeap }))
  process.exit(0)
}

function runChild(name, url, requests, concurrency) {
  return new Promise((resolve, reject) => {
    const here = fileURLToPath(new URL('.', import.meta.url))
    const proc = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--no-warnings',
        fileURLToPath(import.meta.url),
        '--child',
        name,
        url,
        String(requests),
        String(concurrency),
      ],
      { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    proc.stdout.on('data', (chunk) => {
      out += chunk
    })
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${name} exited ${code}`))))
  })
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

async function main() {
  const requests = Number(process.argv[2] ?? 10_000)
  const concurrency = Number(process.argv[3] ?? 16)
  const rounds = Number(process.argv[4] ?? 3)
  let served = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      served++
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/')) {
        res.writeHead(403).end()
        return
      }
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': 'BENCH',
        'content-length': Buffer.byteLength(ITEM),
      })
      res.end(ITEM)
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/`
  const names = [
    'awsig',
    'awsig, global fetch',
    '@aws-lite/client',
    '@aws-sdk/client-dynamodb',
    'aws4fetch',
    'awsig, undici.request + interceptor',
    'fetch, unsigned (ceiling)',
  ]
  // ONLY='name;name' runs a subset (awsig is always kept: the ratios are to it).
  if (process.env.ONLY)
    names.splice(0, names.length, ...names.filter((n) => n === 'awsig' || process.env.ONLY.split(';').includes(n)))
  const results = new Map(names.map((name) => [name, []]))
  console.log(
    `GetItem through each client to ${url}: ${requests} requests, ${concurrency} in flight, ${rounds} rounds; node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`,
  )
  for (let round = 0; round < rounds; round++) {
    for (const name of names) results.get(name).push(await runChild(name, url, requests, concurrency))
  }
  server.close()
  const awsigRps = median(results.get('awsig').map((r) => r.rps))
  console.log('\n| client | requests/s (median) | vs awsig | peak RSS | peak heap |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const name of names) {
    const runs = results.get(name)
    const rps = median(runs.map((r) => r.rps))
    console.log(
      `| ${name} | ${rps.toFixed(0)} | ${(rps / awsigRps).toFixed(2)}× | ${mib(median(runs.map((r) => r.peakRss)))} | ${mib(median(runs.map((r) => r.peakHeap)))} |`,
    )
  }
  console.log(`\n(${served} requests served)`)
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]))
} else await main()
