// AWS IAM with fetch and awsig: a user with tags, a role with a trust policy and an inline policy,
// listing, clean-up. IAM is global: one endpoint, signed for us-east-1. The AWS query protocol.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
//
//   node examples/iam.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { AwsError, createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsQuery, xmlText, xmlTexts } from 'awsig/protocols'

const endpoint = process.env.AWS_ENDPOINT_URL ?? 'https://iam.amazonaws.com'
const client = createClient({ credentials: fromEnv(), region: 'us-east-1', service: 'iam' })

async function iam(action, params = {}) {
  const response = await client.fetch(endpoint, awsQuery(action, '2010-05-08', params))
  return response.text()
}

const suffix = Date.now().toString(36)
const UserName = `awsig-user-${suffix}`
const RoleName = `awsig-role-${suffix}`
const Path = '/awsig-example/'

const user = await iam('CreateUser', {
  UserName,
  Path,
  'Tags.member.1.Key': 'team',
  'Tags.member.1.Value': 'platform',
})
console.log(`created user ${xmlText(user, 'Arn')}`)

try {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }
  const role = await iam('CreateRole', { RoleName, Path, AssumeRolePolicyDocument: JSON.stringify(trust) })
  console.log(`created role ${xmlText(role, 'Arn')}`)

  const readOnly = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::example-bucket/*' }],
  }
  await iam('PutRolePolicy', { RoleName, PolicyName: 'read-example', PolicyDocument: JSON.stringify(readOnly) })
  const policy = await iam('GetRolePolicy', { RoleName, PolicyName: 'read-example' })
  // Policy documents come back URL-encoded.
  const document = JSON.parse(decodeURIComponent(xmlText(policy, 'PolicyDocument')))
  console.log(`inline policy allows: ${document.Statement[0].Action.join(', ')}`)

  const tags = await iam('ListUserTags', { UserName })
  console.log(
    `user tags: ${xmlTexts(tags, 'Key')
      .map((k, i) => `${k}=${xmlTexts(tags, 'Value')[i]}`)
      .join(', ')}`,
  )
  const users = xmlTexts(await iam('ListUsers', { PathPrefix: Path }), 'UserName')
  const roles = xmlTexts(await iam('ListRoles', { PathPrefix: Path }), 'RoleName')
  console.log(`under ${Path}: users ${users.join(', ')}; roles ${roles.join(', ')}`)

  await iam('DeleteRolePolicy', { RoleName, PolicyName: 'read-example' })
  await iam('DeleteRole', { RoleName })
} finally {
  await iam('DeleteUser', { UserName })
  console.log('deleted the user and the role')
}

try {
  await iam('GetUser', { UserName })
} catch (error) {
  if (!(error instanceof AwsError)) throw error
  console.log(`GetUser after deletion: ${error.awsCode} (HTTP ${error.status})`)
}
