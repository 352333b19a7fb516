// How error messages name a value's type: `null`, `array`, a class name, or `typeof`.

/** `null`, `array`, the constructor's name for objects (`Headers`, `Object`), else `typeof value`. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object'
  return typeof value
}
