// The one XML reader and writer: the text of named elements, nested paths, entities and CDATA, and a
// tagged template that escapes. AWS's XML is flat, namespaced only at the root and free of DTDs, so a
// full parser would buy nothing; the reader is lenient (truncated error bodies still give their
// `<Code>`) unless asked to be strict (credentials read from STS).

const ENTITY = /&(?:#(\d+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));|&/g
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g
const TAG_NAME = /^[A-Za-z_][\w.-]*$/

/** Malformed XML where strictness was asked for. */
export class XmlParseError extends Error {
  static {
    XmlParseError.prototype.name = 'XmlParseError'
  }
}

/**
 * Replaces character references with the text they stand for. A bare `&` or a reference to no valid
 * character is handed to `fail` (which throws) when given, and otherwise left as it is.
 */
export function decodeEntities(text: string, fail?: (problem: string) => never): string {
  if (!text.includes('&')) return text
  return text.replace(ENTITY, (match, dec?: string, hex?: string, named?: string) => {
    if (named !== undefined) return NAMED[named] as string
    if (match === '&') return fail ? fail('bare "&" in text') : match
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16)
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return fail ? fail('bad character reference') : match
    }
    return String.fromCodePoint(code)
  })
}

/** Replaces XML character references and CDATA sections with the text they stand for. */
export function decodeXml(text: string, fail?: (problem: string) => never): string {
  let out = text
  if (out.includes('<![CDATA[')) {
    // CDATA content is literal: protect its `&` from entity decoding.
    out = out.replace(CDATA, (_, data: string) => data.replace(/&/g, '&amp;').replace(/</g, '&lt;'))
  }
  return decodeEntities(out, fail)
}

/** Escapes text for an XML element or attribute value. */
export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${c === '&' ? 'amp' : c === '<' ? 'lt' : c === '>' ? 'gt' : c === '"' ? 'quot' : 'apos'};`,
  )
}

function elementPattern(tag: string): RegExp {
  if (!TAG_NAME.test(tag)) throw new TypeError(`not an XML element name: ${JSON.stringify(tag)}`)
  // An optional namespace prefix; attributes allowed; `<Tag/>` is an empty element.
  return new RegExp(`<(?:[\\w.-]+:)?${tag}(?:\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${tag}\\s*>)`, 'g')
}

/**
 * The inner XML of every `<tag>` element, in document order, undecoded: for elements that contain
 * others, such as each `<Contents>` of an S3 listing. Elements of the same name must not nest.
 */
export function xmlElements(xml: string, tag: string): string[] {
  const out: string[] = []
  for (const match of xml.matchAll(elementPattern(tag))) out.push(match[1] ?? '')
  return out
}

/** The decoded text of the first `<tag>` element, or `undefined` when there is none. */
export function xmlText(xml: string, tag: string): string | undefined {
  const match = elementPattern(tag).exec(xml)
  return match === null ? undefined : decodeXml(match[1] ?? '')
}

/** The decoded text of every `<tag>` element, in document order. */
export function xmlTexts(xml: string, tag: string): string[] {
  return xmlElements(xml, tag).map((inner) => decodeXml(inner))
}

const strictFail = (problem: string): never => {
  throw new XmlParseError(problem)
}

/**
 * The trimmed, decoded text at `path` (the first match at each level), or `undefined`. Strict: a DTD,
 * a bare `&` or a bad character reference throws {@link XmlParseError} (no entity is ever expanded).
 */
export function xmlPathText(xml: string, path: readonly string[]): string | undefined {
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) throw new XmlParseError('DTDs and declarations are not accepted')
  let scope = xml
  for (const tag of path) {
    const found = xmlElements(scope, tag)[0]
    if (found === undefined) return undefined
    scope = found
  }
  return decodeXml(scope, strictFail).trim()
}

const RAW = Symbol('awsig.xml')

/** XML built by {@link xml}: interpolating it into another `xml` template inserts it unescaped. */
export interface XmlFragment {
  readonly [RAW]: string
  toString(): string
}

function fragment(text: string): XmlFragment {
  return { [RAW]: text, toString: () => text }
}

/**
 * A tagged template for XML request bodies: interpolated values are escaped, except fragments made by
 * `xml` itself (or arrays of them), so that lists compose without double escaping.
 *
 * @example
 * const parts = uploaded.map((p) => xml`<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`)
 * const body = String(xml`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`)
 */
export function xml(strings: TemplateStringsArray, ...values: unknown[]): XmlFragment {
  let out = strings[0] as string
  for (let i = 0; i < values.length; i++) out += interpolate(values[i]) + (strings[i + 1] as string)
  return fragment(out)
}

function interpolate(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map(interpolate).join('')
  if (typeof value === 'object' && RAW in value) return (value as XmlFragment)[RAW]
  return escapeXml(String(value))
}
