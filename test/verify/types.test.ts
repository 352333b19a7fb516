// The public types of awsig/verify, pinned (checked by `npm run typecheck`).
import { describe, expectTypeOf, it } from 'vitest'
import { isAwsigError } from '../../src/index.js'
import {
  type CredentialsLookup,
  createSignatureChecker,
  type VerificationError,
  type VerificationErrorCode,
  type VerifiedRequest,
  type VerifyRequestOptions,
  verifyRequest,
} from '../../src/verify/index.js'

describe('awsig/verify types', () => {
  it('verifyRequest takes a Request, an IncomingMessage-like or a description and gives a VerifiedRequest', () => {
    expectTypeOf<Request>().toMatchTypeOf<Parameters<typeof verifyRequest>[0]>()
    expectTypeOf<{ url: string; headers: Record<string, string> }>().toMatchTypeOf<
      Parameters<typeof verifyRequest>[0]
    >()
    expectTypeOf(verifyRequest).returns.resolves.toEqualTypeOf<VerifiedRequest>()
    expectTypeOf<VerifiedRequest['body']>().toEqualTypeOf<ReadableStream<Uint8Array> | null>()
    expectTypeOf<VerifiedRequest['regionSet']>().toEqualTypeOf<string[] | undefined>()
    expectTypeOf<VerifiedRequest['expiresAt']>().toEqualTypeOf<Date | undefined>()
  })

  it('credentials: a lookup (sync or async) or fixed credentials', () => {
    const lookup: CredentialsLookup = async (accessKeyId) =>
      accessKeyId === 'a' ? { secretAccessKey: 's' } : undefined
    expectTypeOf(lookup).toMatchTypeOf<VerifyRequestOptions['credentials']>()
    expectTypeOf({ accessKeyId: 'a', secretAccessKey: 's' }).toMatchTypeOf<VerifyRequestOptions['credentials']>()
  })

  it('errors narrow by code and carry what AWS would answer', () => {
    const error: unknown = undefined
    if (isAwsigError(error, 'ERR_EXPIRED')) {
      expectTypeOf(error).toEqualTypeOf<VerificationError>()
      expectTypeOf(error.status).toEqualTypeOf<number>()
      expectTypeOf(error.awsCode).toEqualTypeOf<string>()
    }
    expectTypeOf<'ERR_UNKNOWN_ACCESS_KEY'>().toMatchTypeOf<VerificationErrorCode>()
  })

  it('the mock checker fits msw resolvers, nock replies and undici interceptors', () => {
    const checker = createSignatureChecker({ credentials: { accessKeyId: 'a', secretAccessKey: 's' } })
    expectTypeOf(checker.msw(() => new Response('ok'))).returns.resolves.toEqualTypeOf<Response>()
    expectTypeOf(checker.nock(200, 'ok')).returns.resolves.toEqualTypeOf<[number, string, Record<string, string>]>()
  })
})
