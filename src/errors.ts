/**
 * Every error awsig throws is an {@link AwsigError} with a stable `code`, so callers can
 * `switch (err.code)` even when two copies of the package are loaded.
 */
export type AwsigErrorCode = 'ERR_INVALID_INPUT'

export class AwsigError extends Error {
  override name = 'AwsigError'
  readonly code: AwsigErrorCode
  constructor(code: AwsigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/**
 * Bad input to a signing function, thrown before any work is done. `field` names the offending option
 * (`credentials.accessKeyId`, `headers["x-foo"]`, `expiresIn`, ...). The message never contains a secret.
 */
export class InvalidInputError extends AwsigError {
  override name = 'InvalidInputError'
  readonly field: string
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_INPUT', `${field}: ${problem}`, options)
    this.field = field
  }
}
