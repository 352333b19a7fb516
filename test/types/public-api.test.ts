// Type tests: the public types, pinned. They run through `npm run typecheck` (tsconfig.test.json takes
// test/**), so a change to a public type fails `npm test` before any user sees it.
import { describe, expectTypeOf, it } from 'vitest'
import type { AdapterOptions, FetchLike as ClientFetchLike, ClientOptions } from '../../src/client/index.js'
import type { FetchLike as CredentialsFetchLike, FromAssumeRoleOptions } from '../../src/credentials/index.js'
import * as universal from '../../src/credentials/index.js'
import type { FromSsoOptions } from '../../src/credentials/node.js'
import * as node from '../../src/credentials/node.js'
import type { AwsError, CredentialsError, TimeoutError } from '../../src/errors.js'
import {
  type AnyAwsigError,
  type AwsigErrorCode,
  InvalidInputError,
  isAwsigError,
  type StreamError,
} from '../../src/index.js'
import * as protocols from '../../src/protocols/index.js'

describe('errors', () => {
  it('isAwsigError narrows to the class of the code', () => {
    const error: unknown = undefined
    if (isAwsigError(error, 'ERR_AWS')) expectTypeOf(error).toEqualTypeOf<AwsError>()
    if (isAwsigError(error, 'ERR_CREDENTIALS_NOT_FOUND')) expectTypeOf(error).toEqualTypeOf<CredentialsError>()
    if (isAwsigError(error)) expectTypeOf(error).toEqualTypeOf<AnyAwsigError>()
  })

  it('switch (error.code) narrows', () => {
    const thrown = (): AnyAwsigError => new InvalidInputError('field', 'problem')
    const error = thrown()
    switch (error.code) {
      case 'ERR_AWS':
        expectTypeOf(error).toEqualTypeOf<AwsError>()
        expectTypeOf(error.awsCode).toEqualTypeOf<string>()
        break
      case 'ERR_TIMEOUT':
        expectTypeOf(error).toEqualTypeOf<TimeoutError>()
        break
      case 'ERR_INVALID_INPUT':
        expectTypeOf(error.field).toEqualTypeOf<string>()
        expectTypeOf(error).toEqualTypeOf<InvalidInputError>()
        break
      case 'ERR_BODY_LENGTH':
        expectTypeOf(error).toEqualTypeOf<StreamError>()
        break
    }
    expectTypeOf<AwsigErrorCode>().toEqualTypeOf<AnyAwsigError['code']>()
  })
})

describe('names', () => {
  it('clocks are now(): number', () => {
    expectTypeOf<NonNullable<ClientOptions['now']>>().toEqualTypeOf<() => number>()
    expectTypeOf<NonNullable<AdapterOptions['now']>>().toEqualTypeOf<() => number>()
    expectTypeOf<NonNullable<universal.CachedOptions['now']>>().toEqualTypeOf<() => number>()
    expectTypeOf<NonNullable<FromSsoOptions['now']>>().toEqualTypeOf<() => number>()
  })

  it('one FetchLike', () => {
    expectTypeOf<ClientFetchLike>().toEqualTypeOf<CredentialsFetchLike>()
  })

  it('one name for the SSO cache directory, and no internal `profile` option', () => {
    expectTypeOf<FromSsoOptions>().toHaveProperty('ssoCacheDir')
    expectTypeOf<node.FromIniOptions>().toHaveProperty('ssoCacheDir')
    expectTypeOf<FromSsoOptions>().not.toHaveProperty('cacheDir')
    expectTypeOf<FromAssumeRoleOptions>().not.toHaveProperty('profile')
    expectTypeOf<universal.FromWebIdentityOptions>().not.toHaveProperty('profile')
    expectTypeOf<universal.FromSsoTokenOptions>().not.toHaveProperty('profile')
  })

  it('credentials or a provider: one type', () => {
    expectTypeOf<FromAssumeRoleOptions['sourceCredentials']>().toEqualTypeOf<ClientOptions['credentials']>()
  })

  it('the client has a base URL', () => {
    expectTypeOf<ClientOptions['endpoint']>().toEqualTypeOf<string | URL | undefined>()
  })
})

describe('a function has one signature whatever the export condition', () => {
  it('credentials: universal and Node builds agree', () => {
    expectTypeOf(universal.defaultChain).toEqualTypeOf(node.defaultChain)
    expectTypeOf(universal.resolveRegion).toEqualTypeOf(node.resolveRegion)
    expectTypeOf(universal.resolveEndpoint).toEqualTypeOf(node.resolveEndpoint)
    expectTypeOf(universal.fromWebIdentity).toEqualTypeOf(node.fromWebIdentity)
    expectTypeOf(universal.fromContainer).toEqualTypeOf(node.fromContainer)
  })
})

describe('awsig/protocols', () => {
  it('exports the builders and the XML helpers', () => {
    expectTypeOf(protocols.awsJson).returns.toEqualTypeOf<protocols.ProtocolRequest>()
    expectTypeOf(protocols.queryString).returns.toEqualTypeOf<string>()
    expectTypeOf(protocols.xmlText).toEqualTypeOf<(xml: string, tag: string) => string | undefined>()
    expectTypeOf(protocols.xml).returns.toEqualTypeOf<protocols.XmlFragment>()
  })
})

describe('awsig/sigv4a', () => {
  it('sigv4a is an algorithm value; publicKeyFor gives hex coordinates and the raw point', async () => {
    const { publicKeyFor, sigv4a, verifyWithPublicKey } = await import('../../src/sigv4a/index.js')
    const { sign } = await import('../../src/index.js')
    expectTypeOf(sigv4a).toMatchTypeOf<NonNullable<Parameters<typeof sign>[0]['algorithm']>>()
    expectTypeOf(publicKeyFor).returns.resolves.toEqualTypeOf<{ x: string; y: string; raw: Uint8Array }>()
    expectTypeOf(verifyWithPublicKey).returns.resolves.toEqualTypeOf<boolean>()
  })
})
