// Node-only: file access for the shared config files, token files and the SSO token cache.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Env } from './types.js'

export const readText = (path: string): Promise<string> => readFile(path, 'utf8')

export function homeDir(env: Env): string {
  return env.HOME || env.USERPROFILE || homedir()
}

/** `~` and `$VAR` / `${VAR}` expanded as the AWS CLI does (unknown variables are left as they are). */
export function expandPath(path: string, env: Env): string {
  let out = path.replace(/\$(\w+)|\$\{(\w+)\}/g, (match, a?: string, b?: string) => env[(a ?? b) as string] ?? match)
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = join(homeDir(env), out.slice(1))
  return out
}

export function defaultAwsPath(env: Env, ...parts: string[]): string {
  return join(homeDir(env), '.aws', ...parts)
}

/** Writes through a temporary file and a rename, so that a reader never sees half a file. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, text, { encoding: 'utf8', mode: 0o600 })
  await rename(tmp, path)
}

export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}
