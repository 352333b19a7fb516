// The type of the `#crypto-ecdsa` import: the backend interface, not one backend. tsc resolves
// `#crypto-ecdsa` here; at run time it is ecdsa.node.ts or ecdsa-web.ts by condition.
import type { EcdsaBackend } from './ecdsa-types.js'

export declare const hmacSha256: EcdsaBackend['hmacSha256']
export declare const keyPairFromScalar: EcdsaBackend['keyPairFromScalar']
export declare const publicKeyFromPoint: EcdsaBackend['publicKeyFromPoint']
export declare const signDerHex: EcdsaBackend['signDerHex']
export declare const verifyDer: EcdsaBackend['verifyDer']
