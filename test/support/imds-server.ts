// A double of the EC2 instance metadata service (IMDSv2) on loopback, with its documented behaviour:
// PUT /latest/api/token needs x-aws-ec2-metadata-token-ttl-seconds (1-21600) and answers with the TTL
// header; a token is refused (401) once expired or revoked; requests with X-Forwarded-For cannot get a
// token (403); without a token, 401 unless IMDSv1 is allowed.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
import { randomBytes } from 'node:crypto'
import { type LoopbackServer, send, startLoopbackServer } from './loopback-server.js'

export interface ImdsCredentials {
  AccessKeyId: string
  SecretAccessKey: string
  Token: string
  Expiration: string
}

export interface ImdsServer extends LoopbackServer {
  role: string
  credentials: ImdsCredentials
  /** Settings that tests change as they go. */
  behaviour: {
    /** Accept calls without a token (IMDSv1). @default false */
    allowV1: boolean
    /** The next N requests get 429. */
    throttle: number
    /** The next N requests get 503. */
    unavailable: number
    /** Answer credential requests with this body instead. */
    credentialsBody: string | undefined
    /** Hold every answer this long (ms). */
    delay: number
    /** Token PUTs answer 403 (as when IMDSv2 is reached through a proxy) or 405. */
    tokenStatus: number | undefined
  }
  /** Makes every token issued so far invalid (what its expiry does). */
  expireTokens(): void
  /** Token PUTs received. */
  tokenRequests(): number
}

export async function startImdsServer(
  options: { role?: string; credentials?: ImdsCredentials } = {},
): Promise<ImdsServer> {
  const role = options.role ?? 'awsig-test-role'
  const credentials = options.credentials ?? {
    AccessKeyId: 'ASIAIMDSEXAMPLE00001',
    SecretAccessKey: 'imds/secret/EXAMPLEKEY0000000000000000',
    Token: 'imds-session-token-EXAMPLE',
    Expiration: new Date(Date.now() + 6 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
  }
  const tokens = new Map<string, number>()
  let tokenPuts = 0
  const behaviour: ImdsServer['behaviour'] = {
    allowV1: false,
    throttle: 0,
    unavailable: 0,
    credentialsBody: undefined,
    delay: 0,
    tokenStatus: undefined,
  }
  const server = await startLoopbackServer(async (req, res) => {
    if (behaviour.delay > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delay))
    if (behaviour.throttle > 0) {
      behaviour.throttle--
      return send(res, 429, 'Too Many Requests')
    }
    if (behaviour.unavailable > 0) {
      behaviour.unavailable--
      return send(res, 503, 'Service Unavailable')
    }
    if (req.path === '/latest/api/token') {
      if (req.method !== 'PUT') return send(res, 405, 'Method Not Allowed')
      tokenPuts++
      if (behaviour.tokenStatus !== undefined) return send(res, behaviour.tokenStatus, '')
      if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, 'Forbidden')
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds'])
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(res, 400, 'Bad Request')
      const token = randomBytes(24).toString('base64')
      tokens.set(token, Date.now() + ttl * 1000)
      return send(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) })
    }
    if (req.method !== 'GET') return send(res, 405, 'Method Not Allowed')
    const token = req.headers['x-aws-ec2-metadata-token']
    if (typeof token === 'string') {
      const expires = tokens.get(token)
      if (expires === undefined || expires <= Date.now()) return send(res, 401, 'Unauthorized')
    } else if (!behaviour.allowV1) return send(res, 401, 'Unauthorized')
    const base = '/latest/meta-data/iam/security-credentials/'
    if (req.path === base) return send(res, 200, role)
    if (req.path === base + role) {
      if (behaviour.credentialsBody !== undefined) return send(res, 200, behaviour.credentialsBody)
      return send(
        res,
        200,
        JSON.stringify({ Code: 'Success', LastUpdated: new Date().toISOString(), Type: 'AWS-HMAC', ...credentials }),
      )
    }
    return send(res, 404, 'Not Found')
  })
  return Object.assign(server, {
    role,
    credentials,
    behaviour,
    expireTokens: () => tokens.clear(),
    tokenRequests: () => tokenPuts,
  })
}
