import fc from 'fast-check';
import { deserialize, serialize } from 'node:v8';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EntryCodec } from '../../lib/engine/entry/entry-codec.js';
import { EntryPlan } from '../../lib/engine/entry/entry-plan.js';
import { quietCodec } from '../support/quiet-codec.js';
import { unwrap } from '../../lib/engine/entry/envelope.js';
import { defaultSerializer } from '../../lib/serialization/default.serializer.js';
import { JSON_FORMAT } from '../../lib/serialization/json-format.js';
import { CacheSerializer } from '../../lib/serialization/serializer.interface.js';
import { v8Serializer } from '../../lib/serialization/v8.serializer.js';

const V8_FORMAT = 0xff;
const plan: EntryPlan = {
  key: '{t:report:1}',
  tags: [],
  name: 'report',
  where: 'ReportService#find',
  ttlMs: 60_000,
  jitter: 0,
};

function codecOver(serializer: CacheSerializer): EntryCodec {
  return quietCodec(serializer, 'EntryCodecFormats');
}

/** The body an EntryCodec stores for `value`, and what a reader with `reader` gets back from it. */
function throughCodec(value: unknown, writer = defaultSerializer, reader = defaultSerializer) {
  const entry = codecOver(writer).encode(plan, value, 1, [])!;
  const envelope = codecOver(reader).unwrap(entry.payload)!;
  return { format: entry.body[0], value: codecOver(reader).decode(envelope, plan)?.value };
}

class Money {
  constructor(readonly cents: number) {}
  toJSON(): string {
    return `${this.cents / 100} EUR`;
  }
}

const plain = {
  id: 7,
  name: 'Espresso machine',
  price: { amount: 129_900, vatRate: 0.19, discounted: false },
  tags: ['espresso', 'pid'],
  stock: [{ warehouse: 'FRA-1', quantity: 14 }],
  supersededBy: null,
  note: 'lone surrogate \ud800 and emoji 😀',
};

// Each holds one thing JSON would change; v8 keeps it, so the default must pick v8 for it.
const shared = { a: 1 };
const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;
const withExtra = Object.assign([1, 2], { extra: true });
const NOT_JSON: [string, unknown][] = [
  ['a Date', { at: new Date('2026-11-22T10:00:00Z') }],
  [
    'a Map',
    {
      m: new Map<unknown, unknown>([
        [1, 'a'],
        [{ k: 1 }, new Set([2])],
      ]),
    },
  ],
  ['a Set', { s: new Set(['x']) }],
  ['a BigInt', { big: 2n ** 70n }],
  ['undefined in an object', { missing: undefined }],
  ['undefined in an array', [1, undefined]],
  // eslint-disable-next-line no-sparse-arrays -- a hole is what this case is about
  ['a hole', [1, , 3]],
  ['NaN', { n: NaN }],
  ['Infinity', { n: -Infinity }],
  ['-0', { n: -0 }],
  ['a typed array', { t: new Float64Array([1.5]) }],
  ['a Buffer', { b: Buffer.from('ab') }],
  ['a class instance with toJSON', { price: new Money(250) }],
  ['an object reached twice', { x: shared, y: shared }],
  ['a cycle', cyclic],
  ['an array with an extra property', withExtra],
  ['a RegExp', { r: /a+/gi }],
  ['undefined alone', undefined],
];

describe('the default serializer: JSON where exact, v8 for the rest', () => {
  it('writes plain data as JSON, behind its format byte, and reads it back equal', () => {
    const { format, value } = throughCodec(plain);
    expect(format).toBe(JSON_FORMAT);
    expect(value).toStrictEqual(plain);
    expect(defaultSerializer.encode(plain)[0]).toBe(JSON_FORMAT);
  });

  it.each(NOT_JSON)('writes a value holding %s as v8, and reads back what v8 does', (_, original) => {
    for (const encoded of [
      defaultSerializer.encode(original),
      codecOver(defaultSerializer).encode(plan, original, 1, [])?.body,
    ]) {
      // undefined alone is stored only with negative caching: the codec skips it here.
      if (encoded === undefined) continue;
      expect(encoded[0]).toBe(V8_FORMAT);
      const back = defaultSerializer.decode(encoded);
      expect(isDeepStrictEqual(back, deserialize(serialize(original)))).toBe(true);
    }
  });

  it('keeps identity inside a value (shared and cyclic references) as v8 does', () => {
    const back = defaultSerializer.decode(defaultSerializer.encode({ x: shared, y: shared })) as Record<string, object>;
    expect(back.x).toBe(back.y);
    const loop = defaultSerializer.decode(defaultSerializer.encode(cyclic)) as Record<string, unknown>;
    expect(loop.self).toBe(loop);
  });

  it('gives every decode a value of its own (copy per hit), in both formats', () => {
    for (const value of [plain, { ...plain, at: new Date(0), bytes: new Uint8Array([1, 2]) }]) {
      const body = defaultSerializer.encode(value);
      const first = defaultSerializer.decode(body) as typeof plain & { bytes?: Uint8Array };
      first.price.amount = 1;
      first.tags.push('changed');
      if (first.bytes) first.bytes[0] = 99;
      const second = defaultSerializer.decode(body) as typeof first;
      expect(second).not.toBe(first);
      expect(second.price.amount).toBe(129_900);
      expect(second.tags).toEqual(['espresso', 'pid']);
      if (second.bytes) expect([...second.bytes]).toEqual([1, 2]);
    }
  });

  it('never pollutes prototypes when decoding JSON', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted2": true}}}');
    const body = defaultSerializer.encode(hostile);
    expect(body[0]).toBe(JSON_FORMAT);
    const back = defaultSerializer.decode(body) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'constructor']);
  });

  it('for generated values, reads back exactly what a v8 round trip gives', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 5 }),
        fc.sparseArray(tie('value'), { maxLength: 5 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
        fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
        fc.array(fc.tuple(fc.string(), tie('value')), { maxLength: 3 }).map((pairs) => new Map(pairs)),
      ),
    }));
    fc.assert(
      fc.property(value, (original) => {
        const back = defaultSerializer.decode(defaultSerializer.encode(original));
        return isDeepStrictEqual(back, deserialize(serialize(original)));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('mixed formats (a rollout without a flush, and a way back)', () => {
  it('the default reads entries the v8 serializer wrote', () => {
    for (const value of [plain, ...NOT_JSON.map(([, v]) => v).filter((v) => v !== undefined)]) {
      const { format, value: back } = throughCodec(value, v8Serializer, defaultSerializer);
      expect(format).toBe(V8_FORMAT);
      expect(isDeepStrictEqual(back, deserialize(serialize(value)))).toBe(true);
    }
  });

  it('the v8 serializer reads entries the default wrote as JSON', () => {
    const { format, value } = throughCodec(plain, defaultSerializer, v8Serializer);
    expect(format).toBe(JSON_FORMAT);
    expect(value).toStrictEqual(plain);
  });

  it('a JSON body that does not parse is a miss, never an error', () => {
    const entry = codecOver(defaultSerializer).encode(plan, plain, 1, [])!;
    const cut = entry.payload.subarray(0, entry.payload.length - 5);
    expect(codecOver(defaultSerializer).decode(unwrap(cut)!, plan)).toBeUndefined();
  });
});
