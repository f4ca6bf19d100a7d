import { INestApplicationContext } from '@nestjs/common';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKey } from '../../lib/keys/key-encoding.js';
import { CacheEvent, CacheKit, KeyValue, defineCache } from '../../lib/index.js';
import { bootApp } from '../support/app.js';

const SEED = 0x6b657973;
// Characters that mean something in a key, an escape or a glob, so near-collisions are likely.
const TRICKY = ['a', 'b', '1', ':', '%', '%3A', '~', '~e', ',', '(', ')', '=', '#', '@', '-', '.', '/', '*', '?'];
const trickyString = fc.oneof(
  fc
    .array(fc.constantFrom(...TRICKY, '[', ']', '{', '}', ' ', '\\', 'é', '\u{1F600}', '\uD800'), { maxLength: 6 })
    .map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const keyValue: fc.Arbitrary<KeyValue> = fc.letrec<{ value: KeyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    trickyString,
    fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), fc.constant(-0)),
    fc.bigInt({ min: -5n, max: 5n }),
    fc.boolean(),
    fc.constantFrom(null, undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/**
 * The equality keys must respect, written independently of the encoder: type and value, Dates by
 * instant, -0 apart from 0, object properties in any order, an undefined property the same as none.
 */
function canonical(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'n';
  if (typeof value === 'string') return `s${JSON.stringify(value)}`;
  if (typeof value === 'number') return Object.is(value, -0) ? 'd-0' : `d${String(value)}`;
  if (typeof value === 'bigint') return `b${value}`;
  if (typeof value === 'boolean') return `t${value}`;
  if (value instanceof Date) return `D${value.getTime()}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonical(item)}`).join(',')}}`;
}

/** The same object built with its properties inserted in another order, all the way down. */
function reordered(value: KeyValue, order: number[]): KeyValue {
  if (Array.isArray(value)) return value.map((item) => reordered(item, order));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const names = Object.keys(value);
  const shuffled = names.map((name, i) => [order[i % order.length] ?? i, name] as const).sort(([a], [b]) => a - b);
  return Object.fromEntries(
    shuffled.map(([, name]) => [name, reordered((value as Record<string, KeyValue>)[name], order)]),
  );
}

describe('encodeKey properties', () => {
  it('is injective: distinct canonical key values never share a key, equal ones always do', () => {
    fc.assert(
      fc.property(fc.array(keyValue, { minLength: 2, maxLength: 40 }), (generated) => {
        // Near-collisions on purpose: each key's own text, as one string and as a list of its parts.
        const values = generated.flatMap((value) => {
          const text = encodeKey(value);
          return [value, text, text.split(':'), text.split(',')];
        });
        const byKey = new Map<string, string>();
        for (const value of values) {
          const key = encodeKey(value);
          const form = canonical(value);
          const seen = byKey.get(key);
          if (seen !== undefined) expect(seen, `two values share the key ${key}`).toBe(form);
          byKey.set(key, form);
        }
        // And the other way round: one canonical form, one key.
        const forms = new Map(values.map((value) => [canonical(value), encodeKey(value)]));
        for (const value of values) expect(encodeKey(value)).toBe(forms.get(canonical(value)));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('gives equal objects built in a different property order the same key', () => {
    fc.assert(
      fc.property(keyValue, fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }), (value, order) => {
        expect(encodeKey(reordered(value, order))).toBe(encodeKey(value));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('never lets a glob, a brace or a separator through inside a part', () => {
    fc.assert(
      fc.property(fc.array(keyValue, { minLength: 2, maxLength: 5 }), keyValue, (parts, single) => {
        for (const key of [encodeKey(parts), encodeKey(single)]) expect(key).not.toMatch(/[*?[\]{}\s\\]/);
        const key = encodeKey(parts);
        // Unhashed, a list of n parts has exactly n - 1 separators: no ':' came from inside a part.
        if (!key.includes('~h')) expect(key.split(':')).toHaveLength(parts.length);
        // A single part (nested in a one-item list, so it is never itself a list of parts) holds no ':'.
        expect(encodeKey([single])).not.toContain(':');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('full store keys through the public API', () => {
  const namespace = 'n'.repeat(32);
  const definition = defineCache({ name: 'c'.repeat(64), key: (value: KeyValue) => value, ttl: '1m' });
  let app: INestApplicationContext;
  let cache: CacheKit;
  const keys: string[] = [];
  beforeAll(async () => {
    app = await bootApp({ namespace, memory: { maxEntries: 100 } });
    cache = app.get(CacheKit);
    cache.events$.subscribe((event: CacheEvent) => event.type === 'miss' && keys.push(event.key!));
  });
  afterAll(() => app.close());

  it('stay within 256 bytes with a namespace of 32 and a name of 64 characters, with one hash tag', async () => {
    const big = fc.oneof(
      // A key function returning undefined is refused before any key is built.
      keyValue.filter((value) => value !== undefined),
      fc.string({ unit: 'grapheme', minLength: 100, maxLength: 2_000 }),
      fc.array(keyValue, { minLength: 20, maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(big, async (value) => {
        keys.length = 0;
        await cache.getOrSet(definition, [value], async () => 1);
        expect(keys).toHaveLength(1);
        const [key] = keys;
        expect(Buffer.byteLength(key)).toBeLessThanOrEqual(256);
        // The whole key is one Cluster hash tag: exactly one '{', first, and one '}', last.
        expect(key.indexOf('{')).toBe(0);
        expect(key.lastIndexOf('{')).toBe(0);
        expect(key.indexOf('}')).toBe(key.length - 1);
        await cache.evict(definition, value);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
