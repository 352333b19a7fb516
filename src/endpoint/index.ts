// parseEndpoint: read the signing name and region out of a standard AWS hostname, for callers who ask.
// Pure and universal; signing itself never guesses (service and region stay arguments of `sign`).
import { InvalidInputError } from '../errors.js'

/** AWS partitions, by the DNS suffix and region names they use. */
export type Partition =
  | 'aws'
  | 'aws-cn'
  | 'aws-us-gov'
  | 'aws-iso'
  | 'aws-iso-b'
  | 'aws-iso-e'
  | 'aws-iso-f'
  | 'aws-eusc'

/** What a standard AWS hostname says about the request to sign. */
export interface ParsedEndpoint {
  /** Signing name (the `service` option of `sign`): `s3`, `sqs`, `ses` for `email.*`, `iotdata` for `data-ats.iot.*`. */
  service: string
  /**
   * Signing region. A global endpoint gives the region it is signed for (`iam.amazonaws.com`:
   * `us-east-1`, `iam.us-gov.amazonaws.com`: `us-gov-west-1`). An S3 Multi-Region Access Point gives
   * `*`, the SigV4a region set that it needs.
   */
  region: string
  /** The partition the host belongs to. */
  partition: Partition
  /** A FIPS endpoint (`sqs-fips.us-east-1...`, `s3-fips.dualstack...`). */
  fips: boolean
  /** A dual-stack (IPv4 and IPv6) endpoint (`*.dualstack.*`, `*.api.aws`). */
  dualstack: boolean
  /** The region was not in the host but implied by a global endpoint (`sts.amazonaws.com`, `s3.amazonaws.com`). */
  global: boolean
  /** S3 (and S3 Express) bucket, from the host (virtual-hosted style) or the first path segment (path style). */
  bucket?: string
  /** How the bucket was addressed: `virtual` (in the host) or `path` (first path segment). */
  addressing?: 'virtual' | 'path'
  /** S3 access point (`name-123456789012.s3-accesspoint.region...`, Object Lambda and Outposts access points). */
  accessPoint?: string
  /** Account id, from an access point, Outposts or S3 Control host. */
  accountId?: string
  /** S3 on Outposts: the outpost id (`op-...`). */
  outpostId?: string
  /** S3 Express One Zone: the Availability Zone id (`usw2-az1`). */
  availabilityZoneId?: string
  /** An S3 Multi-Region Access Point (`alias.accesspoint.s3-global.amazonaws.com`): sign with SigV4a, region set `*`. */
  multiRegion?: boolean
}

// DNS suffixes, longest first, with the partition they belong to (the region refines aws/us-gov).
const SUFFIXES: readonly (readonly [string, Partition, boolean])[] = [
  ['api.amazonwebservices.com.cn', 'aws-cn', true],
  ['amazonaws.com.cn', 'aws-cn', false],
  ['amazonaws.com', 'aws', false],
  ['api.aws', 'aws', true],
  ['on.aws', 'aws', false],
  ['c2s.ic.gov', 'aws-iso', false],
  ['sc2s.sgov.gov', 'aws-iso-b', false],
  ['cloud.adc-e.uk', 'aws-iso-e', false],
  ['csp.hci.ic.gov', 'aws-iso-f', false],
  ['amazonaws.eu', 'aws-eusc', false],
]

// us-east-1, ap-southeast-4, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1.
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/
const ACCOUNT_SUFFIX = /^(.+)-(\d{12})$/

/** Endpoint prefixes whose signing name differs. */
const SIGNING_NAMES: Readonly<Record<string, string>> = {
  email: 'ses',
  queue: 'sqs',
  'appsync-api': 'appsync',
  'bedrock-runtime': 'bedrock',
  'bedrock-agent': 'bedrock',
  'bedrock-agent-runtime': 'bedrock',
  'aps-workspaces': 'aps',
  'lambda-url': 'lambda',
  'runtime-v2-lex': 'lex',
  's3-control': 's3',
  'sync-states': 'states',
  oidc: 'sso-oauth',
}

/** Global endpoints without a region in the host: `service label` -> [signing name, region]. */
const GLOBAL: Readonly<Record<string, Readonly<Record<string, readonly [string, string]>>>> = {
  aws: {
    iam: ['iam', 'us-east-1'],
    sts: ['sts', 'us-east-1'],
    route53: ['route53', 'us-east-1'],
    cloudfront: ['cloudfront', 'us-east-1'],
    waf: ['waf', 'us-east-1'],
    budgets: ['budgets', 'us-east-1'],
    importexport: ['importexport', 'us-east-1'],
    sdb: ['sdb', 'us-east-1'],
    s3: ['s3', 'us-east-1'],
    's3-external-1': ['s3', 'us-east-1'],
    sqs: ['sqs', 'us-east-1'],
    queue: ['sqs', 'us-east-1'],
    ec2: ['ec2', 'us-east-1'],
    'iam-fips': ['iam', 'us-east-1'],
    'route53-fips': ['route53', 'us-east-1'],
  },
  'aws-cn': { route53: ['route53', 'cn-northwest-1'] },
  'aws-us-gov': { iam: ['iam', 'us-gov-west-1'], route53: ['route53', 'us-gov-west-1'] },
}

/** Prefixes of the region label's hosts like `search-x.us-east-1.es.amazonaws.com`: the service comes after the region. */
const REGION_FIRST = new Set(['es', 'aoss', 'cloudsearch'])
const REGION_TAILS = new Set([...REGION_FIRST, 'vpce'])

function partitionOf(region: string, fallback: Partition): Partition {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('us-isob-')) return 'aws-iso-b'
  if (region.startsWith('us-isof-')) return 'aws-iso-f'
  if (region.startsWith('us-iso-')) return 'aws-iso'
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e'
  if (region.startsWith('eusc-')) return 'aws-eusc'
  return fallback
}

function toUrl(url: string | URL): URL {
  if (url instanceof URL) return url
  if (typeof url !== 'string') throw new InvalidInputError('url', `must be a string or URL, got ${typeof url}`)
  try {
    return new URL(url.includes('://') ? url : `https://${url}`)
  } catch (cause) {
    throw new InvalidInputError('url', 'is not a valid URL', { cause })
  }
}

/** First path segment as the path-style bucket, when there is one. */
function pathBucket(url: URL): string | undefined {
  const segment = url.pathname.split('/')[1]
  if (segment === undefined || segment === '') return undefined
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/**
 * Reads the signing name, region and partition from a standard AWS endpoint: `*.amazonaws.com`,
 * `*.amazonaws.com.cn`, `*.api.aws` (dual-stack), the ISO and EUSC partitions, S3 virtual-hosted and
 * path-style URLs (the bucket), legacy `s3-<region>` hosts, FIPS and dual-stack forms, S3 access points,
 * Object Lambda, Outposts, Multi-Region Access Points, S3 Express zonal endpoints and S3 Control, and the
 * global endpoints (`iam`, `sts`, `route53`, `cloudfront`, `s3` and others, with the region they sign for).
 *
 * Returns `undefined` for any other host (a custom endpoint, `localhost`, an IP address, S3 websites,
 * and S3 Transfer Acceleration, whose host does not name the bucket's region): pass service and region
 * yourself then. Nothing here is guessed from anything but the host and, for path-style S3, the path.
 *
 * @throws InvalidInputError (`url`) when `url` is not a URL. A bare host (`sqs.us-east-1.amazonaws.com`) is accepted.
 *
 * @example
 * parseEndpoint('https://my-bucket.s3.eu-west-1.amazonaws.com/photo.jpg')
 * // { service: 's3', region: 'eu-west-1', partition: 'aws', bucket: 'my-bucket', addressing: 'virtual', ... }
 * const { service, region } = parseEndpoint(url) ?? { service: 'execute-api', region: 'us-east-1' }
 */
export function parseEndpoint(url: string | URL): ParsedEndpoint | undefined {
  const parsed = toUrl(url)
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '')
  let suffix: (typeof SUFFIXES)[number] | undefined
  for (const candidate of SUFFIXES) {
    if (host.endsWith(`.${candidate[0]}`)) {
      suffix = candidate
      break
    }
  }
  if (suffix === undefined) return undefined
  const labels = host.slice(0, -suffix[0].length - 1).split('.')
  const [, basePartition, suffixDualstack] = suffix
  const result = (
    service: string,
    region: string,
    extra: Partial<ParsedEndpoint> & { fips?: boolean; dualstack?: boolean; global?: boolean } = {},
  ): ParsedEndpoint => ({
    service,
    region,
    partition: region === '*' ? basePartition : partitionOf(region, basePartition),
    ...extra,
    fips: extra.fips ?? false,
    dualstack: (extra.dualstack ?? false) || suffixDualstack,
    global: extra.global ?? false,
  })

  // Multi-Region Access Point: <alias>.accesspoint.s3-global.amazonaws.com, signed with SigV4a over `*`.
  if (labels.length >= 3 && labels.at(-1) === 's3-global' && labels.at(-2) === 'accesspoint') {
    return result('s3', '*', { accessPoint: labels.slice(0, -2).join('.'), multiRegion: true })
  }

  // The region is the last label, or the one before a known tail (`.es`, `.aoss`, `.cloudsearch`, `.vpce`):
  // bucket names elsewhere in the host may look like regions.
  let regionIndex = -1
  const n = labels.length
  if (REGION.test(labels[n - 1] as string)) regionIndex = n - 1
  else if (n >= 3 && REGION.test(labels[n - 2] as string) && REGION_TAILS.has(labels[n - 1] as string))
    regionIndex = n - 2

  if (regionIndex === -1) return parseRegionless(labels, basePartition, parsed, result)

  const region = labels[regionIndex] as string
  const after = labels.slice(regionIndex + 1)
  // <domain>.<region>.es / .aoss / .cloudsearch
  if (after.length === 1 && REGION_FIRST.has(after[0] as string) && regionIndex >= 1) {
    return result(after[0] as string, region)
  }
  // VPC endpoints: vpce-xxx.<service>.<region>.vpce.amazonaws.com
  if (after.length === 1 && after[0] === 'vpce' && regionIndex >= 2) {
    return serviceFromLabels(labels.slice(1, regionIndex), region, parsed, result)
  }
  if (after.length !== 0) return undefined
  return serviceFromLabels(labels.slice(0, regionIndex), region, parsed, result)
}

type Build = (
  service: string,
  region: string,
  extra?: Partial<ParsedEndpoint> & { fips?: boolean; dualstack?: boolean; global?: boolean },
) => ParsedEndpoint

/** `labels` are those before the region: `[...prefix, service]`, `[...bucket, 's3', 'dualstack']`, ... */
function serviceFromLabels(labels: string[], region: string, url: URL, build: Build): ParsedEndpoint | undefined {
  let dualstack = false
  if (labels.at(-1) === 'dualstack') {
    dualstack = true
    labels = labels.slice(0, -1)
  }
  let label = labels.at(-1)
  if (label === undefined || label === '') return undefined
  const prefix = labels.slice(0, -1)
  let fips = false
  if (label.endsWith('-fips')) {
    fips = true
    label = label.slice(0, -'-fips'.length)
  }
  const flags = { fips, dualstack }
  const s3 = parseS3(label, prefix, region, url, build, flags)
  if (s3 !== null) return s3
  if (label.startsWith('s3-website') || label === 's3-accelerate') return undefined
  // IoT data plane: data.iot, data-ats.iot, <id>-ats.iot
  if (label === 'iot' && prefix.length > 0) return build('iotdata', region, flags)
  return build(SIGNING_NAMES[label] ?? label, region, flags)
}

/** S3 and its relatives; `null` when the label is not S3's. */
function parseS3(
  label: string,
  prefix: string[],
  region: string,
  url: URL,
  build: Build,
  flags: { fips: boolean; dualstack: boolean },
): ParsedEndpoint | undefined | null {
  const virtual = prefix.join('.')
  switch (label) {
    case 's3': {
      if (virtual !== '') return build('s3', region, { ...flags, bucket: virtual, addressing: 'virtual' })
      const bucket = pathBucket(url)
      return build('s3', region, bucket === undefined ? flags : { ...flags, bucket, addressing: 'path' })
    }
    case 's3-accesspoint':
    case 's3-object-lambda': {
      const match = ACCOUNT_SUFFIX.exec(virtual)
      if (match === null) return undefined
      return build(label === 's3-accesspoint' ? 's3' : 's3-object-lambda', region, {
        ...flags,
        accessPoint: match[1] as string,
        accountId: match[2] as string,
      })
    }
    case 's3-outposts': {
      // <name>-<account>.op-<id>.s3-outposts.<region>
      const outpost = prefix.at(-1)
      const match = ACCOUNT_SUFFIX.exec(prefix.slice(0, -1).join('.'))
      if (outpost === undefined || !outpost.startsWith('op-') || match === null) return undefined
      return build('s3-outposts', region, {
        ...flags,
        accessPoint: match[1] as string,
        accountId: match[2] as string,
        outpostId: outpost,
      })
    }
    case 's3-control':
      return build('s3', region, /^\d{12}$/.test(virtual) ? { ...flags, accountId: virtual } : flags)
    case 's3express-control':
      return build('s3express', region, flags)
  }
  // S3 Express One Zone: <bucket>--<az>--x-s3.s3express-<az>.<region>
  if (label.startsWith('s3express-')) {
    const availabilityZoneId = label.slice('s3express-'.length)
    if (virtual === '') return build('s3express', region, { ...flags, availabilityZoneId })
    return build('s3express', region, { ...flags, availabilityZoneId, bucket: virtual, addressing: 'virtual' })
  }
  return null
}

/** Hosts with no region label: global endpoints and legacy `s3-<region>` hosts. */
function parseRegionless(labels: string[], partition: Partition, url: URL, build: Build): ParsedEndpoint | undefined {
  let last = labels.at(-1) as string
  let dualstack = false
  // iam.global.api.aws
  if (last === 'global' && labels.length >= 2) labels = labels.slice(0, -1)
  // iam.us-gov.amazonaws.com, route53.us-gov.amazonaws.com
  let table = GLOBAL[partition]
  if (last === 'us-gov' && labels.length >= 2) {
    table = GLOBAL['aws-us-gov']
    labels = labels.slice(0, -1)
  }
  if (labels.at(-1) === 'dualstack' && labels.length >= 2) {
    dualstack = true
    labels = labels.slice(0, -1)
  }
  last = labels.at(-1) as string
  const prefix = labels.slice(0, -1)
  // Legacy S3 hosts: s3-us-west-2, s3-fips-us-gov-west-1, bucket.s3-eu-west-1
  const legacy = /^s3-(fips-)?(.+)$/.exec(last)
  if (legacy !== null && REGION.test(legacy[2] as string)) {
    return (
      parseS3('s3', prefix, legacy[2] as string, url, build, { fips: legacy[1] !== undefined, dualstack }) ?? undefined
    )
  }
  const global = table?.[last]
  if (global === undefined) return undefined
  const [service, region] = global
  const fips = last.endsWith('-fips')
  if (service === 's3') {
    return (
      parseS3('s3', prefix, region, url, (s, r, extra) => build(s, r, { ...extra, global: true }), {
        fips,
        dualstack,
      }) ?? undefined
    )
  }
  if (prefix.length > 0) return undefined
  return build(service, region, { fips, dualstack, global: true })
}
