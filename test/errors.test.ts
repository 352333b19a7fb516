// The error classes: codes that narrow, one constructor shape with `cause`, and recognition across two
// copies of the package (a second instance of src/errors.ts stands for another copy).
import { describe, expect, it } from 'vitest'
import { chain } from '../src/credentials/index.js'
import {
  AwsError,
  AwsigError,
  BodyNotReplayableError,
  CredentialsError,
  InvalidInputError,
  isAwsigError,
  NetworkError,
  StreamError,
  TimeoutError,
  VerificationError,
} from '../src/errors.js'

// The same module, loaded again under another id: what a second copy of awsig in node_modules is.
const otherCopyPath = '../src/errors.js?another-copy'
const other = (await import(/* @vite-ignore */ otherCopyPath)) as typeof import('../src/errors.js')

describe('errors from another copy of awsig', () => {
  it('is really another copy: its classes are not ours', () => {
    expect(other.CredentialsError).not.toBe(CredentialsError)
  })

  it('are recognised by instanceof and isAwsigError, class by class', () => {
    const theirs = new other.CredentialsError('ERR_CREDENTIALS_NOT_FOUND', 'nothing here', { provider: 'custom' })
    expect(theirs instanceof CredentialsError).toBe(true)
    expect(theirs instanceof AwsigError).toBe(true)
    expect(theirs instanceof AwsError).toBe(false)
    expect(isAwsigError(theirs, 'ERR_CREDENTIALS_NOT_FOUND')).toBe(true)
    expect(isAwsigError(theirs, 'ERR_AWS')).toBe(false)
    const aws = new other.AwsError({ status: 404, awsCode: 'NoSuchKey', awsMessage: 'gone' })
    expect(aws instanceof AwsError).toBe(true)
    expect(aws instanceof CredentialsError).toBe(false)
    // And the other way round.
    expect(new InvalidInputError('x', 'bad') instanceof other.InvalidInputError).toBe(true)
  })

  it('let a chain move on when a provider of another copy finds nothing', async () => {
    const foreign = async () => {
      throw new other.CredentialsError('ERR_CREDENTIALS_NOT_FOUND', 'nothing', { provider: 'theirs' })
    }
    const ok = async () => ({ accessKeyId: 'AKIAOK', secretAccessKey: 's' })
    expect((await chain(foreign, ok)()).accessKeyId).toBe('AKIAOK')
    const failure = await chain(foreign)().catch((e: unknown) => e)
    expect(isAwsigError(failure, 'ERR_CREDENTIALS_CHAIN') && failure.attempts?.[0]?.provider).toBe('theirs')
  })

  it('brands nothing else: plain errors and look-alikes are not awsig errors', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'ERR_AWS', name: 'AwsError' })
    expect(lookAlike instanceof AwsError).toBe(false)
    expect(isAwsigError(lookAlike)).toBe(false)
    expect(isAwsigError(null)).toBe(false)
    expect(isAwsigError('ERR_AWS')).toBe(false)
  })
})

describe('error classes', () => {
  const cause = new Error('root cause')
  it.each([
    ['InvalidInputError', new InvalidInputError('field', 'problem', { cause }), 'ERR_INVALID_INPUT'],
    [
      'CredentialsError',
      new CredentialsError('ERR_CREDENTIALS_CONFIG', 'm', { provider: 'env', cause }),
      'ERR_CREDENTIALS_CONFIG',
    ],
    ['StreamError', new StreamError('ERR_BODY_SOURCE', 'm', { cause }), 'ERR_BODY_SOURCE'],
    ['VerificationError', new VerificationError('ERR_MALFORMED_CHUNK', 'm', { cause }), 'ERR_MALFORMED_CHUNK'],
    ['AwsError', new AwsError({ status: 500, awsCode: 'InternalError', awsMessage: 'm', cause }), 'ERR_AWS'],
    ['NetworkError', new NetworkError('m', { cause }), 'ERR_NETWORK'],
    ['TimeoutError', new TimeoutError({ timeout: 5, cause }), 'ERR_TIMEOUT'],
  ] as const)('%s: name, code and cause', (name, error, code) => {
    expect(error.name).toBe(name)
    expect(error.code).toBe(code)
    expect(error.cause).toBe(cause)
    expect(error instanceof AwsigError).toBe(true)
    expect(String(error.stack).startsWith(`${name}: `)).toBe(true)
  })

  it('BodyNotReplayableError takes the failure that was not retried as its cause', () => {
    const failure = new NetworkError('reset', { attempts: 1 })
    const error = new BodyNotReplayableError({ cause: failure, attempts: 1 })
    expect([error.code, error.cause, error.attempts]).toEqual(['ERR_BODY_NOT_REPLAYABLE', failure, 1])
  })

  it('leaves cause unset when there is none', () => {
    expect('cause' in new InvalidInputError('f', 'p')).toBe(false)
  })

  it('narrows by code', () => {
    const errors: unknown[] = [
      new AwsError({ status: 404, awsCode: 'NoSuchKey', awsMessage: 'gone' }),
      new TimeoutError({ timeout: 7 }),
      new InvalidInputError('region', 'empty'),
    ]
    const seen = errors.map((error) => {
      if (!isAwsigError(error)) return 'other'
      switch (error.code) {
        case 'ERR_AWS':
          return error.awsCode
        case 'ERR_TIMEOUT':
          return error.timeout
        case 'ERR_INVALID_INPUT':
          return error.field
        default:
          return error.code
      }
    })
    expect(seen).toEqual(['NoSuchKey', 7, 'region'])
  })
})
