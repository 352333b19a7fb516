// Node-only: loading the shared config and credentials files.
import { CredentialsError } from '../errors.js'
import { envValue, runtimeEnv } from './env.js'
import { defaultAwsPath, expandPath, isMissingFile, readText } from './fs.node.js'
import { buildSharedConfig, type IniSections, IniSyntaxError, parseIni, type SharedConfig } from './ini.js'
import type { Env, SharedConfigFilesOptions } from './types.js'

export type { SharedConfigFilesOptions }

export interface LoadedSharedConfig extends SharedConfig {
  /** Path of the config file read (it may not exist). */
  configFile: string
  /** Path of the credentials file read (it may not exist). */
  credentialsFile: string
}

async function readIni(path: string, provider: string): Promise<IniSections> {
  let text: string
  try {
    text = await readText(path)
  } catch (error) {
    if (isMissingFile(error)) return {}
    throw new CredentialsError('ERR_CREDENTIALS_CONFIG', `cannot read ${path}`, { provider, file: path, cause: error })
  }
  try {
    return parseIni(text)
  } catch (error) {
    if (!(error instanceof IniSyntaxError)) throw error
    throw new CredentialsError('ERR_CREDENTIALS_PARSE', `${path} is malformed: ${error.message}`, {
      provider,
      file: path,
      cause: error,
    })
  }
}

/**
 * Reads and parses both shared files (a missing file counts as empty). Throws `ERR_CREDENTIALS_PARSE`
 * naming the file and line for a malformed one.
 *
 * @example
 * const { profiles } = await loadSharedConfig()
 * console.log(Object.keys(profiles))
 */
export async function loadSharedConfig(options: SharedConfigFilesOptions = {}): Promise<LoadedSharedConfig> {
  const env = options.env ?? runtimeEnv()
  const configFile = expandPath(
    options.configFile ?? envValue(env, 'AWS_CONFIG_FILE') ?? defaultAwsPath(env, 'config'),
    env,
  )
  const credentialsFile = expandPath(
    options.credentialsFile ?? envValue(env, 'AWS_SHARED_CREDENTIALS_FILE') ?? defaultAwsPath(env, 'credentials'),
    env,
  )
  const [config, credentials] = await Promise.all([readIni(configFile, 'ini'), readIni(credentialsFile, 'ini')])
  return { ...buildSharedConfig(config, credentials), configFile, credentialsFile }
}

/**
 * The profile to use: the option, else `AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`, else `default`; and
 * whether it was asked for by name. botocore and the AWS CLI v1 read both variables and, when both are
 * set, `AWS_DEFAULT_PROFILE` first (botocore's configprovider lists it first; checked by the
 * differential tests).
 */
export function selectProfile(profile: string | undefined, env: Env): { name: string; explicit: boolean } {
  const named = profile ?? envValue(env, 'AWS_DEFAULT_PROFILE') ?? envValue(env, 'AWS_PROFILE')
  return { name: named ?? 'default', explicit: named !== undefined }
}
