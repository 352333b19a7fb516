import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const backend = (name: string) => fileURLToPath(new URL(`./src/lib/crypto/${name}.ts`, import.meta.url))

// Every test runs with the node:crypto backend; the signing tests run again with the WebCrypto
// backend that browsers and workers get, so both pass the same suites.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { '#crypto': backend('node') } },
        test: { name: 'node-crypto', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias: { '#crypto': backend('web') } },
        test: {
          name: 'webcrypto',
          include: [
            'test/vectors.test.ts',
            'test/sign.test.ts',
            'test/chunked-vectors.test.ts',
            'test/chunked.test.ts',
            'test/checksum.test.ts',
          ],
        },
      },
    ],
  },
})
