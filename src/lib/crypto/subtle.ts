// WebCrypto's SubtleCrypto for the WebCrypto backends, looked up when needed: where the runtime has none
// (React Native's Hermes, a plain-HTTP page), a typed error that says what to install instead of a TypeError.
import { UnsupportedRuntimeError } from '../../errors.js'

export function subtle(): SubtleCrypto {
  const found = (globalThis.crypto as Crypto | undefined)?.subtle
  if (found === undefined) {
    throw new UnsupportedRuntimeError(
      'crypto.subtle',
      'install a WebCrypto polyfill (React Native: react-native-quick-crypto) or serve the page over HTTPS',
    )
  }
  return found
}
