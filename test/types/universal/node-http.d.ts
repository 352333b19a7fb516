// For tsconfig.universal.json only: src/client/transport.node.ts is Node-only, but tsc follows the
// dynamic import that universal transport.ts loads it with (only on runtimes that have node:http), and
// it names node:http's types. They are opaque here; the full Node types check it in tsconfig.build.json.
// biome-ignore-all lint/suspicious/noExplicitAny: opaque stand-ins, checked for real where Node types exist
declare module 'node:http' {
  export type Agent = unknown
  export type ClientRequest = any
  export type IncomingMessage = any
  export type RequestOptions = any
}
