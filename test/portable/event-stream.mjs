// The event-stream part of the portable suite: framing vectors decoded and re-encoded byte for byte,
// corrupted frames rejected with their code, and the aws-c-auth signed chain. No node: imports, no Buffer.
const TYPES = ['boolean', 'boolean', 'byte', 'short', 'integer', 'long', 'binary', 'string', 'timestamp', 'uuid']
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
const toBase64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

function checkHeader(header, value, type) {
  if (type !== TYPES[header.type]) return `type ${type}, expected ${TYPES[header.type]}`
  switch (header.type) {
    case 5:
      return value === BigInt(header.value) ? undefined : `value ${value}`
    case 6:
      return toBase64(value) === header.value ? undefined : 'bytes differ'
    case 7:
      return value === new TextDecoder().decode(fromBase64(header.value)) ? undefined : `value ${value}`
    case 8:
      return value.getTime() === header.value ? undefined : `value ${value.toISOString()}`
    case 9:
      return value.replaceAll('-', '') === hex(fromBase64(header.value)) ? undefined : `value ${value}`
    default:
      return value === header.value ? undefined : `value ${value}`
  }
}

async function collect(iterable) {
  const out = []
  for await (const item of iterable) out.push(item)
  return out
}

/** Runs one event-stream case against the `awsig/event-stream` namespace; undefined or what differs. */
export async function runEventStreamCase(es, testCase) {
  const problems = []
  if (testCase.fn === 'event-stream:decode') {
    const bytes = fromBase64(testCase.bytes)
    const message = es.decodeEventMessage(bytes)
    const { expected } = testCase
    if (toBase64(message.payload) !== (expected.payload ?? '')) problems.push('payload differs')
    const names = Object.keys(message.headers)
    if (names.join() !== expected.headers.map((h) => h.name).join()) problems.push(`header names ${names.join()}`)
    for (const header of expected.headers) {
      const problem = checkHeader(header, message.headers[header.name], message.types[header.name])
      if (problem) problems.push(`header ${header.name}: ${problem}`)
    }
    if (!same(es.encodeEventMessage(message), bytes)) problems.push('re-encoding differs from the vector')
    // Cut into single bytes, through the async decoder.
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
    const streamed = await collect(es.decodeEventStream(pieces))
    if (streamed.length !== 1 || !same(es.encodeEventMessage(streamed[0]), bytes))
      problems.push('byte-wise decoding differs')
  } else if (testCase.fn === 'event-stream:reject') {
    let code
    try {
      await collect(es.decodeEventStream([fromBase64(testCase.bytes)]))
    } catch (error) {
      code = error?.code
    }
    if (code !== testCase.code) problems.push(`error code ${code}, expected ${testCase.code}`)
  } else if (testCase.fn === 'event-stream:sign') {
    const v = testCase.vector
    const times = v.expected.events.map((e) => new Date(e.event_time))
    let i = 0
    const signed = await es.signEventStream({
      method: 'POST',
      url: 'https://demo.us-east-1.amazonaws.com/streaming',
      headers: { 'content-encoding': 'application/vnd.amazon.eventstream' },
      service: 'demo',
      region: 'us-east-1',
      credentials: { accessKeyId: v.inputs.access_key_id, secretAccessKey: v.inputs.secret_access_key },
      date: new Date('1981-01-16T06:30:00Z'),
      messages: ['A', 'B', 'C'].map((s) => new TextEncoder().encode(s)),
      now: () => times[i++],
    })
    if (signed.headers.authorization !== v.expected.initial_authorization) problems.push('seed authorization differs')
    const frames = await collect(es.decodeEventStream(signed.body))
    const signatures = frames.map((f) => hex(f.headers[':chunk-signature']))
    const expected = v.expected.events.map((e) => e.signature)
    if (signatures.join() !== expected.join()) problems.push(`signatures ${signatures.join()}`)
  } else problems.push(`unknown case kind ${testCase.fn}`)
  return problems.length === 0 ? undefined : `${testCase.id}: ${problems.join('\n')}`
}
