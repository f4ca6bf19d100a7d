import { DefaultDeserializer, serialize } from 'node:v8';
import { JSON_FORMAT, decodeJson } from './json-format.js';
import { CacheSerializer } from './serializer.interface.js';
import { MAX_NESTING, inspectValue } from './value-inspection.js';

/**
 * The default serializer: Node's structured-clone format. It round-trips Date, Map, Set, BigInt,
 * typed arrays, undefined, NaN and -0 with no dependency, and decodes into plain objects (own
 * properties only, so a `__proto__` key cannot reach Object.prototype). Class instances come back
 * as plain objects, as with JSON. Payloads written by a newer Node may not decode on an older
 * one: they then count as misses and are overwritten. Typed arrays and Buffers decode into memory
 * of their own, never views of the payload. It also reads bodies the default serializer wrote as
 * JSON, so switching to it needs no flush.
 * @example CacheKitModule.forRoot({ serializer: v8Serializer })
 */
export const v8Serializer: CacheSerializer = {
  encode: (value) => serialize(value),
  decode: (payload) => {
    // Written by the default serializer: read too, so an instance can be set back to v8 without a flush.
    if (payload[0] === JSON_FORMAT) return decodeJson(payload);
    const reader = new OwnBytesDeserializer(payload);
    reader.readHeader();
    return reader.readValue();
  },
};

interface HostObjectReader {
  _readHostObject(this: DefaultDeserializer): ArrayBufferView;
}

/**
 * Node reads an aligned typed array as a view of the payload's memory. A payload is shared (an L1
 * body is decoded on every hit, joined callers decode one body), so a caller changing its bytes
 * would change the next caller's; and `.buffer` would expose the whole entry. Each gets a copy.
 */
class OwnBytesDeserializer extends DefaultDeserializer {
  _readHostObject(): ArrayBufferView {
    const view = (DefaultDeserializer.prototype as unknown as HostObjectReader)._readHostObject.call(this);
    if (Buffer.isBuffer(view)) return Buffer.from(view);
    if (view instanceof DataView)
      return new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    return (view as Uint8Array).slice();
  }
}

// Enough to locate what a typical result holds; a result with a million rows is not walked through.
const PATH_SEARCH_NODES = 100_000;

/**
 * Finds the first part of a value the structured-clone format rejects (or nesting it cannot read
 * back), for an error that says where. Iterative and bounded: undefined when nothing was found
 * within the first 100 000 values, or when reading the value threw.
 * @example findUnserializable({ rows: [{ format: () => '' }] }) // { path: 'result.rows[0].format', what: 'a function' }
 */
export function findUnserializable(value: unknown): { path: string; what: string } | undefined {
  try {
    const found = inspectValue(value, { maxBytes: Infinity, maxDepth: MAX_NESTING, maxNodes: PATH_SEARCH_NODES });
    return found.kind === 'unserializable' ? { path: found.path, what: found.what } : undefined;
  } catch {
    return undefined; // a getter or proxy trap threw: the encoder's own error says more
  }
}
