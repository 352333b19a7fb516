// moto_server for integration tests: a real AWS emulator that verifies every signature with botocore.
// The launcher itself lives in examples/moto.mjs, shared with `npm run demo`.
import { INSTALL_HINT, launchMoto, MotoNotInstalledError, stopAllMoto } from '../../examples/moto.mjs'

export interface Moto {
  /** `http://127.0.0.1:PORT` */
  endpoint: string
  region: string
  /** An IAM user's access key, allowed every action. */
  credentials: { accessKeyId: string; secretAccessKey: string }
  /** ARN of that user, e.g. `arn:aws:iam::123456789012:user/awsig`. */
  userArn: string
  stop(): Promise<void>
}

/**
 * Starts moto_server with signature checks on (unless `enforce: false`). Resolves to `null` when
 * moto_server is not installed, after a loud warning, so that the tests can skip; in CI
 * (`CI=true`) a missing moto_server is an error instead.
 */
export async function startMoto({ enforce = true }: { enforce?: boolean } = {}): Promise<Moto | null> {
  try {
    return await launchMoto({ enforce })
  } catch (error) {
    if (!(error instanceof MotoNotInstalledError) || process.env.CI === 'true') throw error
    const bar = '!'.repeat(78)
    console.warn(
      `\n${bar}\n!! SKIPPING the moto integration tests: moto_server is not installed.\n!! To run them, ${INSTALL_HINT}\n!! (With CI=true this is an error.)\n${bar}\n`,
    )
    return null
  }
}

/** Stops every moto_server this process started; for `afterAll`, so nothing outlives a failed run. */
export { stopAllMoto }
