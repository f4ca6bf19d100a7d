/**
 * Freezes a value in place, deeply. Returns false when the value holds something freezing cannot
 * protect (Date, Map, Set, typed arrays keep mutable internal state), so the caller copies instead.
 */
export function deepFreeze(value: unknown, seen = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return true;
  if (value instanceof Date || value instanceof Map || value instanceof Set || ArrayBuffer.isView(value)) return false;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    if (!deepFreeze((value as Record<string | symbol, unknown>)[key], seen)) return false;
  }
  Object.freeze(value);
  return true;
}
