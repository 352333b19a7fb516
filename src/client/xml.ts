// Just enough XML for AWS: read the text of named elements, escape values. AWS's XML responses are
// flat, namespaced only at the root and free of DTDs, so a full parser would buy nothing here.
import { decodeEntities } from '../lib/xml.js'

const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g

/** Replaces XML character references and CDATA sections with the text they stand for. */
export function decodeXml(text: string): string {
  let out = text
  if (out.includes('<![CDATA[')) {
    // CDATA content is literal: protect its `&` from entity decoding.
    out = out.replace(CDATA, (_, data: string) => data.replace(/&/g, '&amp;').replace(/</g, '&lt;'))
  }
  return decodeEntities(out)
}

/** Escapes text for an XML element or attribute value. */
export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${c === '&' ? 'amp' : c === '<' ? 'lt' : c === '>' ? 'gt' : c === '"' ? 'quot' : 'apos'};`,
  )
}

const TAG_NAME = /^[A-Za-z_][\w.-]*$/

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
  return xmlElements(xml, tag).map(decodeXml)
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
