// A double of the IAM Identity Center portal (GetRoleCredentials) and of SSO OIDC CreateToken
// (refresh_token grant) on loopback. Credentials are derived from the account, role and token, so two
// clients asking the same question get the same answer.
// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
import { fakeKey, type LoopbackServer, send, startLoopbackServer } from './loopback-server.js'

export interface SsoServer extends LoopbackServer {
  /** Access tokens the portal accepts. */
  validTokens: Set<string>
  /** Refresh tokens CreateToken accepts, and the access token each gives. */
  refreshTokens: Map<string, string>
}

export function ssoCredentialsFor(accountId: string, roleName: string, token: string) {
  const seed = `${accountId}/${roleName}/${token}`
  return {
    accessKeyId: fakeKey('ASIASSO', seed),
    secretAccessKey: fakeKey('', `${seed}/secret`, 40),
    sessionToken: fakeKey('SSOTOKEN', `${seed}/token`, 60),
  }
}

export async function startSsoServer(): Promise<SsoServer> {
  const validTokens = new Set<string>()
  const refreshTokens = new Map<string, string>()
  const server = await startLoopbackServer((req, res) => {
    const url = new URL(req.path, 'http://localhost')
    if (req.method === 'GET' && url.pathname === '/federation/credentials') {
      const token = req.headers['x-amz-sso_bearer_token']
      const accountId = url.searchParams.get('account_id')
      const roleName = url.searchParams.get('role_name')
      if (typeof token !== 'string' || !validTokens.has(token)) {
        return send(res, 401, JSON.stringify({ message: 'Session token not found or invalid' }), {
          'x-amzn-errortype':
            'UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/',
          'content-type': 'application/json',
        })
      }
      if (!accountId || !roleName) return send(res, 400, '{"message":"missing parameters"}')
      const expiration = Math.floor(Date.now() / 1000 + 3600) * 1000
      return send(
        res,
        200,
        JSON.stringify({ roleCredentials: { ...ssoCredentialsFor(accountId, roleName, token), expiration } }),
        {
          'content-type': 'application/json',
        },
      )
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const body = JSON.parse(req.body) as { grantType?: string; refreshToken?: string }
      const access = body.refreshToken === undefined ? undefined : refreshTokens.get(body.refreshToken)
      if (body.grantType !== 'refresh_token' || access === undefined) {
        return send(res, 400, JSON.stringify({ error: 'invalid_grant' }), {
          'x-amzn-errortype': 'InvalidGrantException',
        })
      }
      validTokens.add(access)
      return send(
        res,
        200,
        JSON.stringify({
          accessToken: access,
          expiresIn: 3600,
          tokenType: 'Bearer',
          refreshToken: `${body.refreshToken}-next`,
        }),
      )
    }
    return send(res, 404, '{"message":"not found"}')
  })
  return Object.assign(server, { validTokens, refreshTokens })
}
