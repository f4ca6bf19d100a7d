import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Cacheable, defineCache } from '../../lib/index.js';
import type { CacheKitTypeOrmModuleOptions } from '../../lib/typeorm/index.js';
import { Product } from '../fixtures/catalog-orm.fixture.js';
import { CatalogApp, Driver, bootCatalogApp, uniqueNamespace } from './dirty-transaction.helpers.js';

const priceOf = defineCache({ name: 'tx.price', key: (_manager: EntityManager, id: number) => id, ttl: '5m' });

/** Reads a product's price through the EntityManager it is given (the transaction's, inside one). */
@Injectable()
class PriceReader {
  loads = 0;

  @Cacheable(priceOf)
  async price(manager: EntityManager, id: number): Promise<number | null> {
    this.loads++;
    return (await manager.findOneBy(Product, { id }))?.price ?? null;
  }
}

class Rollback extends Error {}

describe.each<Driver>(['sqlite', 'postgres'])('cached reads inside a TypeORM transaction (%s)', (driver) => {
  let catalog: CatalogApp | undefined;
  afterEach(async () => {
    await catalog?.close();
    catalog = undefined;
  });
  const boot = async (bridge: CacheKitTypeOrmModuleOptions = {}) => {
    catalog = await bootCatalogApp({
      driver,
      databaseUrl: inject('databaseUrl'),
      cache: { redis: inject('redisUrl'), namespace: uniqueNamespace() },
      bridge,
      metadata: { providers: [PriceReader] },
    });
    return { ...catalog, prices: catalog.app.get(PriceReader) };
  };

  it('a read after a write in a transaction that rolls back leaves nothing in the cache', async () => {
    const { dataSource, cache, prices } = await boot();
    const original = (await dataSource.getRepository(Product).findOneByOrFail({ id: 1 })).price;
    let seenInside: number | null = null;
    await dataSource
      .transaction(async (manager) => {
        await manager.update(Product, { id: 1 }, { price: 999 }); // a bulk write: fires no entity hook
        const row = await manager.findOneByOrFail(Product, { id: 1 });
        row.name = 'renamed';
        await manager.save(row); // an entity write: the transaction is now known to have written
        seenInside = await prices.price(manager, 1);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    expect(seenInside).toBe(999); // the caller inside the transaction sees its own write
    expect(await cache.get(priceOf, dataSource.manager, 1)).toBeUndefined(); // nothing was stored
    expect(await prices.price(dataSource.manager, 1)).toBe(original);
  });

  it('reads before the first write, and after the commit, use the cache', async () => {
    const { dataSource, prices } = await boot();
    await dataSource.transaction(async (manager) => {
      await prices.price(manager, 2);
      await prices.price(manager, 2);
      expect(prices.loads).toBe(1); // no write yet: cached
      const row = await manager.findOneByOrFail(Product, { id: 3 });
      row.name = 'changed';
      await manager.save(row);
      await prices.price(manager, 3);
      await prices.price(manager, 3);
      expect(prices.loads).toBe(3); // after the write: both went to the database
    });
    await prices.price(dataSource.manager, 3);
    await prices.price(dataSource.manager, 3);
    expect(prices.loads).toBe(4); // committed: cached again
  });

  it("transactionReads: 'any' bypasses inside every transaction; 'cache' never does", async () => {
    const any = await boot({ transactionReads: 'any' });
    await any.dataSource.transaction(async (manager) => {
      await any.prices.price(manager, 2);
      await any.prices.price(manager, 2);
    });
    expect(any.prices.loads).toBe(2);
    await catalog!.close();
    const cached = await boot({ transactionReads: 'cache' });
    await cached.dataSource.transaction(async (manager) => {
      await manager.save(Object.assign(await manager.findOneByOrFail(Product, { id: 2 }), { name: 'x' }));
      await cached.prices.price(manager, 2);
      await cached.prices.price(manager, 2);
    });
    expect(cached.prices.loads).toBe(1);
    catalog = cached;
  });
});
