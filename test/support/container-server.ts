// A double of the ECS / EKS Pod Identity credentials endpoint on loopback: checks the Authorization
// token when one is configured and answers the documented JSON.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
import { type LoopbackServer, send, startLoopbackServer } from './loopback-server.js'

export interface ContainerServer extends LoopbackServer {
  credentials: { AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string; AccountId?: string }
  behaviour: {
    /** Required Authorization header value, if any. */
    authorization: string | undefined
    /** The next N requests get 500. */
    failures: number
    /** Answer with this body instead. */
    body: string | undefined
    /** Hold every answer this long (ms). */
    delay: number
  }
}

export async function startContainerServer(): Promise<ContainerServer> {
  const credentials = {
    AccessKeyId: 'ASIACONTAINEREXAMPLE',
    SecretAccessKey: 'container/secret/EXAMPLEKEY00000000000',
    Token: 'container-session-token-EXAMPLE',
    Expiration: new Date(Date.now() + 6 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    AccountId: '123456789012',
  }
  const behaviour: ContainerServer['behaviour'] = { authorization: undefined, failures: 0, body: undefined, delay: 0 }
  const server = await startLoopbackServer(async (req, res) => {
    if (behaviour.delay > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delay))
    if (behaviour.failures > 0) {
      behaviour.failures--
      return send(res, 500, '{"message":"internal error"}')
    }
    if (behaviour.authorization !== undefined && req.headers.authorization !== behaviour.authorization) {
      return send(res, 401, '{"message":"unauthorized"}')
    }
    if (behaviour.body !== undefined) return send(res, 200, behaviour.body)
    return send(res, 200, JSON.stringify(credentials), { 'content-type': 'application/json' })
  })
  return Object.assign(server, { credentials, behaviour })
}
