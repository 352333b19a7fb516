// AWS STS with fetch and awsig: who am I, temporary credentials, and calls made with them.
// The AWS query protocol.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html
//
//   node examples/sts.mjs              (set AWS_ROLE_ARN to also assume that role)
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsQuery, xmlText } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://sts.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'sts' })

const whoAmI = async (c) =>
  xmlText(await (await c.fetch(endpoint, awsQuery('GetCallerIdentity', '2011-06-15'))).text(), 'Arn')

console.log(`GetCallerIdentity: ${await whoAmI(client)}`)

/** The credentials in an STS response, as `createClient` takes them. */
const credentialsIn = (xml) => ({
  accessKeyId: xmlText(xml, 'AccessKeyId'),
  secretAccessKey: xmlText(xml, 'SecretAccessKey'),
  sessionToken: xmlText(xml, 'SessionToken'),
  expiration: new Date(xmlText(xml, 'Expiration')),
})

// GetSessionToken: temporary credentials for the same identity (for IAM users; roles cannot call it).
if (process.env.AWS_SESSION_TOKEN === undefined) {
  const session = await client.fetch(endpoint, awsQuery('GetSessionToken', '2011-06-15', { DurationSeconds: 900 }))
  const temporary = credentialsIn(await session.text())
  console.log(`GetSessionToken: ${temporary.accessKeyId}, expires ${temporary.expiration.toISOString()}`)
}

// AssumeRole, when a role is given, then a call signed with the role's temporary credentials (the
// session token is signed with them).
const roleArn = process.env.AWS_ROLE_ARN
if (roleArn === undefined) console.log('set AWS_ROLE_ARN to assume a role too')
else {
  const assumed = await client.fetch(
    endpoint,
    awsQuery('AssumeRole', '2011-06-15', { RoleArn: roleArn, RoleSessionName: 'awsig-example', DurationSeconds: 900 }),
  )
  const role = createClient({ credentials: credentialsIn(await assumed.text()), region, service: 'sts' })
  console.log(`AssumeRole, then GetCallerIdentity: ${await whoAmI(role)}`)
}
