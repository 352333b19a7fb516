// Node-only: file access for the shared config files, token files and the SSO token cache. The built-ins
// load on first use (process.getBuiltinModule), not with awsig/credentials: a cold start does not pay for them.
import type { Env } from './types.js'

const fs = () => process.getBuiltinModule('node:fs/promises')
const paths = () => process.getBuiltinModule('node:path')

export const readText = (file: string): Promise<string> => fs().readFile(file, 'utf8')

export function homeDir(env: Env): string {
  return env.HOME || env.USERPROFILE || process.getBuiltinModule('node:os').homedir()
}

/** `~` and `$VAR` / `${VAR}` expanded as the AWS CLI does (unknown variables are left as they are). */
export function expandPath(path: string, env: Env): string {
  let out = path.replace(/\$(\w+)|\$\{(\w+)\}/g, (match, a?: string, b?: string) => env[(a ?? b) as string] ?? match)
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = paths().join(homeDir(env), out.slice(1))
  return out
}

export function defaultAwsPath(env: Env, ...parts: string[]): string {
  return paths().join(homeDir(env), '.aws', ...parts)
}

/** Writes through a temporary file and a rename, so that a reader never sees half a file. */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  const { mkdir, rename, writeFile } = fs()
  await mkdir(paths().dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, text, { encoding: 'utf8', mode: 0o600 })
  await rename(tmp, file)
}

export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}
