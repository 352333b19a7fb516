// awsig/sigv4a: Signature Version 4a (ECDSA P-256, region sets), reachable only from this subpath so that
// `awsig` alone never bundles it.
export { UnsupportedRuntimeError } from '../errors.js'
export { sigv4a } from './algorithm.js'
export { type PublicKeyForOptions, publicKeyFor, type Sigv4aPublicKey, verifyWithPublicKey } from './public-key.js'
