/**
 * Freezes a value in place, deeply, or not at all. Returns false, changing nothing, when the
 * value holds something freezing cannot protect (Date, Map, Set, typed arrays keep mutable
 * internal state), so the caller copies instead.
 */
export function deepFreeze(value: unknown): boolean {
  const objects = new Set<object>();
  if (!collectFreezable(value, objects)) return false;
  // Only now: a Date met halfway must not leave the objects walked before it frozen.
  for (const object of objects) Object.freeze(object);
  return true;
}

// Every object reachable from `value`, into `objects`; false at the first one freezing cannot protect.
function collectFreezable(value: unknown, objects: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || objects.has(value)) return true;
  if (value instanceof Date || value instanceof Map || value instanceof Set || ArrayBuffer.isView(value)) return false;
  objects.add(value);
  for (const key of Reflect.ownKeys(value)) {
    if (!collectFreezable((value as Record<string | symbol, unknown>)[key], objects)) return false;
  }
  return true;
}
