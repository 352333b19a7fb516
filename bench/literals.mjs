// Blanks string literals (and the text of template literals) longer than `min` characters in minified
// JavaScript, for bundle-size.mjs: a small lexer that knows strings, templates with nested `${}`, and
// regular-expression literals (whose quotes are not strings). Returns the new text and the bytes blanked.
export function blankLiterals(src, min = 12) {
  let out = ''
  let blanked = 0
  let i = 0
  let prev = '' // last significant non-space char of code
  const regexAfter = new Set([...'(,=:[!&|?{};+-*%<>~^'])
  const lastWord = () => /([A-Za-z_$][\w$]*)\s*$/.exec(out)?.[1]
  function readString(q) {
    let j = i + 1
    while (j < src.length && src[j] !== q) j += src[j] === '\\' ? 2 : 1
    return j + 1
  }
  function readRegex() {
    let j = i + 1
    let cls = false
    while (j < src.length) {
      const c = src[j]
      if (c === '\\') {
        j += 2
        continue
      }
      if (c === '[') cls = true
      else if (c === ']') cls = false
      else if (c === '/' && !cls) break
      j++
    }
    j++
    while (/[a-z]/.test(src[j] ?? '')) j++
    return j
  }
  function template() {
    // at backtick; emits the template with long text parts blanked
    let j = i + 1
    let text = ''
    let parts = '`'
    const flush = () => {
      if (text.length > min) {
        blanked += text.length
        parts += ''
      } else parts += text
      text = ''
    }
    while (j < src.length && src[j] !== '`') {
      if (src[j] === '\\') {
        text += src.slice(j, j + 2)
        j += 2
        continue
      }
      if (src[j] === '$' && src[j + 1] === '{') {
        flush()
        // nested code until the matching }
        const saveI = i,
          saveOut = out,
          savePrev = prev
        out = ''
        i = j + 2
        prev = '{'
        let depth = 1
        while (i < src.length && depth > 0) {
          if (src[i] === '{') depth++
          else if (src[i] === '}') {
            depth--
            if (depth === 0) break
          }
          step()
        }
        const inner = out
        j = i + 1
        i = saveI
        out = saveOut
        prev = savePrev
        parts += '${' + inner + '}'
        continue
      }
      text += src[j]
      j++
    }
    flush()
    return [parts + '`', j + 1]
  }
  function step() {
    const c = src[i]
    if (c === '"' || c === "'") {
      const end = readString(c)
      const lit = src.slice(i, end)
      if (lit.length > min) {
        blanked += lit.length
        out += c + c
      } else out += lit
      i = end
      prev = 'x'
      return
    }
    if (c === '`') {
      const [t, end] = template()
      out += t
      i = end
      prev = 'x'
      return
    }
    if (
      c === '/' &&
      (regexAfter.has(prev) ||
        prev === '' ||
        ['return', 'typeof', 'case', 'in', 'of', 'void', 'throw', 'new', 'delete'].includes(lastWord()))
    ) {
      const end = readRegex()
      out += src.slice(i, end)
      i = end
      prev = 'x'
      return
    }
    out += c
    if (!/\s/.test(c)) prev = /[\w$)\]]/.test(c) ? 'x' : c
    i++
  }
  while (i < src.length) step()
  return { text: out, blanked }
}
