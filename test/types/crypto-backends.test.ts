// Type tests: the crypto backends implement the backend interfaces, and the `#crypto` and
// `#crypto-ecdsa` imports are typed by those interfaces (src/lib/crypto/backend.ts, ecdsa-backend.ts),
// so universal code cannot lean on one backend's synchronous answers. Checked by `npm run typecheck`.
import { describe, expect, expectTypeOf, it } from 'vitest'
import type * as declared from '../../src/lib/crypto/backend.js'
import * as node from '../../src/lib/crypto/crypto.node.js'
import * as ecdsaNode from '../../src/lib/crypto/ecdsa.node.js'
import type * as declaredEcdsa from '../../src/lib/crypto/ecdsa-backend.js'
import type { EcdsaBackend } from '../../src/lib/crypto/ecdsa-types.js'
import * as ecdsaWeb from '../../src/lib/crypto/ecdsa-web.js'
import * as pure from '../../src/lib/crypto/pure.js'
import type { CryptoBackend } from '../../src/lib/crypto/types.js'
import * as web from '../../src/lib/crypto/web.js'

describe('crypto backends', () => {
  it('crypto.node.ts, web.ts and pure.ts are each a CryptoBackend', () => {
    expectTypeOf(node).toExtend<CryptoBackend>()
    expectTypeOf(web).toExtend<CryptoBackend>()
    expectTypeOf(pure).toExtend<CryptoBackend>()
    // Nothing more than the interface: an extra export would be reachable through one backend only.
    expect(Object.keys(node).sort()).toEqual(Object.keys(web).sort())
    expect(Object.keys(pure).sort()).toEqual(Object.keys(web).sort())
  })

  it('ecdsa.node.ts and ecdsa-web.ts are each an EcdsaBackend', () => {
    expectTypeOf(ecdsaNode).toExtend<EcdsaBackend>()
    expectTypeOf(ecdsaWeb).toExtend<EcdsaBackend>()
    expect(Object.keys(ecdsaNode).sort()).toEqual(Object.keys(ecdsaWeb).sort())
  })

  it('#crypto and #crypto-ecdsa are typed by exactly the interfaces', () => {
    // Each way round: no member missing, none added. `import('#crypto')` is what tsc resolves it to.
    expectTypeOf<typeof declared>().toExtend<CryptoBackend>()
    expectTypeOf<CryptoBackend>().toExtend<typeof declared>()
    expectTypeOf<typeof import('#crypto')>().toEqualTypeOf<typeof declared>()
    expectTypeOf<typeof declaredEcdsa>().toExtend<EcdsaBackend>()
    expectTypeOf<EcdsaBackend>().toExtend<typeof declaredEcdsa>()
    expectTypeOf<typeof import('#crypto-ecdsa')>().toEqualTypeOf<typeof declaredEcdsa>()
  })
})
