import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { EntryCodec } from '../../lib/engine/entry/entry-codec.js';
import { EntryPlan } from '../../lib/engine/entry/entry-plan.js';
import { quietCodec } from '../support/quiet-codec.js';
import { defaultSerializer } from '../../lib/serialization/default.serializer.js';
import { JSON_FORMAT, copyJsonValue } from '../../lib/serialization/json-format.js';
import { CacheSerializer } from '../../lib/serialization/serializer.interface.js';

const plan: EntryPlan = { key: '{t:p:1}', tags: [], name: 'p', where: 'Products#find', ttlMs: 60_000, jitter: 0 };

function codecOver(serializer: CacheSerializer = defaultSerializer): EntryCodec {
  return quietCodec(serializer, 'SharedBodyCopies');
}

/** Every object and array reachable from `value`. */
function objectsOf(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !found.has(value)) {
    found.add(value);
    for (const part of Object.values(value)) objectsOf(part, found);
  }
  return found;
}

describe('copies of one body for many callers (the joiners of a load)', () => {
  it('copyJsonValue gives back what JSON.parse built, sharing no object with it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        const copy = copyJsonValue(parsed);
        expect(isDeepStrictEqual(copy, parsed)).toBe(true);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed)); // same key order
        const shared = [...objectsOf(copy)].filter((part) => objectsOf(parsed).has(part));
        expect(shared).toEqual([]);
      }),
    );
  });

  it('keeps a "__proto__" key a key, and copies no inherited property', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "name": "Lamp"}') as Record<string, unknown>;
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.injected = 'inherited';
    try {
      const copy = copyJsonValue(parsed);
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(Object.keys(copy)).toEqual(['__proto__', 'name']);
      expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ admin: true });
      expect((copy as { admin?: unknown }).admin).toBeUndefined();
      expect(Object.hasOwn(copy, 'injected')).toBe(false);
    } finally {
      delete polluted.injected;
    }
  });

  it('each caller of a JSON-format body gets an equal value of its own, and a change to one reaches no other', () => {
    const codec = codecOver();
    const entry = codec.encode(plan, { name: 'Chair', sizes: ['M'], price: { amount: 5 } }, 1, [])!;
    expect(entry.body[0]).toBe(JSON_FORMAT);
    const [first, second, third] = [1, 2, 3].map(() => codec.decodeSharedBody(entry.body)) as {
      name: string;
      sizes: string[];
      price: { amount: number };
    }[];
    expect(new Set([first, second, third]).size).toBe(3);
    first.name = 'mutated';
    first.sizes.push('XL');
    second.price.amount = 0;
    expect(third).toEqual({ name: 'Chair', sizes: ['M'], price: { amount: 5 } });
    expect(codec.decodeSharedBody(entry.body)).toEqual({ name: 'Chair', sizes: ['M'], price: { amount: 5 } });
  });

  it('decodes a v8-format body, or any body of another serializer, per caller as before', () => {
    const codec = codecOver();
    const when = new Date('2026-05-01T00:00:00Z');
    const entry = codec.encode(plan, { when, ids: new Set([1, 2]) }, 1, [])!;
    expect(entry.body[0]).not.toBe(JSON_FORMAT);
    const [a, b] = [codec.decodeSharedBody(entry.body), codec.decodeSharedBody(entry.body)] as { when: Date }[];
    expect(a).toEqual({ when, ids: new Set([1, 2]) });
    expect(a).not.toBe(b);
    expect(a.when).not.toBe(b.when);

    const decode = vi.fn((payload: Uint8Array) => JSON.parse(Buffer.from(payload).toString('utf8')) as unknown);
    const custom = codecOver({ encode: (value) => Buffer.from(JSON.stringify(value)), decode });
    const body = Buffer.from('{"n":1}');
    custom.decodeSharedBody(body);
    custom.decodeSharedBody(body);
    expect(decode).toHaveBeenCalledTimes(2);
  });
});
