// Reading a request's signature: the `Authorization` header or the `X-Amz-*` query parameters of a
// presigned URL, every part checked for form before anything is computed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
import { VerificationError } from '../errors.js'
import type { SigningAlgorithm } from '../sign/algorithm.js'
import {
  MAX_EXPIRES_IN,
  Q_ALGORITHM,
  Q_CREDENTIAL,
  Q_DATE,
  Q_EXPIRES,
  Q_REGION_SET,
  Q_SECURITY_TOKEN,
  Q_SIGNATURE,
  Q_SIGNED_HEADERS,
  SCOPE_TERMINATOR,
  X_AMZ_DATE,
  X_AMZ_REGION_SET,
} from '../sign/constants.js'
import { parseAmzDate, toAmzDate } from '../sign/date.js'
import type { ReceivedRequest } from './input.js'

/** A request's signature and what it claims, before any of it is checked against credentials. */
export interface Authorization {
  algorithm: SigningAlgorithm
  presigned: boolean
  accessKeyId: string
  /** `YYYYMMDD` of the credential scope. */
  day: string
  /** Region of the scope (SigV4); `''` for region-set algorithms. */
  region: string
  /** SigV4a: the signed region set. */
  regionSet: string[] | undefined
  service: string
  /** The scope as it goes in the string to sign. */
  scope: string
  signedHeaders: string[]
  signature: string
  /** The signing time, `20150830T123600Z`. */
  amzDate: string
  /** The signing time in milliseconds since the epoch. */
  time: number
  /** Presigned: seconds the URL is valid for. */
  expires: number | undefined
  /** The session token the request carries, if any. */
  sessionToken: string | undefined
  /** Presigned: the query pairs (RFC 3986-encoded) that are signed: all but `X-Amz-Signature`. */
  signedQuery: Array<[string, string]>
}

// Longest Authorization header and signed-header list read: far beyond what any client sends.
const MAX_AUTHORIZATION = 8 * 1024 // 8 KiB
const MAX_SIGNED_HEADERS = 128
const ACCESS_KEY_ID = /^[\x21-\x2e\x30-\x7e]{1,128}$/
const DAY = /^\d{8}$/
const SCOPE_PART = /^[A-Za-z0-9._-]{1,64}$/
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
// Hex, even length: 64 digits for SigV4, a DER ECDSA signature (up to 144) for SigV4a.
const SIGNATURE = /^(?:[0-9a-f]{2}){1,128}$/
const EXPIRES = /^\d{1,7}$/
const REGION_SET = /^[a-z0-9*-]+(?:,[a-z0-9*-]+)*$/

function malformed(presigned: boolean, problem: string, awsCode?: string): VerificationError {
  return new VerificationError(
    'ERR_AUTH_MALFORMED',
    `${presigned ? 'presigned URL' : 'Authorization header'}: ${problem}`,
    { awsCode: awsCode ?? (presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed') },
  )
}

const decode = (presigned: boolean, name: string, value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    throw malformed(presigned, `${name} is not valid percent-encoding`)
  }
}

/** Reads the signature of `request`, accepting the algorithms given. */
export function readAuthorization(request: ReceivedRequest, algorithms: readonly SigningAlgorithm[]): Authorization {
  const header = request.headers.get('authorization')
  const query = request.url.query
  const auth = new Map<string, string>()
  const signedQuery: Array<[string, string]> = []
  for (const pair of query) {
    const name = pair[0]
    if (name.startsWith('X-Amz-')) {
      if (auth.has(name)) throw malformed(true, `${name} is given more than once`)
      auth.set(name, pair[1])
    }
    if (name !== Q_SIGNATURE) signedQuery.push(pair)
  }
  const presigned = auth.has(Q_SIGNATURE) || auth.has(Q_ALGORITHM) || auth.has(Q_CREDENTIAL)
  if (header !== undefined && presigned) {
    throw malformed(false, 'both an Authorization header and X-Amz-* query authentication', 'InvalidArgument')
  }
  if (header === undefined && !presigned) {
    throw new VerificationError(
      'ERR_NOT_SIGNED',
      'the request is not signed (no Authorization header, no X-Amz-Signature)',
    )
  }
  return presigned
    ? readQuery(request, auth, algorithms, signedQuery)
    : readHeader(request, header as string[], algorithms)
}

function algorithmOf(presigned: boolean, id: string, algorithms: readonly SigningAlgorithm[]): SigningAlgorithm {
  for (const algorithm of algorithms) if (algorithm.id === id) return algorithm
  throw malformed(
    presigned,
    `unsupported algorithm ${JSON.stringify(id.slice(0, 40))}; accepted: ${algorithms.map((a) => a.id).join(', ')}`,
    presigned ? 'AuthorizationQueryParametersError' : 'InvalidArgument',
  )
}

function readHeader(
  request: ReceivedRequest,
  values: string[],
  algorithms: readonly SigningAlgorithm[],
): Authorization {
  if (values.length !== 1) throw malformed(false, 'more than one Authorization header')
  const value = values[0] as string
  if (value.length > MAX_AUTHORIZATION) throw malformed(false, `longer than ${MAX_AUTHORIZATION} characters`)
  const space = value.indexOf(' ')
  if (space === -1) throw malformed(false, 'expected "<algorithm> Credential=..., SignedHeaders=..., Signature=..."')
  const algorithm = algorithmOf(false, value.slice(0, space), algorithms)
  const parts = new Map<string, string>()
  for (const item of value.slice(space + 1).split(',')) {
    const part = item.trim()
    const eq = part.indexOf('=')
    const name = eq === -1 ? part : part.slice(0, eq)
    if (name !== 'Credential' && name !== 'SignedHeaders' && name !== 'Signature') {
      throw malformed(false, `unexpected component ${JSON.stringify(name.slice(0, 40))}`)
    }
    if (parts.has(name)) throw malformed(false, `${name} is given more than once`)
    parts.set(name, part.slice(eq + 1))
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parts.has(name)) throw malformed(false, `${name} is missing`)
  }
  const dateValues = request.headers.get(X_AMZ_DATE) ?? request.headers.get('date')
  const dateName = request.headers.has(X_AMZ_DATE) ? X_AMZ_DATE : 'date'
  if (dateValues === undefined) {
    throw new VerificationError('ERR_AUTH_MALFORMED', 'the request has no x-amz-date (or Date) header', {
      awsCode: 'AccessDenied',
      status: 403,
    })
  }
  if (dateValues.length !== 1) throw malformed(false, `more than one ${dateName} header`)
  let time: number | undefined
  let amzDate = (dateValues[0] as string).trim()
  if (dateName === X_AMZ_DATE) time = parseAmzDate(amzDate)
  else {
    time = Date.parse(amzDate)
    if (Number.isNaN(time)) time = undefined
    else amzDate = toAmzDate(new Date(time))
  }
  if (time === undefined) {
    throw new VerificationError('ERR_AUTH_MALFORMED', `${dateName} is not a valid date`, {
      awsCode: 'AccessDenied',
      status: 403,
    })
  }
  const signedHeaders = readSignedHeaders(false, parts.get('SignedHeaders') as string, request)
  if (!signedHeaders.includes(dateName)) throw malformed(false, `${dateName} must be signed`)
  // The scope names no region: unsigned, the region set could be rewritten to any region.
  if (algorithm.regionSet && !signedHeaders.includes(X_AMZ_REGION_SET)) {
    throw malformed(false, `${X_AMZ_REGION_SET} must be signed`)
  }
  const regionSetValues = request.headers.get(X_AMZ_REGION_SET)
  const token = request.headers.get('x-amz-security-token')
  if (token !== undefined && token.length !== 1) throw malformed(false, 'more than one x-amz-security-token header')
  return {
    algorithm,
    presigned: false,
    ...readCredential(false, algorithm, parts.get('Credential') as string),
    regionSet: algorithm.regionSet ? readRegionSet(false, regionSetValues?.join(',')) : undefined,
    signedHeaders,
    signature: readSignature(false, parts.get('Signature') as string),
    amzDate,
    time,
    expires: undefined,
    sessionToken: token?.[0],
    signedQuery: request.url.query,
  }
}

function readQuery(
  request: ReceivedRequest,
  auth: Map<string, string>,
  algorithms: readonly SigningAlgorithm[],
  signedQuery: Array<[string, string]>,
): Authorization {
  for (const name of [Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNED_HEADERS, Q_SIGNATURE]) {
    if (!auth.has(name)) throw malformed(true, `${name} is missing`)
  }
  const algorithm = algorithmOf(true, decode(true, Q_ALGORITHM, auth.get(Q_ALGORITHM) as string), algorithms)
  const amzDate = decode(true, Q_DATE, auth.get(Q_DATE) as string)
  const time = parseAmzDate(amzDate)
  if (time === undefined) throw malformed(true, `${Q_DATE} must be an ISO 8601 basic date such as 20150830T123600Z`)
  const expiresText = auth.get(Q_EXPIRES) as string
  const expires = EXPIRES.test(expiresText) ? Number(expiresText) : Number.NaN
  if (!(expires >= 0)) throw malformed(true, `${Q_EXPIRES} must be a whole number of seconds`)
  if (expires > MAX_EXPIRES_IN)
    throw malformed(true, `${Q_EXPIRES} must be less than a week (${MAX_EXPIRES_IN} seconds)`)
  const regionSet = auth.get(Q_REGION_SET) ?? request.headers.get(X_AMZ_REGION_SET)?.join(',')
  const token = auth.get(Q_SECURITY_TOKEN)
  const signedHeaders = readSignedHeaders(
    true,
    decode(true, Q_SIGNED_HEADERS, auth.get(Q_SIGNED_HEADERS) as string),
    request,
  )
  // The query is signed whole; a region set sent as a header must be among the signed headers.
  if (algorithm.regionSet && !auth.has(Q_REGION_SET) && !signedHeaders.includes(X_AMZ_REGION_SET)) {
    throw malformed(true, `${Q_REGION_SET} is missing`)
  }
  return {
    algorithm,
    presigned: true,
    ...readCredential(true, algorithm, decode(true, Q_CREDENTIAL, auth.get(Q_CREDENTIAL) as string)),
    regionSet: algorithm.regionSet
      ? readRegionSet(true, regionSet === undefined ? undefined : decode(true, Q_REGION_SET, regionSet))
      : undefined,
    signedHeaders,
    signature: readSignature(true, auth.get(Q_SIGNATURE) as string),
    amzDate,
    time,
    expires,
    sessionToken:
      token === undefined ? request.headers.get('x-amz-security-token')?.[0] : decode(true, Q_SECURITY_TOKEN, token),
    signedQuery,
  }
}

function readCredential(presigned: boolean, algorithm: SigningAlgorithm, credential: string) {
  const parts = credential.split('/')
  const want = algorithm.regionSet ? 4 : 5
  if (parts.length !== want) {
    throw malformed(
      presigned,
      `Credential must be "<access key id>/<YYYYMMDD>/${algorithm.regionSet ? '' : '<region>/'}<service>/aws4_request"`,
    )
  }
  const [accessKeyId, day] = parts as [string, string]
  const region = algorithm.regionSet ? '' : (parts[2] as string)
  const service = parts[want - 2] as string
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw malformed(presigned, 'the access key id is not visible ASCII')
  if (!DAY.test(day)) throw malformed(presigned, 'the credential scope date must be YYYYMMDD')
  if ((!algorithm.regionSet && !SCOPE_PART.test(region)) || !SCOPE_PART.test(service)) {
    throw malformed(presigned, 'the credential scope region or service is not a name')
  }
  if (parts[want - 1] !== SCOPE_TERMINATOR)
    throw malformed(presigned, `the credential scope must end with ${SCOPE_TERMINATOR}`)
  return { accessKeyId, day, region, service, scope: credential.slice(accessKeyId.length + 1) }
}

function readSignedHeaders(presigned: boolean, list: string, request: ReceivedRequest): string[] {
  const names = list.split(';')
  if (names.length > MAX_SIGNED_HEADERS) throw malformed(presigned, `more than ${MAX_SIGNED_HEADERS} signed headers`)
  let previous = ''
  for (const name of names) {
    if (!HEADER_NAME.test(name))
      throw malformed(presigned, 'SignedHeaders must be lower-case header names joined by ";"')
    if (name <= previous) throw malformed(presigned, 'SignedHeaders must be sorted, each name once')
    previous = name
    if (name !== 'host' && !request.headers.has(name)) {
      throw malformed(presigned, `the signed header ${JSON.stringify(name)} is not in the request`)
    }
  }
  if (!names.includes('host')) throw malformed(presigned, 'host must be signed')
  return names
}

function readSignature(presigned: boolean, signature: string): string {
  if (!SIGNATURE.test(signature)) throw malformed(presigned, 'the signature must be lower-case hex')
  return signature
}

function readRegionSet(presigned: boolean, value: string | undefined): string[] {
  if (value === undefined)
    throw malformed(presigned, `a region-set algorithm needs ${presigned ? Q_REGION_SET : X_AMZ_REGION_SET}`)
  const set = value.toLowerCase().replaceAll(' ', '')
  if (!REGION_SET.test(set)) throw malformed(presigned, 'the region set must be region names joined by ","')
  return set.split(',')
}
