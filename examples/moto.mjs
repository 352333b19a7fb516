// Starts a local AWS emulator (moto_server, from `pip install 'moto[server]'`) that checks every
// signature, and gives back credentials it accepts. Shared by the demo and test/support/moto.ts.
// https://docs.getmoto.org/en/latest/docs/iam.html
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

export const INSTALL_HINT =
  "install moto's server: pip install 'moto[server]' (Python 3.9+), so that moto_server is on PATH"

/** Thrown when the `moto_server` command does not exist. */
export class MotoNotInstalledError extends Error {
  name = 'MotoNotInstalledError'
  code = 'MOTO_NOT_INSTALLED'
  constructor(options) {
    super(`moto_server not found: ${INSTALL_HINT}`, options)
  }
}

const REGION = 'us-east-1'
const READY_TIMEOUT = 30 * 1000 // 30s: a cold Python start with moto's imports takes 1-3s
const STOP_TIMEOUT = 3 * 1000 // 3s, then SIGKILL
/** @type {Set<{ stop(): Promise<void>, kill(): void }>} */
const running = new Set()

/**
 * Spawns moto_server on a free loopback port, waits until it answers, and creates an IAM user with an
 * allow-all inline policy and an access key.
 *
 * With `enforce` (the default) moto verifies the signature of every request after the first three
 * (`INITIAL_NO_AUTH_ACTION_COUNT=3`), which are the three IAM calls that create those credentials.
 *
 * @param {{ enforce?: boolean, command?: string }} [options]
 * @returns {Promise<{ endpoint: string, region: string, credentials: { accessKeyId: string, secretAccessKey: string }, userArn: string, pid: number, stop(): Promise<void> }>}
 */
export async function launchMoto({ enforce = true, command = 'moto_server' } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(await freePort(), enforce, command)
    } catch (error) {
      // Another process took the free port between our probe and moto's bind: try another one.
      if (!(error instanceof PortTakenError) || attempt === 3) throw error
    }
  }
}

class PortTakenError extends Error {}

async function launchOnce(port, enforce, command) {
  const env = { ...process.env }
  if (enforce) env.INITIAL_NO_AUTH_ACTION_COUNT = '3'
  else delete env.INITIAL_NO_AUTH_ACTION_COUNT
  // detached: its own process group, so stop() also reaches the Python process behind a pyenv shim,
  // and a Ctrl-C in the terminal does not kill it before we have cleaned up.
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const keep = (chunk) => {
    log = (log + chunk).slice(-4000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  /** @type {Promise<{ code: number | null, signal: string | null, error?: NodeJS.ErrnoException }>} */
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }))
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })

  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {}
  }
  let stopping
  const handle = {
    kill,
    stop() {
      stopping ??= (async () => {
        running.delete(handle)
        if (child.pid === undefined) return
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid, 'SIGTERM')
          } catch {
            return // already gone
          }
          const timer = setTimeout(kill, STOP_TIMEOUT)
          await exited
          clearTimeout(timer)
        }
        kill() // anything left in the group
      })()
      return stopping
    },
  }
  running.add(handle)

  try {
    const endpoint = `http://127.0.0.1:${port}`
    const alive = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null
    if (!(await Promise.race([waitReady(endpoint, alive), exited.then(() => false)]))) {
      const early = await exited
      // ENOENT: no such command; 127: a shell or pyenv shim found no moto_server behind it.
      if (early.error?.code === 'ENOENT' || early.code === 127) throw new MotoNotInstalledError({ cause: early.error })
      const ErrorClass = log.includes('Address already in use') ? PortTakenError : Error
      throw new ErrorClass(
        `moto_server exited (${early.error?.message ?? early.signal ?? early.code}) before it was ready:\n${log}`,
      )
    }
    const { userArn, credentials } = await bootstrap(endpoint)
    return { endpoint, region: REGION, credentials, userArn, pid: child.pid, stop: handle.stop }
  } catch (error) {
    await handle.stop()
    throw error
  }
}

/** Stops every server this process started and has not stopped yet. */
export async function stopAllMoto() {
  await Promise.all([...running].map((server) => server.stop()))
}

// Last resort if the process exits without stopping its servers: kill is synchronous.
process.once('exit', () => {
  for (const server of running) server.kill()
})

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

// Poll moto's own API: it is not an AWS action, so it does not use up one of the unchecked calls.
async function waitReady(endpoint, alive) {
  const deadline = Date.now() + READY_TIMEOUT
  while (Date.now() < deadline && alive()) {
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`)
      await response.arrayBuffer()
      if (response.ok) return true
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  if (!alive()) return false
  throw new Error(`moto_server did not answer on ${endpoint} within ${READY_TIMEOUT / 1000}s`)
}

const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
})

// The three unchecked calls. moto picks the service of a request from the credential scope of its
// Authorization header; without one it treats `POST /` as S3 (and that still uses up a free call).
// So these carry a SigV4-shaped header whose scope names IAM; its signature is not checked.
async function bootstrap(endpoint) {
  const userName = 'awsig'
  const iam = async (params) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/${REGION}/iam/aws4_request, SignedHeaders=host, Signature=unchecked`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ Version: '2010-05-08', ...params }),
    })
    const text = await response.text()
    if (!response.ok)
      throw new Error(`moto bootstrap: IAM ${params.Action} failed with HTTP ${response.status}: ${text}`)
    return text
  }
  const user = await iam({ Action: 'CreateUser', UserName: userName })
  await iam({ Action: 'PutUserPolicy', UserName: userName, PolicyName: 'allow-all', PolicyDocument: ALLOW_ALL })
  const key = await iam({ Action: 'CreateAccessKey', UserName: userName })
  return {
    userArn: xmlText(user, 'Arn'),
    credentials: { accessKeyId: xmlText(key, 'AccessKeyId'), secretAccessKey: xmlText(key, 'SecretAccessKey') },
  }
}

function xmlText(xml, tag) {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)
  if (match === null) throw new Error(`moto bootstrap: no <${tag}> in ${xml}`)
  return match[1]
}
