import { Logger } from '@nestjs/common';
import { deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EntryCodec } from '../../lib/engine/entry/entry-codec.js';
import { EntryPlan } from '../../lib/engine/entry/entry-plan.js';
import { wrap } from '../../lib/engine/entry/envelope.js';
import { RateLimitedLogger } from '../../lib/observability/rate-limited-logger.js';
import { Compression } from '../../lib/serialization/compression.js';
import { v8Serializer } from '../../lib/serialization/v8.serializer.js';

const MAX_VALUE_BYTES = 1_000_000;
const plan: EntryPlan = { key: 'k', tags: [], name: 'fuzz', where: 'FuzzService#read', ttlMs: 60_000, jitter: 0 };
const meta = { createdAt: 1, freshUntil: 0, loadMs: 1, expiresAt: 2 };

/** mulberry32: a small deterministic PRNG, so every run tries the same payloads. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

// v8 value-serializer tags that are followed by a length or count.
const LENGTH_TAGS = [0x22, 0x63, 0x53, 0x41, 0x61, 0x42, 0x5a, 0x52, 0x5c, 0x5e, 0x75, 0x56, 0x6f, 0x3b, 0x27];

describe('EntryCodec on foreign or corrupt payloads', () => {
  let codec: EntryCodec;
  beforeEach(() => {
    const logger = new Logger('PayloadFuzz');
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    codec = new EntryCodec(
      v8Serializer,
      MAX_VALUE_BYTES,
      new RateLimitedLogger(logger),
      () => undefined,
      new Compression(Infinity, 1 << 26),
    );
  });
  afterEach(() => vi.restoreAllMocks());

  /** unwrap + decode: a miss (undefined) or a value, never an exception, never a body over the limit. */
  const read = (payload: Uint8Array): unknown => {
    const envelope = codec.unwrap(payload);
    if (!envelope) return undefined;
    const decoded = codec.decode(envelope, plan);
    if (decoded && decoded.body.byteLength > MAX_VALUE_BYTES)
      throw new Error(`decoded ${decoded.body.byteLength} bytes`);
    return decoded?.value;
  };

  it('random bytes, random bodies, huge bogus lengths and mangled entries are misses or values, never errors', () => {
    const next = random(20261201);
    const bytes = (length: number) => Array.from({ length }, () => Math.floor(next() * 256));
    const valid = wrap(v8Serializer.encode({ id: 7, name: 'Lamp', tags: ['a'], at: new Date(0) }), meta, ['v1']);
    const failures: string[] = [];
    for (let i = 0; i < 4_000; i++) {
      const shape = i % 5;
      let payload: Uint8Array;
      if (shape === 0) payload = Buffer.from(bytes(Math.floor(next() * 80)));
      else if (shape === 1) payload = wrap(Buffer.from(bytes(Math.floor(next() * 40))), meta, [], next() < 0.5);
      else if (shape === 2) {
        const tag = LENGTH_TAGS[Math.floor(next() * LENGTH_TAGS.length)];
        const length = 2 ** 20 + Math.floor(next() * 2 ** 40);
        payload = wrap(Buffer.from([0xff, 0x0f, tag, ...varint(length), ...bytes(8)]), meta);
      } else if (shape === 3) {
        payload = Buffer.from(valid);
        for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--)
          payload[Math.floor(next() * payload.length)] = Math.floor(next() * 256);
      } else payload = new Uint8Array(valid.subarray(0, Math.floor(next() * valid.length)));
      try {
        read(payload);
      } catch (error) {
        failures.push(`#${i} ${Buffer.from(payload).toString('hex').slice(0, 120)}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a body larger than maxValueBytes is a miss, not decoded', () => {
    const decode = vi.spyOn(v8Serializer, 'decode');
    const body = v8Serializer.encode({ text: 'x'.repeat(MAX_VALUE_BYTES) });
    expect(read(wrap(body, meta))).toBeUndefined();
    expect(decode).not.toHaveBeenCalled();
  });

  it('a compressed body that inflates past maxValueBytes is a miss', () => {
    const decode = vi.spyOn(v8Serializer, 'decode');
    const bomb = deflateRawSync(v8Serializer.encode('a'.repeat(32 * MAX_VALUE_BYTES)));
    expect(bomb.byteLength).toBeLessThan(MAX_VALUE_BYTES);
    expect(read(wrap(bomb, meta, [], true))).toBeUndefined();
    expect(decode).not.toHaveBeenCalled();
  });

  it('a compressed entry within the limit still reads back', () => {
    const value = { text: 'b'.repeat(MAX_VALUE_BYTES / 2) };
    expect(read(wrap(deflateRawSync(v8Serializer.encode(value)), meta, [], true))).toEqual(value);
  });
});
