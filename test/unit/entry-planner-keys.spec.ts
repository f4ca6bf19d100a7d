import { describe, expect, it } from 'vitest';
import { defineCache } from '../../lib/index.js';
import { EntryPlanner } from '../../lib/engine/entry/entry-planner.js';

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
