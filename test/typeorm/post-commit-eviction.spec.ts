import type { EntityManager } from 'typeorm';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { cacheEntry, evictAfterCommit } from '../../lib/typeorm/index.js';
import { Product, productById } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { CatalogApp, Driver, bootCatalogApp } from '../support/typeorm-app.js';

const drivers: Driver[] = ['sqlite', 'postgres'];
const productKey = (id: number) => `orm.product:${productById.keyOf([id])}`;

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

describe.each(drivers)('post-commit eviction on %s', (driver) => {
  let c: CatalogApp;

  beforeEach(async () => {
    c = await bootCatalogApp({
      driver,
      databaseUrl: inject('databaseUrl'),
      cache: { redis: inject('redisUrl'), namespace: uniqueNamespace(), operationTimeout: '1s' },
      bridge: { commitWait: '5s' },
    });
  });
  afterEach(() => c.close());

  /** Caches the products and lists, then resets the load counter. */
  async function warm(products: number[] = [1, 2, 3, 4], categories: number[] = [1, 2, 3]): Promise<void> {
    for (const id of products) await c.reader.product(id);
    for (const id of categories) await c.reader.category(id);
    c.reader.loads = 0;
  }

  it('evicts the changed entry and its category list after COMMIT, not before', async () => {
    await warm();
    await c.dataSource.transaction(async (m) => {
      await rename(m, 1, 'Brass lamp');
      // Inside the transaction (after the after-hooks ran) nothing is evicted yet.
      expect(c.events).toHaveLength(0);
      expect(await c.cache.get(productById, 1)).toMatchObject({ name: 'Lamp' });
    });
    expect(c.events).toHaveLength(1);
    expect(c.events[0]).toMatchObject({
      outcome: 'evicted',
      transaction: 'committed',
      dataSource: 'default',
      changes: [{ entity: 'Product', kind: 'update', bulk: false, count: 1 }],
      keys: [productKey(1)],
      tags: ['category:1'],
      attempts: 1,
      repeat: false,
    });
    expect(await c.reader.product(1)).toMatchObject({ name: 'Brass lamp' });
    expect(await c.reader.category(1)).toEqual(['Brass lamp', 'Spot']);
    expect(c.reader.loads).toBe(2);
    await c.reader.product(2);
    await c.reader.category(2);
    expect(c.reader.loads).toBe(2); // untouched entries stay cached
  });

  it('evicts nothing when the transaction rolls back', async () => {
    await warm();
    const failing = c.dataSource.transaction(async (m) => {
      await rename(m, 1, 'Never committed');
      throw new Error('abort');
    });
    await expect(failing).rejects.toThrow('abort');
    expect(c.events).toHaveLength(0);
    expect(await c.reader.product(1)).toMatchObject({ name: 'Lamp' });
    expect(c.reader.loads).toBe(0);
  });

  it('evicts only what committed when a savepoint rolls back inside a committed transaction', async () => {
    await warm();
    await c.dataSource.transaction(async (m) => {
      await rename(m, 1, 'Outer');
      await expect(
        m.transaction(async (inner) => {
          await rename(inner, 2, 'Rolled back');
          throw new Error('inner abort');
        }),
      ).rejects.toThrow('inner abort');
      await m.transaction((inner) => rename(inner, 3, 'Released savepoint'));
      expect(c.events).toHaveLength(0); // a RELEASE SAVEPOINT is not the commit
    });
    expect(c.events).toHaveLength(1);
    expect([...c.events[0]!.keys].sort()).toEqual([productKey(1), productKey(3)].sort());
    expect([...c.events[0]!.tags].sort()).toEqual(['category:1', 'category:2']);
    expect(c.events[0]!.changes).toEqual([{ entity: 'Product', kind: 'update', bulk: false, count: 2 }]);
    expect(await c.reader.product(2)).toMatchObject({ name: 'Spot' });
    expect(c.reader.loads).toBe(0);
    expect(await c.reader.product(1)).toMatchObject({ name: 'Outer' });
    expect(await c.reader.product(3)).toMatchObject({ name: 'Released savepoint' });
  });

  it('evicts nothing when the COMMIT itself fails (deferred foreign key)', async () => {
    await warm();
    let saved = false;
    const failing = c.dataSource.transaction(async (m) => {
      const product = await m.findOneByOrFail(Product, { id: 1 });
      product.categoryId = 99; // no such category: checked only at COMMIT
      await m.save(product);
      saved = true;
    });
    await expect(failing).rejects.toThrow(/foreign key/i);
    expect(saved).toBe(true); // the statement passed; the COMMIT failed
    expect(c.events).toHaveLength(0);
    expect(await c.reader.product(1)).toMatchObject({ categoryId: 1 });
    expect(c.reader.loads).toBe(0);
    expect(await c.dataSource.getRepository(Product).findOneBy({ id: 1 })).toMatchObject({ categoryId: 1 });
  });

  it('evicts both category lists when a product moves to another category', async () => {
    await warm();
    await c.dataSource.transaction(async (m) => {
      await m.save(Product, { id: 1, categoryId: 2 }); // a partial object: the rest comes from the loaded row
    });
    expect([...c.events[0]!.tags].sort()).toEqual(['category:1', 'category:2']);
    expect(await c.reader.category(1)).toEqual(['Spot']);
    expect(await c.reader.category(2)).toEqual(['Lamp', 'Desk']);
    await c.reader.category(3);
    expect(c.reader.loads).toBe(2);
  });

  it('evicts nothing for save() of an unchanged entity', async () => {
    await warm();
    const repository = c.dataSource.getRepository(Product);
    const product = await repository.findOneByOrFail({ id: 1 });
    await repository.save(product);
    await c.dataSource.transaction((m) => m.save(product));
    expect(c.events).toHaveLength(0);
    await c.reader.product(1);
    await c.reader.category(1);
    expect(c.reader.loads).toBe(0);
  });

  it('evicts for insert, remove, soft-remove and recover, with the id known after remove()', async () => {
    await warm();
    const repository = c.dataSource.getRepository(Product);
    await repository.save(repository.create({ id: 5, name: 'Bench', price: 80, categoryId: 3 }));
    await repository.remove(await repository.findOneByOrFail({ id: 2 }));
    await repository.softRemove(await repository.findOneByOrFail({ id: 3 }));
    await repository.recover(await repository.findOneOrFail({ where: { id: 3 }, withDeleted: true }));
    expect(c.events.map((e) => [e.changes[0]!.kind, e.keys, e.tags])).toEqual([
      ['insert', [productKey(5)], ['category:3']],
      ['remove', [productKey(2)], ['category:1']],
      ['soft-remove', [productKey(3)], ['category:2']],
      ['recover', [productKey(3)], ['category:2']],
    ]);
    expect(await c.reader.category(3)).toEqual(['Stool', 'Bench']);
    expect(await c.reader.category(1)).toEqual(['Lamp']);
    expect(await c.reader.product(2)).toBeNull();
  });

  it('evicts a change made outside a transaction right after its statement', async () => {
    await warm();
    const repository = c.dataSource.getRepository(Product);
    await repository.save({ id: 4, price: 50 }, { transaction: false });
    expect(c.events).toMatchObject([{ transaction: 'autocommit', outcome: 'evicted', keys: [productKey(4)] }]);
    expect(await c.reader.product(4)).toMatchObject({ price: 50 });
  });

  it('sends QueryBuilder and repository.update() changes (rows unknown) through the bulk handler', async () => {
    await warm();
    await c.dataSource.getRepository(Product).update({ categoryId: 1 }, { price: 1 });
    expect(c.events).toMatchObject([{ changes: [{ kind: 'update', bulk: true }], tags: ['catalog'], keys: [] }]);
    await expect(
      c.dataSource.transaction(async (m) => {
        await m.createQueryBuilder().delete().from(Product).where('id = :id', { id: 4 }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(c.events).toHaveLength(1);
    expect(await c.reader.product(1)).toMatchObject({ price: 1 });
    expect(await c.reader.product(4)).toMatchObject({ name: 'Stool' });
  });

  it('evictAfterCommit covers writes subscribers cannot see: after commit, never on rollback', async () => {
    await warm();
    const invisibleUpdate = (m: EntityManager, price: number) =>
      m.createQueryBuilder().update(Product).set({ price }).where('id = :id', { id: 1 }).callListeners(false).execute();
    await expect(
      c.dataSource.transaction(async (m) => {
        await invisibleUpdate(m, 7);
        await evictAfterCommit(m, [cacheEntry(productById, 1)]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(c.events).toHaveLength(0);
    await c.dataSource.transaction(async (m) => {
      await invisibleUpdate(m, 8);
      await c.bridge!.evictAfterCommit(m.queryRunner!, [cacheEntry(productById, 1), 'category:1']);
      expect(c.events).toHaveLength(0);
    });
    expect(c.events).toMatchObject([{ changes: [{ entity: '(explicit)', kind: 'explicit' }], keys: [productKey(1)] }]);
    expect(await c.reader.product(1)).toMatchObject({ price: 8 });
    await invisibleUpdate(c.dataSource.manager, 9);
    await evictAfterCommit(c.dataSource.manager, [cacheEntry(productById, 1)]);
    expect(c.events[1]).toMatchObject({ transaction: 'autocommit', outcome: 'evicted' });
    expect(await c.reader.product(1)).toMatchObject({ price: 9 });
  });
});
