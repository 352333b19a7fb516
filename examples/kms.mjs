// AWS KMS with fetch and awsig: a key, encrypt and decrypt, a data key for envelope encryption,
// scheduled deletion. AWS JSON 1.1 protocol (X-Amz-Target: TrentService.<Operation>); binary values
// travel base64-encoded.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
//
//   AWS_REGION=eu-west-1 node examples/kms.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsJson } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://kms.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'kms' })

async function kms(operation, input) {
  const response = await client.fetch(endpoint, awsJson(`TrentService.${operation}`, input, { version: '1.1' }))
  return response.json()
}

const { KeyMetadata } = await kms('CreateKey', {
  Description: 'awsig example key',
  KeyUsage: 'ENCRYPT_DECRYPT',
  Tags: [{ TagKey: 'created-by', TagValue: 'awsig' }],
})
const KeyId = KeyMetadata.KeyId
console.log(`created key ${KeyMetadata.Arn}`)

try {
  const secret = 'the launch code is 0000 ✓'
  const context = { purpose: 'awsig-example' }
  const { CiphertextBlob } = await kms('Encrypt', {
    KeyId,
    Plaintext: Buffer.from(secret).toString('base64'),
    EncryptionContext: context,
  })
  console.log(`encrypted ${Buffer.byteLength(secret)} bytes into ${Buffer.from(CiphertextBlob, 'base64').length}`)
  const { Plaintext } = await kms('Decrypt', { CiphertextBlob, EncryptionContext: context })
  const decrypted = Buffer.from(Plaintext, 'base64').toString()
  if (decrypted !== secret) throw new Error('decryption gave something else')
  console.log(`decrypted: ${JSON.stringify(decrypted)}`)

  // Envelope encryption: a data key in plaintext (use it, then forget it) and encrypted (store it).
  const dataKey = await kms('GenerateDataKey', { KeyId, KeySpec: 'AES_256' })
  console.log(
    `data key: ${Buffer.from(dataKey.Plaintext, 'base64').length * 8}-bit, stored encrypted as ${Buffer.from(dataKey.CiphertextBlob, 'base64').length} bytes`,
  )
} finally {
  const { DeletionDate } = await kms('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 })
  console.log(`key deletion scheduled for ${new Date(DeletionDate * 1000).toISOString().slice(0, 10)}`)
}
