// awsig/protocols: request builders for AWS's wire protocols (JSON, query, REST-JSON, REST-XML), REST
// path and query encoding, and the XML reader and writer, to spread into `client.fetch` or any fetch.

export { type XmlFragment, xml, xmlElements, xmlText, xmlTexts } from '../lib/xml.js'
export {
  awsJson,
  awsQuery,
  encodeRfc3986,
  type GreedyLabel,
  greedy,
  type ProtocolRequest,
  type QueryParams,
  queryString,
  restJson,
  restXml,
  uriPath,
} from './builders.js'
