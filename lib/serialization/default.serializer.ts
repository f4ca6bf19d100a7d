import { serialize } from 'node:v8';
import { CacheSerializer } from './serializer.interface.js';
import { JSON_FORMAT, decodeJson, encodeJson } from './json-format.js';
import { v8Serializer } from './v8.serializer.js';
import { MAX_NESTING, inspectValue } from './value-inspection.js';

// What a write may spend proving a value is exact as JSON: the size of a typical result. A larger
// one goes to the v8 format, which is exact for everything (and pays no walk).
const JSON_PROOF_NODES = 4_096;

/**
 * The default serializer: JSON where JSON is exact, Node's structured-clone (v8) format for
 * everything else. A value made only of plain objects, dense arrays, strings, booleans, null and
 * finite numbers other than -0, with no object reached twice, reads back identical from JSON,
 * and JSON.parse decodes it about twice as fast as v8 does; a value holding a Date, Map, Set,
 * BigInt, undefined, NaN, -0, a typed array, a class instance or a shared reference is written
 * as v8 wrote it before. Every decode builds a new value, so callers never share objects.
 * @example CacheKitModule.forRoot({ serializer: defaultSerializer }) // the same as leaving it out
 */
export const defaultSerializer: CacheSerializer = {
  encode: (value) => encodeBody(value, isExactAsJson(value)),
  decode: (payload) => (payload[0] === JSON_FORMAT ? decodeJson(payload) : v8Serializer.decode(payload)),
};

/** The body of `value` in the JSON format when `asJson` (the caller proved it exact), else in v8's. */
export function encodeBody(value: unknown, asJson: boolean): Uint8Array {
  return asJson ? encodeJson(value) : serialize(value);
}

/** True when JSON gives `value` back exactly, proven within a bounded walk (false past it). */
export function isExactAsJson(value: unknown): boolean {
  try {
    const look = inspectValue(value, { maxBytes: Infinity, maxDepth: MAX_NESTING, maxNodes: JSON_PROOF_NODES });
    return look.kind === 'fits' && look.json;
  } catch {
    return false; // a getter or proxy trap threw: the v8 encoder reports it
  }
}
