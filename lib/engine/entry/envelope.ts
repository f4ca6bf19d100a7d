import { NO_TAGS } from '../../keys/key-layout.js';

// What is stored per entry: a fixed header, the tag versions seen when the load began, then the
// serialized value. The header carries what the engine needs without decoding the value.
const MAGIC_0 = 0x43; // 'C'
const MAGIC_1 = 0x4b; // 'K'
const VERSION = 2;
const FIXED_BYTES = 32;

export interface EnvelopeMeta {
  /** Epoch ms when the value was stored. */
  createdAt: number;
  /** Epoch ms after which the value is stale (0: no soft expiry). */
  freshUntil: number;
  /** How long the load took, ms. */
  loadMs: number;
  /** Epoch ms of hard expiry (the store's TTL), for probabilistic early refresh. */
  expiresAt: number;
}

export interface Envelope {
  meta: EnvelopeMeta;
  /** The body is deflated (see serialization/compression.ts). */
  compressed: boolean;
  /** Versions of the entry's tags when its load began, in the definition's tag order. */
  tagVersions: string[];
  body: Uint8Array;
}

const COMPRESSED = 1;

export function wrap(
  body: Uint8Array,
  meta: EnvelopeMeta,
  tagVersions: readonly string[] = [],
  compressed = false,
): Buffer {
  const tags = tagVersions.map((version) => Buffer.from(version, 'latin1'));
  const tagBytes = tags.reduce((sum, tag) => sum + 1 + tag.length, 1);
  const out = Buffer.allocUnsafe(FIXED_BYTES + tagBytes + body.byteLength);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = VERSION;
  out[3] = compressed ? COMPRESSED : 0;
  out.writeDoubleLE(meta.createdAt, 4);
  out.writeDoubleLE(meta.freshUntil, 12);
  out.writeFloatLE(meta.loadMs, 20);
  out.writeDoubleLE(meta.expiresAt, 24);
  let offset = FIXED_BYTES;
  out[offset++] = tags.length;
  for (const tag of tags) {
    out[offset++] = tag.length;
    tag.copy(out, offset);
    offset += tag.length;
  }
  out.set(body, offset);
  return out;
}

/** Returns undefined for anything we did not write (foreign or corrupt payloads count as misses). */
export function unwrap(payload: Uint8Array): Envelope | undefined {
  if (
    payload.byteLength < FIXED_BYTES + 1 ||
    payload[0] !== MAGIC_0 ||
    payload[1] !== MAGIC_1 ||
    payload[2] !== VERSION
  ) {
    return undefined;
  }
  const view = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let offset = FIXED_BYTES;
  const count = view[offset++];
  const tagVersions: string[] = count === 0 ? NO_TAGS : [];
  for (let i = 0; i < count; i++) {
    const length = view[offset++];
    if (length === undefined || offset + length > view.length) return undefined;
    tagVersions.push(view.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset > view.length) return undefined;
  return {
    meta: {
      createdAt: view.readDoubleLE(4),
      freshUntil: view.readDoubleLE(12),
      loadMs: view.readFloatLE(20),
      expiresAt: view.readDoubleLE(24),
    },
    compressed: (view[3] & COMPRESSED) !== 0,
    tagVersions,
    body: view.subarray(offset),
  };
}
