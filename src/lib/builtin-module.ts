// Node's built-in modules without a static `node:` import: `process.getBuiltinModule` exists in Node
// 20.16+, Deno 2 and Bun, and nowhere else (browsers, Workers without nodejs_compat), where this says so.
export type GetBuiltinModule = (id: string) => unknown

/** `process.getBuiltinModule`, or `undefined` in a runtime without it. */
export function builtinModuleLoader(): GetBuiltinModule | undefined {
  const load = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process?.getBuiltinModule
  return typeof load === 'function' ? load : undefined
}
