// The environment a spawned `awsig` runs with in tests: nothing of the machine's (its own HOME, no
// shared config files, no instance metadata), `us-east-1`, and what the test adds or removes.

/** `extra` values of `undefined` remove the variable. */
export function isolatedEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: `${home}/no-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/no-credentials`,
    AWS_EC2_METADATA_DISABLED: 'true',
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}
