// A deliberately small XML reader for the query-protocol responses of STS: elements, attributes
// (skipped), text, the five predefined entities, numeric character references and CDATA. No DTDs
// (rejected, so no entity expansion), no namespaces beyond dropping a `prefix:`.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Examples
import { decodeEntities } from '../lib/xml.js'

export interface XmlElement {
  name: string
  children: XmlElement[]
  text: string
}

export class XmlParseError extends Error {
  override name = 'XmlParseError'
}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/
const fail = (problem: string): never => {
  throw new XmlParseError(problem)
}
const decode = (text: string) => decodeEntities(text, fail)

const localName = (name: string) => name.slice(name.indexOf(':') + 1)

/** Parses a whole document into its root element. Throws {@link XmlParseError} on malformed input. */
export function parseXml(xml: string): XmlElement {
  let i = 0
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  const len = xml.length
  if (xml.charCodeAt(0) === 0xfeff) i = 1
  while (i < len) {
    const lt = xml.indexOf('<', i)
    const textEnd = lt === -1 ? len : lt
    if (textEnd > i) {
      const text = xml.slice(i, textEnd)
      const top = stack[stack.length - 1]
      if (top !== undefined) top.text += decode(text)
      else if (text.trim() !== '') throw new XmlParseError('text outside the root element')
    }
    if (lt === -1) break
    i = lt
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2)
      if (end === -1) throw new XmlParseError('unterminated processing instruction')
      i = end + 2
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4)
      if (end === -1) throw new XmlParseError('unterminated comment')
      i = end + 3
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9)
      const top = stack[stack.length - 1]
      if (end === -1 || top === undefined) throw new XmlParseError('bad CDATA section')
      top.text += xml.slice(i + 9, end)
      i = end + 3
    } else if (xml.startsWith('<!', i)) {
      throw new XmlParseError('DTDs and declarations are not accepted')
    } else if (xml.startsWith('</', i)) {
      const match = NAME.exec(xml.slice(i + 2, i + 2 + 256))
      const top = stack.pop()
      if (match === null || top === undefined || localName(match[0]) !== top.name) {
        throw new XmlParseError('mismatched closing tag')
      }
      const end = xml.indexOf('>', i + 2 + match[0].length)
      if (end === -1 || xml.slice(i + 2 + match[0].length, end).trim() !== '') {
        throw new XmlParseError('bad closing tag')
      }
      i = end + 1
    } else {
      const match = NAME.exec(xml.slice(i + 1, i + 1 + 256))
      if (match === null) throw new XmlParseError('bad tag name')
      let j = i + 1 + match[0].length
      // Skip attributes, honouring quotes (a quoted value may contain ">").
      let quote = ''
      for (; j < len; j++) {
        const c = xml[j] as string
        if (quote !== '') {
          if (c === quote) quote = ''
        } else if (c === '"' || c === "'") quote = c
        else if (c === '>' || c === '<') break
      }
      if (j >= len || xml[j] !== '>') throw new XmlParseError('unterminated tag')
      const selfClosing = xml[j - 1] === '/'
      const element: XmlElement = { name: localName(match[0]), children: [], text: '' }
      const parent = stack[stack.length - 1]
      if (parent !== undefined) parent.children.push(element)
      else if (root === undefined) root = element
      else throw new XmlParseError('more than one root element')
      if (!selfClosing) stack.push(element)
      i = j + 1
    }
  }
  if (root === undefined) throw new XmlParseError('no root element')
  if (stack.length > 0) throw new XmlParseError(`unclosed element <${stack[stack.length - 1]?.name}>`)
  return root
}

/**
 * The first element reached by following `path` (local names) from `root`'s children, searching
 * each level depth-first; `undefined` when there is none.
 */
export function findElement(root: XmlElement, path: readonly string[]): XmlElement | undefined {
  if (path.length === 0) return root
  const [head, ...rest] = path
  for (const child of root.children) {
    if (child.name === head) {
      const found = findElement(child, rest)
      if (found !== undefined) return found
    }
  }
  return undefined
}

/** Trimmed text of the element at `path`, or `undefined`. */
export function findText(root: XmlElement, path: readonly string[]): string | undefined {
  const element = findElement(root, path)
  return element === undefined ? undefined : element.text.trim()
}

/** The first element named `name` anywhere under `root` (depth-first), or `undefined`. */
export function findDescendant(root: XmlElement, name: string): XmlElement | undefined {
  for (const child of root.children) {
    if (child.name === name) return child
    const found = findDescendant(child, name)
    if (found !== undefined) return found
  }
  return undefined
}
