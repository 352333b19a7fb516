// Amazon SQS with fetch and awsig: a queue, messages sent one by one and in a batch, received,
// deleted. SQS's AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Operation>).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
//
//   AWS_REGION=eu-west-1 node examples/sqs.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { AwsError, createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsJson } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://sqs.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'sqs' })

async function sqs(operation, input) {
  const response = await client.fetch(endpoint, awsJson(`AmazonSQS.${operation}`, input))
  return response.json()
}

const { QueueUrl } = await sqs('CreateQueue', {
  QueueName: `awsig-example-${Date.now().toString(36)}`,
  Attributes: { VisibilityTimeout: '30' },
})
console.log(`created queue ${QueueUrl}`)

try {
  await sqs('SendMessage', {
    QueueUrl,
    MessageBody: 'hello from awsig: ünïcødé & <xml> too',
    MessageAttributes: { source: { DataType: 'String', StringValue: 'example' } },
  })
  const batch = await sqs('SendMessageBatch', {
    QueueUrl,
    Entries: [1, 2, 3].map((n) => ({ Id: `m${n}`, MessageBody: `message ${n}` })),
  })
  console.log(`sent 1 message, then a batch of ${batch.Successful.length}`)

  const { Attributes } = await sqs('GetQueueAttributes', { QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })
  console.log(`approximately ${Attributes.ApproximateNumberOfMessages} messages waiting`)

  // Receive until the queue is empty, deleting what was handled.
  const received = []
  for (;;) {
    const { Messages = [] } = await sqs('ReceiveMessage', {
      QueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    })
    if (Messages.length === 0) break
    for (const message of Messages) {
      received.push(message.Body)
      await sqs('DeleteMessage', { QueueUrl, ReceiptHandle: message.ReceiptHandle })
    }
  }
  console.log(`received and deleted ${received.length}: ${received.map((body) => JSON.stringify(body)).join(', ')}`)
} finally {
  await sqs('DeleteQueue', { QueueUrl })
  console.log('deleted the queue')
}

// Errors carry the SQS error code.
try {
  await sqs('GetQueueUrl', { QueueName: 'awsig-no-such-queue' })
} catch (error) {
  if (!(error instanceof AwsError)) throw error
  console.log(`GetQueueUrl of a missing queue: ${error.awsCode} (HTTP ${error.status})`)
}
