// AWS error parsing on recorded error responses of every protocol, and on truncated, malformed and
// foreign bodies; the protocol helpers and the small XML reader.
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  AwsError,
  explainSignatureMismatch,
  parseAwsError,
  readAwsError,
  retryAfterMs,
} from '../../src/client/index.js'
import { InvalidInputError } from '../../src/index.js'
import {
  awsJson,
  awsQuery,
  encodeRfc3986,
  greedy,
  queryString,
  restJson,
  restXml,
  uriPath,
  xml,
  xmlElements,
  xmlText,
  xmlTexts,
} from '../../src/protocols/index.js'

// Error responses as the services send them (bodies from the services' API references and from
// responses recorded against AWS; ids shortened).
const recorded = {
  s3NoSuchKey: {
    status: 404,
    headers: {
      'content-type': 'application/xml',
      'x-amz-request-id': '4442587FB7D0A2F9',
      'x-amz-id-2': 'vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=',
    },
    body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>photos/a b.jpg</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=</HostId></Error>',
  },
  s3Redirect: {
    status: 301,
    headers: { 'x-amz-bucket-region': 'eu-west-1', 'x-amz-request-id': 'R301' },
    body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>examplebucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>examplebucket</Bucket><RequestId>R301</RequestId><HostId>H</HostId></Error>',
  },
  iamNoSuchEntity: {
    status: 404,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': '9c8e7c4f-1f2b-4a5d-8b1e-0123456789ab' },
    body: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>NoSuchEntity</Code>\n    <Message>The user with name bob cannot be found.</Message>\n  </Error>\n  <RequestId>9c8e7c4f-1f2b-4a5d-8b1e-0123456789ab</RequestId>\n</ErrorResponse>\n',
  },
  stsExpired: {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>b0a1b2c3-d4e5-f6a7-b8c9-d0e1f2a3b4c5</RequestId></ErrorResponse>',
  },
  ec2: {
    status: 400,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID \'i-1a2b3c4d\' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>',
  },
  dynamodb: {
    status: 400,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-RequestId': 'KHCMQ9JU1KEIJ4J8UD7CK1PEN3VV4KQNSO5AEMVJF66Q9ASUAAJG',
    },
    body: '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}',
  },
  kms: {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'k1' },
    body: '{"__type":"NotFoundException","message":"Key \'arn:aws:kms:us-east-1:111122223333:key/1234abcd\' does not exist"}',
  },
  secretsManager: {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 's1' },
    body: '{"__type":"ResourceNotFoundException","Message":"Secrets Manager can\'t find the specified secret."}',
  },
  lambda: {
    status: 404,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awslambda/',
      'x-amzn-requestid': 'l1',
    },
    body: '{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:111122223333:function:nope"}',
  },
  apiGateway: {
    status: 404,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'NotFoundException', 'x-amzn-RequestId': 'a1' },
    body: '{"message":"Invalid API identifier specified 111122223333:abc"}',
  },
  glacier: {
    status: 404,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'g1' },
    body: '{"code":"ResourceNotFoundException","message":"Vault not found for ARN: arn:aws:glacier:us-east-1:111122223333:vaults/x","type":"Client"}',
  },
  sqsQueryCompatible: {
    status: 400,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      'x-amzn-requestid': 'q1',
    },
    body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}',
  },
  // A query-protocol service asked for JSON (`Accept: application/json`), as in aws/aws-cli#5447.
  stsJson: {
    status: 403,
    headers: { 'content-type': 'application/json' },
    body: '{"Error":{"Code":"SignatureDoesNotMatch","Message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.","Type":"Sender"},"RequestId":"1e370b71-d40f-4ac4-9c08-7e6a304ddd12"}',
  },
} as const

describe('parseAwsError on recorded error responses', () => {
  it.for([
    ['S3 REST-XML', recorded.s3NoSuchKey, 'NoSuchKey', 'The specified key does not exist.', '4442587FB7D0A2F9'],
    ['S3 301', recorded.s3Redirect, 'PermanentRedirect', /must be addressed using the specified endpoint/, 'R301'],
    [
      'IAM query',
      recorded.iamNoSuchEntity,
      'NoSuchEntity',
      'The user with name bob cannot be found.',
      '9c8e7c4f-1f2b-4a5d-8b1e-0123456789ab',
    ],
    [
      'STS query',
      recorded.stsExpired,
      'ExpiredToken',
      'The security token included in the request is expired',
      'b0a1b2c3-d4e5-f6a7-b8c9-d0e1f2a3b4c5',
    ],
    [
      'EC2',
      recorded.ec2,
      'InvalidInstanceID.NotFound',
      "The instance ID 'i-1a2b3c4d' does not exist",
      'ea966190-f9aa-478e-9ede-example',
    ],
    [
      'JSON 1.0 __type with namespace',
      recorded.dynamodb,
      'ResourceNotFoundException',
      'Requested resource not found',
      'KHCMQ9JU1KEIJ4J8UD7CK1PEN3VV4KQNSO5AEMVJF66Q9ASUAAJG',
    ],
    ['JSON 1.1', recorded.kms, 'NotFoundException', /^Key 'arn:aws:kms/, 'k1'],
    [
      'JSON 1.1 with Message',
      recorded.secretsManager,
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
      's1',
    ],
    ['REST-JSON x-amzn-errortype', recorded.lambda, 'ResourceNotFoundException', /^Function not found/, 'l1'],
    ['REST-JSON, header in mixed case', recorded.apiGateway, 'NotFoundException', /^Invalid API identifier/, 'a1'],
    ['REST-JSON code field', recorded.glacier, 'ResourceNotFoundException', /^Vault not found/, 'g1'],
    [
      'JSON, query-compatible',
      recorded.sqsQueryCompatible,
      'QueueDoesNotExist',
      'The specified queue does not exist.',
      'q1',
    ],
    [
      'JSON from a query service (Accept: application/json)',
      recorded.stsJson,
      'SignatureDoesNotMatch',
      /^The request signature we calculated does not match/,
      '1e370b71-d40f-4ac4-9c08-7e6a304ddd12',
    ],
  ] as const)('%s', ([, response, code, message, requestId]) => {
    const error = parseAwsError(response)
    expect(error).toBeInstanceOf(AwsError)
    expect(error.code).toBe('ERR_AWS')
    expect(error.status).toBe(response.status)
    expect(error.awsCode).toBe(code)
    if (typeof message === 'string') expect(error.awsMessage).toBe(message)
    else expect(error.awsMessage).toMatch(message)
    expect(error.requestId).toBe(requestId)
    expect(error.body).toBe(response.body)
  })

  it('keeps the fault side of a query service answering in JSON', () => {
    expect(parseAwsError(recorded.stsJson).fault).toBe('Sender')
  })

  it('keeps the fault side, the S3 host id and the response headers', () => {
    expect(parseAwsError(recorded.iamNoSuchEntity).fault).toBe('Sender')
    expect(parseAwsError(recorded.sqsQueryCompatible).fault).toBe('Sender')
    const s3 = parseAwsError(recorded.s3NoSuchKey)
    expect(s3.extendedRequestId).toMatch(/^vlR7/)
    expect(s3.headers['x-amz-request-id']).toBe('4442587FB7D0A2F9')
    expect(parseAwsError(recorded.s3Redirect).headers['x-amz-bucket-region']).toBe('eu-west-1')
  })

  it('reads bodies given as bytes, and headers as Headers, node:http records or arrays', () => {
    const bytes = new TextEncoder().encode(recorded.dynamodb.body)
    expect(parseAwsError({ status: 400, body: bytes }).awsCode).toBe('ResourceNotFoundException')
    expect(parseAwsError({ status: 400, body: bytes.buffer as ArrayBuffer }).awsCode).toBe('ResourceNotFoundException')
    const headers = new Headers({ 'x-amzn-errortype': 'ValidationException:http://x/', 'x-amzn-requestid': 'h1' })
    expect(parseAwsError({ status: 400, headers, body: '{"message":"bad"}' })).toMatchObject({
      awsCode: 'ValidationException',
      awsMessage: 'bad',
      requestId: 'h1',
    })
    const node = parseAwsError({ status: 503, headers: { 'retry-after': '2', 'set-cookie': ['a=1', 'b=2'] }, body: '' })
    expect(node.retryAfter).toBe(2000)
    expect(node.headers['set-cookie']).toBe('a=1, b=2')
  })
})

describe('parseAwsError on bodies that are empty, cut off or not AWS errors', () => {
  it('names the error from the status when there is no body (S3 HEAD)', () => {
    for (const [status, code] of [
      [404, 'NotFound'],
      [403, 'Forbidden'],
      [412, 'PreconditionFailed'],
      [503, 'ServiceUnavailable'],
      [418, 'Http418'],
    ] as const) {
      const error = parseAwsError({ status, statusText: 'Status', headers: { 'x-amz-request-id': 'HEAD1' }, body: '' })
      expect(error.awsCode).toBe(code)
      expect(error.awsMessage).toBe(`HTTP ${status} Status with no body`)
      expect(error.requestId).toBe('HEAD1')
      expect(error.body).toBeUndefined()
    }
  })

  it('reads what arrived of a truncated XML or JSON body', () => {
    const xmlCut = parseAwsError({ status: 503, body: '<Error><Code>SlowDown</Code><Message>Please reduce your req' })
    expect(xmlCut.awsCode).toBe('SlowDown')
    expect(xmlCut.awsMessage).toBe('(no message)')
    const jsonCut = parseAwsError({
      status: 400,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput.","extra":"cut he',
    })
    expect(jsonCut.awsCode).toBe('ThrottlingException')
    expect(jsonCut.awsMessage).toBe('Rate of requests exceeds the allowed throughput.')
    const escaped = parseAwsError({ status: 400, body: '{"__type":"X","message":"say \\"hi\\" \\u00e9' })
    expect(escaped.awsCode).toBe('X')
  })

  it('falls back to the status for malformed JSON, HTML from a proxy, plain text', () => {
    const malformed = parseAwsError({ status: 500, body: '{not json at all' })
    expect(malformed.awsCode).toBe('InternalError')
    expect(malformed.awsMessage).toContain('{not json at all')
    const html = parseAwsError({
      status: 502,
      statusText: 'Bad Gateway',
      body: `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(500)}</body></html>`,
    })
    expect(html.awsCode).toBe('BadGateway')
    expect(html.awsMessage).toMatch(/^HTTP 502 Bad Gateway with a body that is not an AWS error: <html>/)
    expect(html.awsMessage.length).toBeLessThan(300)
    expect(parseAwsError({ status: 429, body: 'Too Many Requests' }).awsCode).toBe('TooManyRequests')
    expect(parseAwsError({ status: 500, body: '[1,2]' }).awsCode).toBe('InternalError')
    expect(parseAwsError({ status: 500, body: 'null' }).awsCode).toBe('InternalError')
  })

  it('decodes entities and CDATA, and keeps at most 64 KiB of body', () => {
    const error = parseAwsError({
      status: 400,
      body: '<Error><Code>InvalidArgument</Code><Message>Key &lt;a&amp;b&gt; &#x263A; &#233; <![CDATA[&raw<]]></Message></Error>',
    })
    expect(error.awsMessage).toBe('Key <a&b> ☺ é &raw<')
    const huge = parseAwsError({ status: 500, body: `<Error><Code>InternalError</Code></Error>${' '.repeat(200_000)}` })
    expect(huge.body?.length).toBe(64 * 1024)
  })

  it('redacts the signature and session token of a presigned URL', () => {
    const error = parseAwsError(recorded.s3NoSuchKey, {
      method: 'GET',
      url: 'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=abcdef',
    })
    expect(error.url).toBe(
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=[redacted]&X-Amz-Signature=[redacted]',
    )
    expect(error.message).not.toContain('SECRETTOKEN')
    expect(error.message).not.toContain('abcdef')
  })

  it('redacts the session token from a SignatureDoesNotMatch body, hex bytes included', () => {
    const token = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN'
    const canonical = `GET\n/key\n\nhost:b.s3.amazonaws.com\nx-amz-security-token:${token}\n\nhost;x-amz-security-token\nUNSIGNED-PAYLOAD`
    const toSign = 'AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\nabc'
    const hex = (text: string) =>
      [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><AWSAccessKeyId>ASIAEXAMPLE</AWSAccessKeyId><StringToSign>${toSign}</StringToSign><SignatureProvided>abc</SignatureProvided><StringToSignBytes>${hex(toSign)}</StringToSignBytes><CanonicalRequest>${canonical}</CanonicalRequest><CanonicalRequestBytes>${hex(canonical)}</CanonicalRequestBytes><RequestId>R</RequestId></Error>`
    const error = parseAwsError({ status: 403, body })
    expect(error.awsCode).toBe('SignatureDoesNotMatch')
    expect(error.body).toContain('<CanonicalRequestBytes>[redacted]</CanonicalRequestBytes>')
    expect(error.body).toContain('<StringToSignBytes>[redacted]</StringToSignBytes>')
    expect(error.body).toContain('<RequestId>R</RequestId>')
    expect(error.canonicalRequest).toContain('x-amz-security-token:[redacted]')
    // No trace of the token as text or as hex bytes, even when the body is cut off inside the bytes.
    const tokenHex = hex(token).slice(0, 30)
    for (const text of [body, body.slice(0, body.indexOf('</CanonicalRequestBytes>'))]) {
      const cut = parseAwsError({ status: 403, body: text })
      expect(cut.body).not.toContain(token)
      expect(cut.body).not.toContain(tokenHex)
      expect(inspect(cut)).not.toContain(tokenHex)
    }
  })

  it("redacts a presigned URL's signature from both canonical requests and their diff (a presigned URL sent signed)", () => {
    const signature = 'f00df00df00df00df00df00df00df00df00df00df00df00df00df00df00df00d'
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=60&X-Amz-Signature=${signature}&X-Amz-SignedHeaders=host`
    const ours = `GET\n/key\n${query}\nhost:b.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD`
    const theirs = `GET\n/key\n${query}\nhost:b.s3.amazonaws.com:443\n\nhost\nUNSIGNED-PAYLOAD`
    const body = `<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message><CanonicalRequest>${theirs}</CanonicalRequest></Error>`
    const error = parseAwsError({ status: 403, body }, { signed: { canonicalRequest: ours, stringToSign: 's' } })
    expect(error.signatureDiff).toContain('+ host:b.s3.amazonaws.com:443')
    expect(error.signatureDiff).toContain('X-Amz-Signature=[redacted]')
    expect(error.canonicalRequest).toContain('X-Amz-Signature=[redacted]')
    for (const view of [inspect(error, { depth: 5 }), JSON.stringify(error), String(error.stack)]) {
      expect(view).not.toContain(signature)
    }
  })

  it('parses only the 64 KiB it keeps of a huge body given whole', () => {
    // 660 KB of unclosed tags: parsed whole, the lenient XML reader took seconds on it.
    const started = performance.now()
    const error = parseAwsError({ status: 502, body: '<Code>'.repeat(110_000) })
    expect(performance.now() - started).toBeLessThan(1500)
    expect(error.awsCode).toBe('BadGateway')
    expect(error.body).toHaveLength(64 * 1024)
  })

  it('readAwsError reads a Response, and reports a body cut off mid-read', async () => {
    const error = await readAwsError(
      new Response(recorded.dynamodb.body, { status: 400, headers: recorded.dynamodb.headers }),
    )
    expect(error.awsCode).toBe('ResourceNotFoundException')
    const broken = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('<Error><Code>Intern'))
        controller.error(new Error('socket hang up'))
      },
    })
    const cut = await readAwsError(new Response(broken, { status: 500 }))
    expect(cut.awsCode).toBe('InternalError')
    expect((cut.cause as Error).message).toBe('socket hang up')
  })
})

describe('retryAfterMs', () => {
  it('reads seconds, HTTP dates (against the Date header) and x-amz-retry-after', () => {
    expect(retryAfterMs({ 'retry-after': '5' })).toBe(5000)
    expect(retryAfterMs({ 'Retry-After': ' 0 ' })).toBe(0)
    expect(retryAfterMs({ 'x-amz-retry-after': '250', 'retry-after': '9' })).toBe(250)
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT'
    expect(retryAfterMs({ 'retry-after': date, date: 'Wed, 21 Oct 2015 07:27:30 GMT' })).toBe(30_000)
    expect(retryAfterMs({ 'retry-after': date }, Date.parse(date) - 10_000)).toBe(10_000)
    expect(retryAfterMs({ 'retry-after': date }, Date.parse(date) + 10_000)).toBe(0)
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined()
    expect(retryAfterMs({})).toBeUndefined()
  })
})

describe('explainSignatureMismatch', () => {
  const ours = {
    canonicalRequest: 'GET\n/a%20b\n\nhost:h\nx-amz-date:20240101T000000Z\n\nhost;x-amz-date\nUNSIGNED-PAYLOAD',
    stringToSign: 'AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\nabc',
  }
  it('diffs canonical requests line by line, quoting invisible differences', () => {
    const diff = explainSignatureMismatch(ours, {
      canonicalRequest: ours.canonicalRequest.replace('host:h', 'host:h ').replace('/a%20b', '/a+b'),
    })
    expect(diff).toContain('  - /a%20b\n  + /a+b')
    expect(diff).toContain('  + "host:h "')
    expect(diff).toContain('    GET')
  })
  it('falls back to the string to sign, then to the secret', () => {
    expect(
      explainSignatureMismatch(ours, {
        canonicalRequest: ours.canonicalRequest,
        stringToSign: ours.stringToSign.replace('us-east-1', 'us-west-2'),
      }),
    ).toMatch(/string to sign[\s\S]*- 20240101\/us-east-1[\s\S]*\+ 20240101\/us-west-2/)
    expect(explainSignatureMismatch(ours, { ...ours })).toMatch(/secret access key/)
    expect(explainSignatureMismatch(ours, {})).toBeUndefined()
  })
})

describe('protocol helpers', () => {
  it('awsJson: X-Amz-Target and the JSON 1.0/1.1 content type', () => {
    expect(awsJson('DynamoDB_20120810.GetItem', { TableName: 't' })).toEqual({
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: '{"TableName":"t"}',
    })
    expect(awsJson('TrentService.ListKeys', undefined, { version: '1.1' })).toMatchObject({
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    })
    expect(() => awsJson('GetItem')).toThrow(InvalidInputError)
  })

  it('awsQuery: Action, Version and form encoding as botocore writes it', () => {
    const request = awsQuery('CreateTopic', '2010-03-31', {
      Name: 'a b*c~d',
      'Attributes.entry.1.key': 'DisplayName',
      'Attributes.entry.1.value': "It's (50%) off!",
      Skipped: undefined,
      Count: 3,
    })
    expect(request.method).toBe('POST')
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8')
    expect(request.body).toBe(
      'Action=CreateTopic&Version=2010-03-31&Name=a+b%2Ac~d&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=It%27s+%2850%25%29+off%21&Count=3',
    )
    expect(() => awsQuery('ListUsers', 'latest')).toThrow(expect.objectContaining({ field: 'version' }))
  })

  it('queryString, uriPath and greedy labels', () => {
    expect(queryString({ 'list-type': 2, prefix: 'a b/', 'continuation-token': undefined, tag: ['x', 'y*'] })).toBe(
      '?list-type=2&prefix=a%20b%2F&tag=x&tag=y%2A',
    )
    expect(queryString({})).toBe('')
    expect(uriPath`/2015-03-31/functions/${'my fn/../x'}/invocations`).toBe(
      '/2015-03-31/functions/my%20fn%2F..%2Fx/invocations',
    )
    expect(uriPath`/${'bucket'}/${greedy("photos/2024/a b (1)'.jpg")}`).toBe(
      '/bucket/photos/2024/a%20b%20%281%29%27.jpg',
    )
    expect(encodeRfc3986("!'()*~-_.")).toBe('%21%27%28%29%2A~-_.')
  })

  it('restJson and restXml', () => {
    expect(restJson('POST', { a: 1 })).toEqual({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    expect(restJson('GET')).toEqual({ method: 'GET', headers: {} })
    expect(restXml('PUT', xml`<A>${'<&>'}</A>`, { 'content-md5': 'x' })).toEqual({
      method: 'PUT',
      headers: { 'content-md5': 'x', 'content-type': 'application/xml' },
      body: '<A>&lt;&amp;&gt;</A>',
    })
  })

  it('restJson and restXml keep a content type given in any case (`Content-Type`, as the AWS docs write it)', () => {
    expect(restJson('POST', { a: 1 }, { 'Content-Type': 'application/x-amz-json-1.1' }).headers).toEqual({
      'Content-Type': 'application/x-amz-json-1.1',
    })
    expect(restXml('PUT', '<A/>', { 'CONTENT-TYPE': 'text/xml' }).headers).toEqual({ 'CONTENT-TYPE': 'text/xml' })
  })
})

describe('xml', () => {
  it('escapes values and composes fragments', () => {
    const parts = [1, 2].map((n) => xml`<Part><PartNumber>${n}</PartNumber><ETag>${`"etag${n}"`}</ETag></Part>`)
    expect(String(xml`<CompleteMultipartUpload>${parts}${null}</CompleteMultipartUpload>`)).toBe(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;etag1&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;etag2&quot;</ETag></Part></CompleteMultipartUpload>',
    )
  })

  it('reads elements with namespaces, attributes and empty forms', () => {
    const doc =
      '<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Contents><Key>a &amp; b</Key><Size>1</Size></Contents><Contents><Key>c</Key><Size>2</Size></Contents><s3:Owner xmlns:s3="x"><ID id="1">me</ID></s3:Owner><Empty/><IsTruncated>false</IsTruncated></ListBucketResult>'
    expect(xmlTexts(doc, 'Key')).toEqual(['a & b', 'c'])
    expect(xmlElements(doc, 'Contents').map((c) => xmlText(c, 'Size'))).toEqual(['1', '2'])
    expect(xmlText(doc, 'ID')).toBe('me')
    expect(xmlText(doc, 'Owner')).toBe('<ID id="1">me</ID>')
    expect(xmlText(doc, 'Empty')).toBe('')
    expect(xmlText(doc, 'Missing')).toBeUndefined()
    expect(xmlText(doc, 'Name')).toBe('b')
    expect(() => xmlText(doc, 'a b')).toThrow(TypeError)
  })
})
