import { describe, expect, it } from 'vitest';
import { defineCache } from '../../lib/index.js';
import { EntryPlanner } from '../../lib/engine/entry/entry-planner.js';
import { EncodedKeys } from '../../lib/definitions/encoded-keys.js';

const byId = defineCache({ name: 'product', key: (id: string | number) => id });
const where = 'ProductService#findOne';

describe('EntryPlanner keys', () => {
  it('gives each call the key of its own arguments, the same string for a key seen before', () => {
    const planner = new EntryPlanner('shop', 60_000, 0, undefined);
    const first = planner.plan(byId, ['a-1'], where).key;
    expect(first).toBe('{shop:product:a-1}');
    expect(planner.plan(byId, ['a-1'], where).key).toBe(first);
    expect(planner.plan(byId, [7], where).key).toBe('{shop:product:#7}');
    expect(planner.plan(byId, ['7'], where).key).toBe('{shop:product:7}');
    expect(planner.key(byId, ['a 1'], where)).toBe('{shop:product:a%201}');
  });

  it('keeps keys right past the number of keys it remembers', () => {
    const planner = new EntryPlanner('shop', 60_000, 0, undefined);
    for (let round = 0; round < 2; round++) {
      for (let id = 0; id < 10_000; id += 7) expect(planner.plan(byId, [id], where).key).toBe(`{shop:product:#${id}}`);
    }
  });

  it('keeps the keys of two namespaces and two definitions apart', () => {
    const other = defineCache({ name: 'price', key: (id: number) => id });
    const a = new EntryPlanner('a', 60_000, 0, undefined);
    const b = new EntryPlanner('b', 60_000, 0, undefined);
    expect([a.plan(byId, [1], where).key, b.plan(byId, [1], where).key, a.plan(other, [1], where).key]).toEqual([
      '{a:product:#1}',
      '{b:product:#1}',
      '{a:price:#1}',
    ]);
  });
});

describe('EncodedKeys', () => {
  it('encodes each primitive key once, -0 apart from 0, and objects every time', () => {
    const keys = new EncodedKeys(3);
    let calls = 0;
    const encode = (raw: unknown) => `${++calls}:${Object.is(raw, -0) ? '-0' : String(raw)}`;
    expect([keys.of('a', encode), keys.of('a', encode), keys.of(1, encode), keys.of(1, encode)]).toEqual([
      '1:a',
      '1:a',
      '2:1',
      '2:1',
    ]);
    expect([keys.of(-0, encode), keys.of(0, encode), keys.of(-0, encode)]).toEqual(['3:-0', '4:0', '5:-0']);
    const object = { id: 1 };
    expect([keys.of(object, encode), keys.of(object, encode)]).toEqual(['6:[object Object]', '7:[object Object]']);
    // Past its bound it forgets and encodes again, still right.
    keys.of('b', encode);
    keys.of('c', encode);
    expect(keys.of('a', encode)).toBe('10:a');
  });
});
