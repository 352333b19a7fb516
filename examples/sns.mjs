// Amazon SNS with fetch and awsig: a topic, attributes, a subscription, a published message with
// attributes. The AWS query protocol: form parameters written flat, as the API reference shows them.
// https://docs.aws.amazon.com/sns/latest/api/API_Operations.html
//
//   AWS_REGION=eu-west-1 node examples/sns.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsQuery, xmlText, xmlTexts } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://sns.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'sns' })

/** Calls an SNS action and returns the response XML. */
async function sns(action, params) {
  const response = await client.fetch(endpoint, awsQuery(action, '2010-03-31', params))
  return response.text()
}

const name = `awsig-example-${Date.now().toString(36)}`
const TopicArn = xmlText(await sns('CreateTopic', { Name: name }), 'TopicArn')
console.log(`created topic ${TopicArn}`)

try {
  await sns('SetTopicAttributes', { TopicArn, AttributeName: 'DisplayName', AttributeValue: 'awsig example' })
  const attributes = await sns('GetTopicAttributes', { TopicArn })
  const entries = Object.fromEntries(
    xmlTexts(attributes, 'key').map((key, i) => [key, xmlTexts(attributes, 'value')[i]]),
  )
  console.log(`DisplayName: ${entries.DisplayName}`)

  // An email subscription stays pending until confirmed; its ARN says so.
  const subscribed = await sns('Subscribe', {
    TopicArn,
    Protocol: 'email',
    Endpoint: 'someone@example.com',
    ReturnSubscriptionArn: true,
  })
  console.log(`subscribed: ${xmlText(subscribed, 'SubscriptionArn')}`)

  // Publish with message attributes: map entries are numbered, as in the API reference.
  const published = await sns('Publish', {
    TopicArn,
    Subject: 'Hello',
    Message: 'Signed by awsig: 100% & <ok>',
    'MessageAttributes.entry.1.Name': 'priority',
    'MessageAttributes.entry.1.Value.DataType': 'Number',
    'MessageAttributes.entry.1.Value.StringValue': '1',
  })
  console.log(`published message ${xmlText(published, 'MessageId')}`)

  const topics = xmlTexts(await sns('ListTopics', {}), 'TopicArn')
  console.log(`ListTopics includes ours: ${topics.includes(TopicArn)}`)
} finally {
  await sns('DeleteTopic', { TopicArn })
  console.log('deleted the topic')
}
