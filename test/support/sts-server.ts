// A deterministic double of STS (AssumeRole, AssumeRoleWithWebIdentity) on loopback, for the
// differential tests: the credentials it returns are a function of the request's parameters and of the
// caller's access key, so awsig and botocore get the same keys exactly when they sent the same request.
// (Signatures are checked for real against moto_server in credentials-moto.test.ts.)
import { fakeKey, type LoopbackServer, send, startLoopbackServer } from './loopback-server.js'

export interface StsServer extends LoopbackServer {
  /** Parsed calls: action, parameters, caller access key (undefined for unsigned calls). */
  calls: Array<{ action: string; params: Record<string, string>; caller: string | undefined }>
}

// Default session names differ by SDK and carry a timestamp: they do not take part.
const DEFAULT_SESSION = /^(?:botocore|awsig)-session-\d+$/

export async function startStsServer(): Promise<StsServer> {
  const calls: StsServer['calls'] = []
  const server = await startLoopbackServer((req, res) => {
    const params = Object.fromEntries(new URLSearchParams(req.body))
    const { Action: action = '', Version: _version, ...rest } = params
    const auth = req.headers.authorization
    const caller = typeof auth === 'string' ? /Credential=([^/]+)\//.exec(auth)?.[1] : undefined
    calls.push({ action, params: rest, caller })
    const error = (status: number, code: string, message: string) =>
      send(
        res,
        status,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-${calls.length}</RequestId></ErrorResponse>`,
        { 'content-type': 'text/xml' },
      )
    if (action === 'AssumeRole' && caller === undefined)
      return error(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token')
    if (action === 'AssumeRoleWithWebIdentity' && caller !== undefined)
      return error(400, 'InvalidAction', 'must be unsigned')
    if (action !== 'AssumeRole' && action !== 'AssumeRoleWithWebIdentity')
      return error(400, 'InvalidAction', 'unknown action')
    if (!rest.RoleArn || !rest.RoleSessionName)
      return error(400, 'ValidationError', 'RoleArn and RoleSessionName are required')
    const significant = Object.entries(rest)
      .filter(([k, v]) => !(k === 'RoleSessionName' && DEFAULT_SESSION.test(v)))
      .sort(([a], [b]) => (a < b ? -1 : 1))
    const seed = JSON.stringify([action, caller ?? '', significant])
    const expiration = new Date(Math.floor(Date.now() / 1000 + 3600) * 1000).toISOString().replace('.000Z', 'Z')
    const result = `${action}Result`
    return send(
      res,
      200,
      `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${result}>
    <Credentials>
      <AccessKeyId>${fakeKey('ASIASTS', seed)}</AccessKeyId>
      <SecretAccessKey>${fakeKey('', `${seed}/secret`, 40)}</SecretAccessKey>
      <SessionToken>${fakeKey('FQoGZXIvYXdzE', `${seed}/token`, 80)}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/${rest.RoleArn.split('/').pop()}/${rest.RoleSessionName}</Arn>
      <AssumedRoleId>AROAEXAMPLE:${rest.RoleSessionName}</AssumedRoleId>
    </AssumedRoleUser>
  </${result}>
  <ResponseMetadata><RequestId>req-${calls.length}</RequestId></ResponseMetadata>
</${action}Response>`,
      { 'content-type': 'text/xml' },
    )
  })
  return Object.assign(server, { calls })
}
