// What is stored per entry: a fixed header then the serialized value. The header carries what
// later features need without decoding the value (creation time, soft expiry, load time).
const MAGIC_0 = 0x43; // 'C'
const MAGIC_1 = 0x4b; // 'K'
const VERSION = 1;
export const HEADER_BYTES = 24;

export interface EnvelopeMeta {
  /** Epoch ms when the value was stored. */
  createdAt: number;
  /** Epoch ms after which the value is stale (0: no soft expiry). */
  freshUntil: number;
  /** How long the load took, ms. */
  loadMs: number;
}

export function wrap(body: Uint8Array, meta: EnvelopeMeta): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.byteLength);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = VERSION;
  out[3] = 0;
  out.writeDoubleLE(meta.createdAt, 4);
  out.writeDoubleLE(meta.freshUntil, 12);
  out.writeFloatLE(meta.loadMs, 20);
  out.set(body, HEADER_BYTES);
  return out;
}

/** Returns undefined for anything we did not write (foreign or corrupt payloads count as misses). */
export function unwrap(payload: Uint8Array): { meta: EnvelopeMeta; body: Uint8Array } | undefined {
  if (payload.byteLength < HEADER_BYTES || payload[0] !== MAGIC_0 || payload[1] !== MAGIC_1 || payload[2] !== VERSION) {
    return undefined;
  }
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    meta: { createdAt: view.readDoubleLE(4), freshUntil: view.readDoubleLE(12), loadMs: view.readFloatLE(20) },
    body: view.subarray(HEADER_BYTES),
  };
}
