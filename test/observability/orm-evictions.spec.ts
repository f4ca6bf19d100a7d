import { afterEach, describe, expect, inject, it } from 'vitest';
import { Product, productById } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { CatalogApp, bootCatalogApp } from '../support/typeorm-app.js';

let c: CatalogApp | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

describe('evictions by cause in report()', () => {
  it('counts what the ORM bridge evicted after COMMIT apart from what the app evicted', async () => {
    c = await bootCatalogApp({ driver: 'sqlite', cache: { redis: inject('redisUrl'), namespace: uniqueNamespace() } });
    await c.reader.product(1);
    await c.reader.product(2);
    // The seed's inserts went through the bridge too: count from here.
    const before = await c.cache.report({ sampleStore: false });
    const seen = c.events.length;
    const products = c.dataSource.getRepository(Product);
    const lamp = (await products.findOneBy({ id: 1 }))!;
    lamp.name = 'Brass lamp';
    await products.save(lamp); // the bridge evicts product 1 and the tag category:1
    await expect.poll(() => c!.events.length).toBe(seen + 1);
    const event = c.events.at(-1)!;
    await c.cache.evictMany({ keys: [{ definition: productById, args: [2] }] }); // the app's own

    const report = await c.cache.report({ sampleStore: false });
    const was = before.caches['orm.product']!.evictions;
    const now = report.caches['orm.product']!.evictions;
    expect({ key: now.key - was.key, name: now.name - was.name, orm: now.orm - was.orm }).toEqual({
      key: 2,
      name: 0,
      orm: 1,
    });
    expect(event.keys).toHaveLength(1);
    expect(report.evictions.tags - before.evictions.tags).toBe(event.tags.length);
    expect(report.evictions.ormTags - before.evictions.ormTags).toBe(event.tags.length);
  });
});
