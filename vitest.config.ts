import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const backend = (file: string) => fileURLToPath(new URL(`./src/lib/crypto/${file}.ts`, import.meta.url))
const BACKENDS = {
  node: ['crypto.node', 'ecdsa.node'],
  web: ['web', 'ecdsa-web'],
  pure: ['pure', 'ecdsa-web'],
} as const
const aliases = (name: keyof typeof BACKENDS) => ({
  '#crypto': backend(BACKENDS[name][0]),
  '#crypto-ecdsa': backend(BACKENDS[name][1]),
})

// Tests mirror the source: test/<subpath>/. Every test runs with the node:crypto backend; the tests of the
// universal modules (the folders below) run again with the WebCrypto backend that browsers and workers
// get, so both pass the same suites. `*.node.test.ts` files (integration against Node-only tools, the
// node:crypto backend itself) run once. They run a third time on the plain-JavaScript backend that the
// `react-native` condition selects (whose ECDSA is WebCrypto's, as there).
const UNIVERSAL = ['sign', 'sigv4a', 'chunked', 'event-stream', 'verify', 'lib']

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: aliases('node') },
        test: { name: 'node-crypto', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias: aliases('web') },
        test: {
          name: 'webcrypto',
          include: UNIVERSAL.map((folder) => `test/${folder}/**/*.test.ts`),
          exclude: ['**/*.node.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias: aliases('pure') },
        test: {
          name: 'pure-js',
          include: UNIVERSAL.map((folder) => `test/${folder}/**/*.test.ts`),
          exclude: ['**/*.node.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
    ],
  },
})
