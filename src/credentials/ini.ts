// The shared config and credentials files, parsed as the AWS CLI (botocore, with Python's
// configparser) parses them: full-line `#`/`;` comments only, `=` or `:` between key and value,
// lower-cased keys, indented continuation lines, `key =` followed by indented `k = v` lines as a
// sub-section, duplicate sections or keys are errors, a `[DEFAULT]` section supplies defaults.
// https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html

export type IniValue = string | Readonly<Record<string, string>>
export type IniSection = Readonly<Record<string, IniValue>>
export type IniSections = Readonly<Record<string, IniSection>>

/** Why a file could not be parsed, with its 1-based line number (never the line's content: it may hold a secret). */
export class IniSyntaxError extends Error {
  override name = 'IniSyntaxError'
  readonly line: number
  constructor(problem: string, line: number) {
    super(`${problem} on line ${line}`)
    this.line = line
  }
}

const SECTION = /^\[(.+)\]/
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/

// Without a prototype: a profile, session or key named `constructor` or `__proto__` is just a name.
const record = <T>(from?: Readonly<Record<string, T>>): Record<string, T> => Object.assign(Object.create(null), from)

/** Sections by name, each a record of keys; a value that started on the next lines is a sub-section. */
export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string[]>>()
  const defaults = new Map<string, string[]>()
  const seen = new Set<string>()
  // The line each value starts on, for errors about its sub-section.
  const startLine = new Map<string[], number>()
  let current: Map<string, string[]> | undefined
  let currentName = ''
  let option: string | undefined
  let indent = Number.POSITIVE_INFINITY
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/)
  lines.forEach((line, index) => {
    const lineNo = index + 1
    const value = line.trim()
    const comment = value.startsWith('#') || value.startsWith(';')
    if (comment || value === '') {
      // A blank line can belong to a multi-line value; a comment line never does.
      if (!comment && current !== undefined && option !== undefined) current.get(option)?.push('')
      return
    }
    const level = line.search(/\S/)
    if (current !== undefined && option !== undefined && level > indent) {
      current.get(option)?.push(value)
      return
    }
    indent = level
    const header = SECTION.exec(value)
    if (header !== null) {
      const name = header[1] as string
      if (name !== 'DEFAULT' && seen.has(name)) throw new IniSyntaxError(`duplicate section [${name}]`, lineNo)
      seen.add(name)
      currentName = name
      if (name === 'DEFAULT') current = defaults
      else {
        current = new Map()
        sections.set(name, current)
      }
      option = undefined
      return
    }
    if (current === undefined) throw new IniSyntaxError('a key before any [section]', lineNo)
    const match = OPTION.exec(value)
    if (match === null || match[1] === '') {
      throw new IniSyntaxError(
        match === null ? 'a line that is neither a [section] nor key = value' : 'a key-value line without a key',
        lineNo,
      )
    }
    const key = (match[1] as string).trimEnd().toLowerCase()
    if (seen.has(`${currentName}\u0000${key}`)) throw new IniSyntaxError(`duplicate key in [${currentName}]`, lineNo)
    seen.add(`${currentName}\u0000${key}`)
    const parts = [(match[3] as string).trim()]
    current.set(key, parts)
    startLine.set(parts, lineNo)
    option = key
  })

  const join = (parts: string[], key: string): IniValue => {
    const joined = parts.join('\n').trimEnd()
    if (!joined.startsWith('\n')) return joined
    const nested = record<string>()
    for (const raw of joined.split('\n')) {
      const l = raw.trim()
      if (l === '') continue
      const eq = l.indexOf('=')
      if (eq === -1) throw new IniSyntaxError(`a sub-section line without "=" under ${key}`, startLine.get(parts) ?? 0)
      nested[l.slice(0, eq).trim()] = l.slice(eq + 1).trim()
    }
    return nested
  }
  const out = record<IniSection>()
  const defaultValues = record<IniValue>()
  for (const [key, parts] of defaults) defaultValues[key] = join(parts, key)
  for (const [name, options] of sections) {
    const section = record(defaultValues)
    for (const [key, parts] of options) section[key] = join(parts, key)
    out[name] = section
  }
  return out
}

/** POSIX shell-like word splitting (quotes and backslashes), as Python's `shlex.split`. Throws on an unclosed quote. */
export function shellSplit(input: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let i = 0
  while (i < input.length) {
    const c = input[i] as string
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
      i++
    } else if (c === "'") {
      const end = input.indexOf("'", i + 1)
      if (end === -1) throw new Error('unclosed quote')
      word = (word ?? '') + input.slice(i + 1, end)
      i = end + 1
    } else if (c === '"') {
      let j = i + 1
      let s = ''
      for (; j < input.length && input[j] !== '"'; j++) {
        if (input[j] === '\\' && j + 1 < input.length && '\\"$`\n'.includes(input[j + 1] as string)) j++
        s += input[j]
      }
      if (j >= input.length) throw new Error('unclosed quote')
      word = (word ?? '') + s
      i = j + 1
    } else if (c === '\\') {
      if (i + 1 >= input.length) throw new Error('trailing backslash')
      word = (word ?? '') + (input[i + 1] === '\n' ? '' : input[i + 1])
      i += 2
    } else {
      word = (word ?? '') + c
      i++
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

/** `[profile a]` -> `a` for a given prefix (`profile`, `sso-session`, `services`), as the AWS CLI reads it. */
function prefixedName(section: string, prefix: string): string | undefined {
  if (!section.startsWith(prefix)) return undefined
  let parts: string[]
  try {
    parts = shellSplit(section)
  } catch {
    return undefined
  }
  return parts.length === 2 ? parts[1] : undefined
}

export interface SharedConfig {
  /** Profiles of both files, as the AWS CLI merges them: credentials-file keys win over config-file keys. */
  profiles: Record<string, Record<string, IniValue>>
  /** Profiles of the config file alone. */
  configProfiles: Record<string, IniSection>
  /** Profiles (sections) of the credentials file alone. */
  credentialsProfiles: IniSections
  ssoSessions: Record<string, IniSection>
  services: Record<string, IniSection>
}

/**
 * Combines parsed config and credentials files: in the config file, `[profile x]` names profile `x`
 * and `[default]` the default profile (other sections are not profiles); in the credentials file
 * every section is a profile by its own name.
 */
export function buildSharedConfig(config: IniSections, credentials: IniSections): SharedConfig {
  const configProfiles = record<IniSection>()
  const ssoSessions = record<IniSection>()
  const services = record<IniSection>()
  for (const [name, section] of Object.entries(config)) {
    const profile = prefixedName(name, 'profile')
    const session = profile === undefined ? prefixedName(name, 'sso-session') : undefined
    const service = profile === undefined && session === undefined ? prefixedName(name, 'services') : undefined
    if (profile !== undefined) configProfiles[profile] = section
    else if (session !== undefined) ssoSessions[session] = section
    else if (service !== undefined) services[service] = section
    else if (name === 'default') configProfiles.default = section
  }
  const profiles = record<Record<string, IniValue>>()
  for (const [name, section] of Object.entries(configProfiles)) profiles[name] = record(section)
  for (const [name, section] of Object.entries(credentials)) profiles[name] = record({ ...profiles[name], ...section })
  return { profiles, configProfiles, credentialsProfiles: credentials, ssoSessions, services }
}
