import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeMeta, unwrap, wrap } from '../../lib/engine/entry/envelope.js';

const SEED = 0x656e76;
const MAGIC = [0x43, 0x4b, 0x02]; // 'C', 'K', version 2: what gets a payload past the first check

const meta: fc.Arbitrary<EnvelopeMeta> = fc.record({
  createdAt: fc.double(),
  freshUntil: fc.double(),
  // Stored as a 32-bit float.
  loadMs: fc.float(),
  expiresAt: fc.double(),
});
// Tag versions are latin1 strings of at most 255 bytes, at most 255 of them.
const tagVersions = fc.array(
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 255 }),
  {
    maxLength: 20,
  },
);

describe('envelope codec properties', () => {
  it('unwrap(wrap(body, meta, tags)) gives back the body, the meta, the tags and the flag', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_048 }), meta, tagVersions, fc.boolean(), (body, m, tags, compressed) => {
        const envelope = unwrap(wrap(body, m, tags, compressed));
        expect(envelope).toBeDefined();
        expect(Buffer.from(envelope!.body).equals(Buffer.from(body))).toBe(true);
        expect(envelope!.meta).toEqual(m);
        expect(envelope!.tagVersions).toEqual(tags);
        expect(envelope!.compressed).toBe(compressed);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('never throws on random bytes, with or without a valid header', () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((rest) => Uint8Array.from([...MAGIC, ...rest])),
    );
    fc.assert(
      fc.property(payload, fc.nat(8), (bytes, offset) => {
        // Also as a view into a larger buffer, as ioredis hands out.
        const backing = new Uint8Array(bytes.length + offset);
        backing.set(bytes, offset);
        for (const view of [bytes, backing.subarray(offset), Buffer.from(bytes)]) {
          const envelope = unwrap(view);
          if (envelope) expect(envelope.body.byteLength).toBeLessThanOrEqual(view.byteLength);
        }
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('never throws on a truncated or corrupted envelope', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        meta,
        tagVersions,
        fc.nat(),
        fc.nat(255),
        (body, m, tags, at, byte) => {
          const bytes = wrap(body, m, tags);
          const cut = bytes.subarray(0, at % (bytes.length + 1));
          expect(() => unwrap(cut)).not.toThrow();
          const flipped = Buffer.from(bytes);
          flipped[at % flipped.length] = byte;
          expect(() => unwrap(flipped)).not.toThrow();
        },
      ),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it('reads a payload cut inside its tag versions as foreign, never as an entry with other versions', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), meta, tagVersions, fc.nat(), (body, m, tags, at) => {
        const bytes = wrap(body, m, tags);
        const headerBytes = bytes.length - body.length;
        const cut = bytes.subarray(0, at % (bytes.length + 1));
        const envelope = unwrap(cut);
        if (cut.length < headerBytes) expect(envelope).toBeUndefined();
        else expect(envelope?.tagVersions).toEqual(tags);
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });
});
