// The type of the `#crypto` import: the backend interface, not one backend. tsc resolves `#crypto` here
// (tsconfig paths, package.json `imports` types); at run time it is crypto.node.ts or web.ts by condition.
import type { CryptoBackend } from './types.js'

export declare const sha256Hex: CryptoBackend['sha256Hex']
export declare const deriveSigningKey: CryptoBackend['deriveSigningKey']
export declare const hmacHex: CryptoBackend['hmacHex']
export declare const hmacHexWith: CryptoBackend['hmacHexWith']
export declare const createHash: CryptoBackend['createHash']
export declare const nativeCrc32: CryptoBackend['nativeCrc32']
