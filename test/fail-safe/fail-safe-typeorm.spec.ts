import { afterEach, describe, expect, inject, it } from 'vitest';
import { defineCache } from '../../lib/index.js';
import { cacheEntry, invalidate } from '../../lib/typeorm/index.js';
import { Product, productRule } from '../fixtures/catalog-orm.fixture.js';
import { sleep } from '../support/chaos-store.js';
import { CatalogApp, Driver, bootCatalogApp, uniqueNamespace } from './dirty-transaction.helpers.js';

const TTL_MS = 300;
const safePrice = defineCache({
  name: 'safe.price',
  key: (id: number) => id,
  ttl: TTL_MS,
  jitter: 0,
  failSafe: { maxAge: '1m', throttle: '1s' },
});
const safePriceRule = invalidate(Product, ({ row }) => [cacheEntry(safePrice, row.id)]);

describe.each<Driver>(['sqlite', 'postgres'])('fail-safe with the TypeORM bridge (%s)', (driver) => {
  let catalog: CatalogApp | undefined;
  afterEach(async () => {
    await catalog?.close();
    catalog = undefined;
  });

  it('a post-commit eviction removes the fail-safe copy: a failing origin then fails the caller', async () => {
    catalog = await bootCatalogApp({
      driver,
      databaseUrl: inject('databaseUrl'),
      cache: { redis: inject('redisUrl'), namespace: uniqueNamespace() },
      bridge: { rules: [productRule, safePriceRule] },
    });
    const { cache, dataSource } = catalog;
    const read = (id: number) => async () => (await dataSource.getRepository(Product).findOneByOrFail({ id })).price;
    const down = () => Promise.reject(new Error('database down'));
    const price = await cache.getOrSet(safePrice, [1], read(1));
    await cache.getOrSet(safePrice, [2], read(2));
    await sleep(TTL_MS + 50);
    expect(await cache.getOrSet(safePrice, [2], down)).toBe((await read(2)()) as number); // fail-safe answers
    await dataSource.transaction(async (manager) => {
      const row = await manager.findOneByOrFail(Product, { id: 1 });
      row.price = price + 1;
      await manager.save(row);
    });
    await expect(cache.getOrSet(safePrice, [1], down)).rejects.toThrow('database down');
  });
});
