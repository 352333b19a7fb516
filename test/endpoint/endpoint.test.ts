// parseEndpoint against real AWS hostnames of every form it reads, and hosts it must leave alone.
import { describe, expect, it } from 'vitest'
import { InvalidInputError, parseEndpoint } from '../../src/index.js'

type Case = [url: string, expected: Record<string, unknown>]

const base = { fips: false, dualstack: false, global: false, partition: 'aws' }

const regional: Case[] = [
  ['https://sqs.us-east-1.amazonaws.com/123456789012/q', { service: 'sqs', region: 'us-east-1' }],
  ['https://dynamodb.eu-west-1.amazonaws.com/', { service: 'dynamodb', region: 'eu-west-1' }],
  ['https://sts.ap-southeast-2.amazonaws.com', { service: 'sts', region: 'ap-southeast-2' }],
  ['https://monitoring.us-west-2.amazonaws.com', { service: 'monitoring', region: 'us-west-2' }],
  ['https://email.eu-central-1.amazonaws.com', { service: 'ses', region: 'eu-central-1' }],
  ['https://runtime.sagemaker.us-east-1.amazonaws.com', { service: 'sagemaker', region: 'us-east-1' }],
  ['https://streams.dynamodb.us-east-1.amazonaws.com', { service: 'dynamodb', region: 'us-east-1' }],
  ['https://api.ecr.us-east-2.amazonaws.com', { service: 'ecr', region: 'us-east-2' }],
  ['https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke', { service: 'bedrock', region: 'us-east-1' }],
  ['https://abc123.execute-api.eu-west-3.amazonaws.com/prod/', { service: 'execute-api', region: 'eu-west-3' }],
  ['https://xyz.appsync-api.us-east-1.amazonaws.com/graphql', { service: 'appsync', region: 'us-east-1' }],
  ['https://a1b2c3-ats.iot.us-east-1.amazonaws.com/things/t/shadow', { service: 'iotdata', region: 'us-east-1' }],
  ['https://iot.us-east-1.amazonaws.com/things', { service: 'iot', region: 'us-east-1' }],
  ['https://search-logs-abc.us-east-1.es.amazonaws.com/_search', { service: 'es', region: 'us-east-1' }],
  ['https://k2j3h4.us-west-2.aoss.amazonaws.com/index', { service: 'aoss', region: 'us-west-2' }],
  [
    'https://vpce-0123456789abcdef0-abcdefgh.sqs.us-east-1.vpce.amazonaws.com/',
    { service: 'sqs', region: 'us-east-1' },
  ],
  ['https://abcdefg.lambda-url.us-east-1.on.aws/', { service: 'lambda', region: 'us-east-1' }],
  ['https://lambda.il-central-1.amazonaws.com', { service: 'lambda', region: 'il-central-1' }],
  ['https://kms.ap-southeast-4.amazonaws.com', { service: 'kms', region: 'ap-southeast-4' }],
  ['https://logs.mx-central-1.amazonaws.com', { service: 'logs', region: 'mx-central-1' }],
  ['sqs.us-east-1.amazonaws.com', { service: 'sqs', region: 'us-east-1' }],
  ['HTTPS://SQS.US-EAST-1.AMAZONAWS.COM.', { service: 'sqs', region: 'us-east-1' }],
  ['https://sqs.us-east-1.amazonaws.com:8443/', { service: 'sqs', region: 'us-east-1' }],
]

const partitions: Case[] = [
  ['https://sqs.cn-north-1.amazonaws.com.cn', { service: 'sqs', region: 'cn-north-1', partition: 'aws-cn' }],
  ['https://iam.cn-north-1.amazonaws.com.cn', { service: 'iam', region: 'cn-north-1', partition: 'aws-cn' }],
  [
    'https://sqs.cn-northwest-1.api.amazonwebservices.com.cn',
    { service: 'sqs', region: 'cn-northwest-1', partition: 'aws-cn', dualstack: true },
  ],
  ['https://sqs.us-gov-west-1.amazonaws.com', { service: 'sqs', region: 'us-gov-west-1', partition: 'aws-us-gov' }],
  ['https://sqs.us-iso-east-1.c2s.ic.gov', { service: 'sqs', region: 'us-iso-east-1', partition: 'aws-iso' }],
  ['https://sqs.us-isob-east-1.sc2s.sgov.gov', { service: 'sqs', region: 'us-isob-east-1', partition: 'aws-iso-b' }],
  ['https://sqs.eu-isoe-west-1.cloud.adc-e.uk', { service: 'sqs', region: 'eu-isoe-west-1', partition: 'aws-iso-e' }],
  ['https://sqs.us-isof-south-1.csp.hci.ic.gov', { service: 'sqs', region: 'us-isof-south-1', partition: 'aws-iso-f' }],
  ['https://sqs.eusc-de-east-1.amazonaws.eu', { service: 'sqs', region: 'eusc-de-east-1', partition: 'aws-eusc' }],
]

const fipsAndDualstack: Case[] = [
  ['https://sqs-fips.us-east-1.amazonaws.com', { service: 'sqs', region: 'us-east-1', fips: true }],
  ['https://kms-fips.us-west-2.amazonaws.com', { service: 'kms', region: 'us-west-2', fips: true }],
  ['https://ec2.us-east-1.api.aws', { service: 'ec2', region: 'us-east-1', dualstack: true }],
  ['https://sqs-fips.us-east-1.api.aws', { service: 'sqs', region: 'us-east-1', fips: true, dualstack: true }],
  [
    'https://dynamodb.us-gov-west-1.api.aws',
    { service: 'dynamodb', region: 'us-gov-west-1', partition: 'aws-us-gov', dualstack: true },
  ],
  ['https://s3.dualstack.eu-west-1.amazonaws.com', { service: 's3', region: 'eu-west-1', dualstack: true }],
  [
    'https://s3-fips.dualstack.us-east-2.amazonaws.com',
    { service: 's3', region: 'us-east-2', fips: true, dualstack: true },
  ],
]

const globals: Case[] = [
  ['https://iam.amazonaws.com/', { service: 'iam', region: 'us-east-1', global: true }],
  ['https://iam-fips.amazonaws.com/', { service: 'iam', region: 'us-east-1', global: true, fips: true }],
  ['https://sts.amazonaws.com/', { service: 'sts', region: 'us-east-1', global: true }],
  ['https://route53.amazonaws.com/2013-04-01/hostedzone', { service: 'route53', region: 'us-east-1', global: true }],
  [
    'https://cloudfront.amazonaws.com/2020-05-31/distribution',
    { service: 'cloudfront', region: 'us-east-1', global: true },
  ],
  ['https://queue.amazonaws.com/', { service: 'sqs', region: 'us-east-1', global: true }],
  ['https://sdb.amazonaws.com/', { service: 'sdb', region: 'us-east-1', global: true }],
  [
    'https://iam.us-gov.amazonaws.com/',
    { service: 'iam', region: 'us-gov-west-1', partition: 'aws-us-gov', global: true },
  ],
  [
    'https://route53.amazonaws.com.cn/',
    { service: 'route53', region: 'cn-northwest-1', partition: 'aws-cn', global: true },
  ],
  ['https://iam.global.api.aws/', { service: 'iam', region: 'us-east-1', global: true, dualstack: true }],
]

const s3: Case[] = [
  ['https://s3.us-east-1.amazonaws.com/', { service: 's3', region: 'us-east-1' }],
  [
    'https://s3.eu-west-1.amazonaws.com/my-bucket/a/b.jpg',
    { service: 's3', region: 'eu-west-1', bucket: 'my-bucket', addressing: 'path' },
  ],
  [
    'https://my-bucket.s3.eu-west-1.amazonaws.com/a/b.jpg',
    { service: 's3', region: 'eu-west-1', bucket: 'my-bucket', addressing: 'virtual' },
  ],
  [
    'https://logs.example.com.s3.us-west-2.amazonaws.com/x',
    { service: 's3', region: 'us-west-2', bucket: 'logs.example.com', addressing: 'virtual' },
  ],
  [
    'https://my-bucket-1.s3.amazonaws.com/k',
    { service: 's3', region: 'us-east-1', bucket: 'my-bucket-1', addressing: 'virtual', global: true },
  ],
  [
    'https://s3.amazonaws.com/examplebucket/test.txt',
    { service: 's3', region: 'us-east-1', bucket: 'examplebucket', addressing: 'path', global: true },
  ],
  ['https://s3-external-1.amazonaws.com/', { service: 's3', region: 'us-east-1', global: true }],
  ['https://s3-us-west-2.amazonaws.com/b/k', { service: 's3', region: 'us-west-2', bucket: 'b', addressing: 'path' }],
  [
    'https://b.s3-eu-west-1.amazonaws.com/k',
    { service: 's3', region: 'eu-west-1', bucket: 'b', addressing: 'virtual' },
  ],
  [
    'https://us-east-2.s3.us-east-2.amazonaws.com/',
    { service: 's3', region: 'us-east-2', bucket: 'us-east-2', addressing: 'virtual' },
  ],
  [
    'https://b.s3.dualstack.ap-northeast-1.amazonaws.com/k',
    { service: 's3', region: 'ap-northeast-1', bucket: 'b', addressing: 'virtual', dualstack: true },
  ],
  [
    'https://b.s3-fips.us-gov-west-1.amazonaws.com/k',
    { service: 's3', region: 'us-gov-west-1', partition: 'aws-us-gov', bucket: 'b', addressing: 'virtual', fips: true },
  ],
  [
    'https://b.s3.cn-north-1.amazonaws.com.cn/k',
    { service: 's3', region: 'cn-north-1', partition: 'aws-cn', bucket: 'b', addressing: 'virtual' },
  ],
  [
    'https://s3.us-east-1.amazonaws.com/a%20b/k',
    { service: 's3', region: 'us-east-1', bucket: 'a b', addressing: 'path' },
  ],
  [
    'https://finance-docs-123456789012.s3-accesspoint.us-west-2.amazonaws.com/k',
    { service: 's3', region: 'us-west-2', accessPoint: 'finance-docs', accountId: '123456789012' },
  ],
  [
    'https://ap-123456789012.s3-accesspoint-fips.dualstack.us-east-1.amazonaws.com/k',
    { service: 's3', region: 'us-east-1', accessPoint: 'ap', accountId: '123456789012', fips: true, dualstack: true },
  ],
  [
    'https://olap-123456789012.s3-object-lambda.eu-west-1.amazonaws.com/k',
    { service: 's3-object-lambda', region: 'eu-west-1', accessPoint: 'olap', accountId: '123456789012' },
  ],
  [
    'https://myap-123456789012.op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com/k',
    {
      service: 's3-outposts',
      region: 'us-west-2',
      accessPoint: 'myap',
      accountId: '123456789012',
      outpostId: 'op-01ac5d28a6a232904',
    },
  ],
  [
    'https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k',
    { service: 's3', region: '*', accessPoint: 'mfzwi23gnjvgw.mrap', multiRegion: true },
  ],
  [
    'https://bucket-base-name--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/k',
    {
      service: 's3express',
      region: 'us-west-2',
      bucket: 'bucket-base-name--usw2-az1--x-s3',
      addressing: 'virtual',
      availabilityZoneId: 'usw2-az1',
    },
  ],
  ['https://s3express-control.us-west-2.amazonaws.com/', { service: 's3express', region: 'us-west-2' }],
  [
    'https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/jobs',
    { service: 's3', region: 'us-east-1', accountId: '123456789012' },
  ],
]

describe('parseEndpoint', () => {
  for (const [name, cases] of Object.entries({ regional, partitions, fipsAndDualstack, globals, s3 })) {
    it.each(cases)(`${name}: %s`, (url, expected) => {
      expect(parseEndpoint(url)).toEqual({ ...base, ...expected })
    })
  }

  it('accepts a URL object', () => {
    expect(parseEndpoint(new URL('https://sns.sa-east-1.amazonaws.com/'))).toMatchObject({
      service: 'sns',
      region: 'sa-east-1',
    })
  })

  it.each([
    'http://127.0.0.1:5000/',
    'http://localhost:4566/',
    'https://example.com/',
    'https://api.example.com/amazonaws.com',
    'https://amazonaws.com/',
    'https://bucket.s3-accelerate.amazonaws.com/k',
    'https://bucket.s3-accelerate.dualstack.amazonaws.com/k',
    'https://bucket.s3-website-us-east-1.amazonaws.com/',
    'https://bucket.s3-website.eu-west-1.amazonaws.com/',
    'https://my-elb-123.us-east-1.elb.amazonaws.com/',
    'https://unknown-global.amazonaws.com/',
    'https://notamazonaws.com/',
  ])('leaves %s alone', (url) => {
    expect(parseEndpoint(url)).toBeUndefined()
  })

  it('refuses what is not a URL, naming the field', () => {
    let caught: unknown
    try {
      parseEndpoint('https://exa mple.com')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(InvalidInputError)
    expect((caught as InvalidInputError).field).toBe('url')
    expect(() => parseEndpoint(42 as unknown as string)).toThrow(InvalidInputError)
  })
})
