import type { EntityManager } from 'typeorm';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { Product } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { CatalogApp, bootCatalogApp } from '../support/typeorm-app.js';
import { asTenant, tenants } from './scope.fixture.js';

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

/** The bridge evicts after COMMIT in the async context of the transaction, so in its tenant. */
describe('the TypeORM bridge in a scoped app', () => {
  let c: CatalogApp;

  beforeEach(async () => {
    c = await bootCatalogApp({
      driver: 'postgres',
      databaseUrl: inject('databaseUrl'),
      cache: {
        redis: inject('redisUrl'),
        namespace: uniqueNamespace(),
        operationTimeout: '1s',
        scope: () => tenants.getStore(),
      },
      bridge: { commitWait: '5s' },
    });
  });
  afterEach(() => c.close());

  async function warm(): Promise<void> {
    for (const tenant of ['acme', 'globex']) await asTenant(tenant, () => c.reader.product(1));
    c.reader.loads = 0;
  }

  it("evicts in the tenant of the transaction and leaves the other tenant's entries", async () => {
    await warm();
    await asTenant('acme', () => c.dataSource.transaction((m) => rename(m, 1, 'Brass lamp')));
    expect(c.events.at(-1)).toMatchObject({ outcome: 'evicted' });
    expect(await asTenant('acme', () => c.reader.product(1))).toMatchObject({ name: 'Brass lamp' });
    expect(c.reader.loads).toBe(1);
    await asTenant('globex', () => c.reader.product(1));
    expect(c.reader.loads).toBe(1); // globex's entry stayed
  });

  it('a transaction outside any tenant evicts in every tenant', async () => {
    await warm();
    await c.dataSource.transaction((m) => rename(m, 1, 'Brass lamp'));
    for (const tenant of ['acme', 'globex']) await asTenant(tenant, () => c.reader.product(1));
    expect(c.reader.loads).toBe(2);
  });
});
