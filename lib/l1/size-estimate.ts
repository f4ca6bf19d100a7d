// Rough V8 costs, in bytes: what a value holds beyond its contents (header, hidden class, slots).
const OBJECT_BYTES = 32;
const SLOT_BYTES = 8;
const STRING_BYTES = 16;

/**
 * A rough in-memory size of a value, for L1 entries whose serialized length is unknown; taken once
 * at insert. Strings count two bytes per character (the worst case of V8's two encodings).
 * @example estimateBytes({ name: 'Lamp' }) // about 100
 */
export function estimateBytes(value: unknown, seen = new Set<object>()): number {
  switch (typeof value) {
    case 'string':
      return STRING_BYTES + value.length * 2;
    case 'bigint':
      return STRING_BYTES + Math.ceil(value.toString(16).length / 2);
    case 'object':
      return value === null ? SLOT_BYTES : objectBytes(value, seen);
    default:
      return SLOT_BYTES; // numbers, booleans, undefined, symbols, functions (shared, not owned)
  }
}

function objectBytes(value: object, seen: Set<object>): number {
  if (seen.has(value)) return SLOT_BYTES;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return OBJECT_BYTES + value.byteLength;
  if (value instanceof ArrayBuffer) return OBJECT_BYTES + value.byteLength;
  if (value instanceof Date) return OBJECT_BYTES;
  let bytes = OBJECT_BYTES;
  if (value instanceof Map) {
    for (const [k, v] of value) bytes += SLOT_BYTES * 2 + estimateBytes(k, seen) + estimateBytes(v, seen);
    return bytes;
  }
  if (value instanceof Set) {
    for (const item of value) bytes += SLOT_BYTES + estimateBytes(item, seen);
    return bytes;
  }
  for (const key of Reflect.ownKeys(value)) {
    const item = (value as Record<string | symbol, unknown>)[key];
    // Array indices are slots, not strings; other keys are (interned) strings held by the shape.
    const keyBytes = Array.isArray(value) || typeof key === 'symbol' ? 0 : estimateBytes(key, seen);
    bytes += SLOT_BYTES + keyBytes + estimateBytes(item, seen);
  }
  return bytes;
}
