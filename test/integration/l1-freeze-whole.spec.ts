import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const orderById = defineCache({ name: 'order', key: (id: number) => id, ttl: '1m' });

interface Order {
  lines: { sku: string; quantity: number }[];
  customer: { name: string };
  placedAt: Date;
}

/**
 * The L1 shares values it can freeze whole and keeps the others serialized. A value with a Date
 * after plain objects cannot be frozen whole: none of it may end up frozen, or the caller that
 * loaded it (which gets its own object back) could no longer change its own result.
 */
describe('a value the L1 cannot freeze whole', () => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  it('is left as the method returned it for the loading caller, nested objects included', async () => {
    app = await bootApp({
      redis: inject('redisUrl'),
      namespace: uniqueNamespace(),
      l1: { maxEntries: 100, ttl: '5s' },
    });
    const cache = app.get(CacheKit);
    const loaded = await cache.getOrSet(orderById, [1], async (): Promise<Order> => ({
      lines: [{ sku: 'lamp', quantity: 1 }],
      customer: { name: 'Ada' },
      placedAt: new Date(1_700_000_000_000),
    }));
    expect(Object.isFrozen(loaded.lines)).toBe(false);
    expect(Object.isFrozen(loaded.customer)).toBe(false);
    loaded.lines[0]!.quantity = 2; // the caller's own object: no TypeError
    loaded.customer.name = 'Grace';
    const hit = await cache.getOrSet(orderById, [1], async (): Promise<Order> => {
      throw new Error('not called: an L1 hit');
    });
    expect(hit.lines[0]!.quantity).toBe(1); // the caller's changes reached nobody else
    expect(hit.customer.name).toBe('Ada');
    expect(hit.placedAt).toEqual(new Date(1_700_000_000_000));
  });
});
