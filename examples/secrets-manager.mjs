// AWS Secrets Manager with fetch and awsig: a secret created, read, given a new version, listed and
// deleted. AWS JSON 1.1 protocol (X-Amz-Target: secretsmanager.<Operation>).
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
//
//   AWS_REGION=eu-west-1 node examples/secrets-manager.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { randomUUID } from 'node:crypto'
import { AwsError, createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsJson } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://secretsmanager.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'secretsmanager' })

async function secretsManager(operation, input) {
  const response = await client.fetch(endpoint, awsJson(`secretsmanager.${operation}`, input, { version: '1.1' }))
  return response.json()
}

const Name = `awsig/example/${Date.now().toString(36)}`
// ClientRequestToken makes the call idempotent: a retry after a lost response does not create twice.
const created = await secretsManager('CreateSecret', {
  Name,
  SecretString: JSON.stringify({ username: 'app', password: 'correct horse battery staple' }),
  ClientRequestToken: randomUUID(),
})
console.log(`created secret ${created.ARN}`)

try {
  const first = await secretsManager('GetSecretValue', { SecretId: Name })
  console.log(`read it: user ${JSON.parse(first.SecretString).username}, version ${first.VersionId.slice(0, 8)}…`)

  await secretsManager('PutSecretValue', {
    SecretId: Name,
    SecretString: JSON.stringify({ username: 'app', password: 'rotated' }),
    ClientRequestToken: randomUUID(),
  })
  const second = await secretsManager('GetSecretValue', { SecretId: Name, VersionStage: 'AWSCURRENT' })
  console.log(`new version ${second.VersionId.slice(0, 8)}…: password ${JSON.parse(second.SecretString).password}`)

  const { SecretList } = await secretsManager('ListSecrets', { Filters: [{ Key: 'name', Values: ['awsig/example/'] }] })
  console.log(`ListSecrets under awsig/example/: ${SecretList.map((s) => s.Name).includes(Name) ? 'found' : 'missing'}`)
} finally {
  await secretsManager('DeleteSecret', { SecretId: Name, ForceDeleteWithoutRecovery: true })
  console.log('deleted the secret')
}

try {
  await secretsManager('GetSecretValue', { SecretId: `${Name}-missing` })
} catch (error) {
  if (!(error instanceof AwsError)) throw error
  console.log(`GetSecretValue of a missing secret: ${error.awsCode} (HTTP ${error.status})`)
}
