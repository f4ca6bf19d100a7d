import { deserialize, serialize } from 'node:v8';
import { CacheSerializer } from './serializer.interface.js';

/**
 * The default serializer: Node's structured-clone format. It round-trips Date, Map, Set, BigInt,
 * typed arrays, undefined, NaN and -0 with no dependency, and decodes into plain objects (own
 * properties only, so a `__proto__` key cannot reach Object.prototype). Class instances come back
 * as plain objects, as with JSON. Payloads written by a newer Node may not decode on an older
 * one: they then count as misses and are overwritten.
 * @example CacheKitModule.forRoot({ serializer: v8Serializer })
 */
export const v8Serializer: CacheSerializer = {
  encode: (value) => serialize(value),
  decode: (payload) => deserialize(payload),
};

/** Finds the first part of a value the structured-clone format rejects, for an error that says where. */
export function findUnserializable(
  value: unknown,
  path = 'result',
  seen = new Set<object>(),
): { path: string; what: string } | undefined {
  if (typeof value === 'function') return { path, what: 'a function' };
  if (typeof value === 'symbol') return { path, what: 'a symbol' };
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (value instanceof Promise) return { path, what: 'a Promise' };
  if (value instanceof WeakMap || value instanceof WeakSet) return { path, what: `a ${value.constructor.name}` };
  const entries: [string, unknown][] =
    value instanceof Map
      ? [...value.entries()].flatMap(
          ([k, v], i) =>
            [
              [`${path}<key ${i}>`, k],
              [`${path}.get(${String(k)})`, v],
            ] as [string, unknown][],
        )
      : value instanceof Set
        ? [...value].map((v, i) => [`${path}<item ${i}>`, v] as [string, unknown])
        : Object.entries(value).map(
            ([k, v]) => [Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, v] as [string, unknown],
          );
  for (const [childPath, child] of entries) {
    const found = findUnserializable(child, childPath, seen);
    if (found) return found;
  }
  return undefined;
}
