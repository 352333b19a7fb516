// Node-only: credential_process.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
import { CredentialsError, type CredentialsErrorDetails } from '../errors.js'
import { loadSharedConfig, type SharedConfigFilesOptions, selectProfile } from './config.node.js'
import {
  checkNotExpired,
  createCredentials,
  fail,
  isObject,
  optionalString,
  parseExpiration,
  requireString,
} from './credentials.js'
import { runtimeEnv } from './env.js'
import { type IniValue, shellSplit } from './ini.js'
import type { Env, ResolvedCredentials } from './types.js'

const DEFAULT_TIMEOUT = 60 * 1000 // 1 min: a process may open a browser or ask for MFA
const MAX_OUTPUT = 1024 * 1024 // 1 MiB of stdout is already far more than credentials need
const KILL_GRACE = 2 * 1000 // 2s between SIGTERM and SIGKILL

export interface RunProcessOptions {
  /** Milliseconds the process may run. @default 60 * 1000 */
  timeout?: number | undefined
  /** Environment of the process. @default process.env */
  env?: Env | undefined
  /** The profile the command comes from, for error messages. */
  profile?: string | undefined
}

/**
 * Runs a `credential_process` command line (split like a POSIX shell would, but run without one) and
 * reads its JSON: `Version` 1, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken`,
 * `Expiration`, `AccountId`. Its stdin and stderr are this process's (as in the AWS SDK for Go): a
 * question it asks (an MFA code) and the reason it fails can be seen, yet are never read into errors.
 */
export async function runCredentialProcess(
  command: string,
  options: RunProcessOptions = {},
): Promise<ResolvedCredentials> {
  const details: CredentialsErrorDetails = { provider: 'process', profile: options.profile }
  let argv: string[]
  try {
    argv = shellSplit(command)
  } catch (error) {
    return fail('ERR_CREDENTIALS_CONFIG', 'credential_process is not a valid command line (unbalanced quotes)', {
      ...details,
      cause: error,
    })
  }
  const [program, ...args] = argv
  if (program === undefined) fail('ERR_CREDENTIALS_CONFIG', 'credential_process is empty', details)
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  if (!(timeout > 0)) fail('ERR_CREDENTIALS_CONFIG', 'timeout must be a positive number of milliseconds', details)
  const name = JSON.stringify(program)

  const stdout = await new Promise<string>((resolve, reject) => {
    // node:child_process loads on first use, not with awsig/credentials.
    const child = process.getBuiltinModule('node:child_process').spawn(program, args, {
      env: { ...(options.env ?? runtimeEnv()) },
      stdio: ['inherit', 'pipe', 'inherit'],
      windowsHide: true,
    })
    const chunks: Buffer[] = []
    let size = 0
    let timedOut = false
    let tooLong = false
    let killTimer: ReturnType<typeof setTimeout> | undefined
    const stop = () => {
      child.kill('SIGTERM')
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE)
      killTimer.unref?.()
    }
    const timer = setTimeout(() => {
      timedOut = true
      stop()
      // Do not wait for 'close': a grandchild (e.g. of a shell script) may hold stdout open.
      child.stdout.destroy()
      reject(
        new CredentialsError(
          'ERR_CREDENTIALS_TIMEOUT',
          `credential_process ${name} did not finish within ${timeout} ms`,
          details,
        ),
      )
    }, timeout)
    child.stdout.on('data', (chunk: Buffer) => {
      if (tooLong) return
      size += chunk.length
      if (size > MAX_OUTPUT) {
        tooLong = true
        clearTimeout(timer)
        stop()
        // As on timeout, do not wait for 'close': a grandchild would be read until the deadline.
        child.stdout.destroy()
        reject(
          new CredentialsError(
            'ERR_CREDENTIALS_PROCESS',
            `credential_process ${name} printed more than ${MAX_OUTPUT} bytes`,
            details,
          ),
        )
        return
      }
      chunks.push(chunk)
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(
        new CredentialsError('ERR_CREDENTIALS_PROCESS', `credential_process ${name} could not start`, {
          ...details,
          cause: error,
        }),
      )
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (killTimer !== undefined) clearTimeout(killTimer)
      if (timedOut || tooLong) return
      if (code !== 0) {
        reject(
          new CredentialsError(
            'ERR_CREDENTIALS_PROCESS',
            `credential_process ${name} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`,
            details,
          ),
        )
      } else resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })

  let output: unknown
  try {
    output = JSON.parse(stdout)
  } catch (error) {
    return fail('ERR_CREDENTIALS_PARSE', `credential_process ${name} did not print JSON`, { ...details, cause: error })
  }
  if (!isObject(output))
    fail('ERR_CREDENTIALS_PARSE', `credential_process ${name} printed JSON that is not an object`, details)
  if (output.Version !== 1) {
    fail(
      'ERR_CREDENTIALS_PROCESS',
      `credential_process ${name} printed Version ${JSON.stringify(output.Version ?? null)}; only 1 is supported`,
      details,
    )
  }
  const what = `the output of credential_process ${name}`
  const expiration = output.Expiration
  const credentials = createCredentials(
    {
      accessKeyId: requireString(output, 'AccessKeyId', details, what),
      secretAccessKey: requireString(output, 'SecretAccessKey', details, what),
      sessionToken: optionalString(output, 'SessionToken'),
      expiration: expiration === undefined || expiration === null ? undefined : parseExpiration(expiration, details),
      accountId: optionalString(output, 'AccountId'),
    },
    'process',
  )
  return checkNotExpired(credentials, details)
}

const stringValue = (value: IniValue | undefined) => (typeof value === 'string' ? value : undefined)

export interface FromProcessOptions extends SharedConfigFilesOptions {
  /** The command line to run. @default the profile's credential_process */
  command?: string | undefined
  /** @default AWS_DEFAULT_PROFILE, else AWS_PROFILE, else 'default' */
  profile?: string | undefined
  /** Milliseconds the process may run. @default 60 * 1000 */
  timeout?: number | undefined
}

/**
 * Credentials printed by an external program: `command`, or the profile's `credential_process`.
 * `ERR_CREDENTIALS_NOT_FOUND` when there is neither.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
 */
export function fromProcess(options: FromProcessOptions = {}): () => Promise<ResolvedCredentials> {
  return async () => {
    const env = options.env ?? runtimeEnv()
    if (options.command !== undefined) return runCredentialProcess(options.command, { env, timeout: options.timeout })
    const { name } = selectProfile(options.profile, env)
    const config = await loadSharedConfig({ ...options, env })
    const command = stringValue(config.profiles[name]?.credential_process)
    if (command === undefined) {
      fail('ERR_CREDENTIALS_NOT_FOUND', `profile ${name} has no credential_process`, {
        provider: 'process',
        profile: name,
      })
    }
    return runCredentialProcess(command, { env, timeout: options.timeout, profile: name })
  }
}
