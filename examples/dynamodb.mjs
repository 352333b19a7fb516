// Amazon DynamoDB with fetch and awsig: a table, items written, read, updated and queried, a
// conditional write refused with a typed error. AWS JSON 1.0 protocol: every operation is a POST to
// `/` naming the operation in X-Amz-Target; the bodies are the API reference's request syntax.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
//
//   AWS_REGION=eu-west-1 node examples/dynamodb.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { AwsError, createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsJson } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://dynamodb.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'dynamodb' })

/** Calls a DynamoDB operation and returns the parsed response. */
async function dynamodb(operation, input) {
  const response = await client.fetch(endpoint, awsJson(`DynamoDB_20120810.${operation}`, input))
  return response.json()
}

const TableName = `awsig-example-${Date.now().toString(36)}`
await dynamodb('CreateTable', {
  TableName,
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
})
// Wait until the table is ACTIVE (at once on an emulator, seconds on AWS).
for (let i = 0; ; i++) {
  const { Table } = await dynamodb('DescribeTable', { TableName })
  if (Table.TableStatus === 'ACTIVE') break
  if (i === 60) throw new Error(`table still ${Table.TableStatus}`)
  await new Promise((resolve) => setTimeout(resolve, 1000))
}
console.log(`created table ${TableName}`)

try {
  // PutItem, then BatchWriteItem for a few more.
  await dynamodb('PutItem', {
    TableName,
    Item: { pk: { S: 'user#42' }, sk: { S: 'profile' }, name: { S: 'Zoë' }, visits: { N: '0' } },
  })
  await dynamodb('BatchWriteItem', {
    RequestItems: {
      [TableName]: ['2024-01-01', '2024-02-14', '2024-03-30'].map((day) => ({
        PutRequest: { Item: { pk: { S: 'user#42' }, sk: { S: `order#${day}` }, total: { N: '19.99' } } },
      })),
    },
  })
  console.log('wrote 4 items')

  // UpdateItem with an expression; ReturnValues gives the new value back.
  const { Attributes } = await dynamodb('UpdateItem', {
    TableName,
    Key: { pk: { S: 'user#42' }, sk: { S: 'profile' } },
    UpdateExpression: 'ADD visits :one',
    ExpressionAttributeValues: { ':one': { N: '1' } },
    ReturnValues: 'UPDATED_NEW',
  })
  console.log(`visits is now ${Attributes.visits.N}`)

  // GetItem and Query.
  const { Item } = await dynamodb('GetItem', { TableName, Key: { pk: { S: 'user#42' }, sk: { S: 'profile' } } })
  console.log(`GetItem: name=${Item.name.S}`)
  const { Items, Count } = await dynamodb('Query', {
    TableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :orders)',
    ExpressionAttributeValues: { ':pk': { S: 'user#42' }, ':orders': { S: 'order#' } },
  })
  console.log(`Query: ${Count} orders (${Items.map((item) => item.sk.S.slice(6)).join(', ')})`)

  // A conditional write that fails: the error is an AwsError with the DynamoDB error code.
  try {
    await dynamodb('PutItem', {
      TableName,
      Item: { pk: { S: 'user#42' }, sk: { S: 'profile' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    throw new Error('the conditional write should have failed')
  } catch (error) {
    if (!(error instanceof AwsError) || error.awsCode !== 'ConditionalCheckFailedException') throw error
    console.log(`conditional put refused: ${error.awsCode} (HTTP ${error.status})`)
  }
} finally {
  await dynamodb('DeleteTable', { TableName })
  console.log(`deleted table ${TableName}`)
}
