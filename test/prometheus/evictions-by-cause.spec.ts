// From the sources (not the built package): the ORM bridge and the CacheKit it evicts through must be
// the same module instances the Prometheus subpath reads.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKitPrometheusModule } from '../../lib/prometheus/index.js';
import { Product, productById } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { CatalogApp, bootCatalogApp } from '../support/typeorm-app.js';

let c: CatalogApp | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const CAUSES = ['key', 'name', 'tag', 'orm'] as const;

/** Every `cachekit_evictions_total` sample of a cache name, by cause (absent: 0). */
function evictions(text: string, cache: string): Record<(typeof CAUSES)[number], number> {
  const byCause = { key: 0, name: 0, tag: 0, orm: 0 };
  for (const cause of CAUSES) {
    const line = `cachekit_evictions_total{cache="${cache}",cause="${cause}"}`;
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    if (found) byCause[cause] = Number(found.slice(line.length + 1));
  }
  return byCause;
}

function minus<T extends Record<string, number>>(now: T, was: T): T {
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - was[k]!])) as T;
}

describe('evictions by cause in Prometheus', () => {
  it('counts a scripted workload of key, tag, name and ORM evictions exactly, and they add up to the total', async () => {
    const registry = new Registry();
    c = await bootCatalogApp({
      driver: 'sqlite',
      cache: { redis: inject('redisUrl'), namespace: uniqueNamespace() },
      metadata: { imports: [CacheKitPrometheusModule.forRoot({ registry })] },
    });
    await c.reader.product(1);
    await c.reader.product(2);
    // The seed's inserts went through the bridge too: count from here.
    const before = await registry.metrics();
    const seen = c.events.length;

    await c.cache.evict(productById, 2); // key
    await c.cache.evictMany({
      keys: [
        { definition: productById, args: [3] },
        { definition: productById, args: [4] },
      ],
    }); // 2 keys
    await c.cache.evictTags(['catalog', 'promo']); // 2 tags
    await c.cache.clear(productById); // a whole-cache clear
    const products = c.dataSource.getRepository(Product);
    const lamp = (await products.findOneBy({ id: 1 }))!;
    lamp.name = 'Brass lamp';
    await products.save(lamp); // the bridge evicts product 1 and the tag category:1
    await expect.poll(() => c!.events.length).toBe(seen + 1);
    const event = c.events.at(-1)!;
    expect(event.keys).toHaveLength(1);
    expect(event.tags).toHaveLength(1);

    const text = await registry.metrics();
    expect(text).toContain('# TYPE cachekit_evictions_total counter');
    expect(minus(evictions(text, 'orm.product'), evictions(before, 'orm.product'))).toEqual({
      key: 3,
      name: 1,
      tag: 0,
      orm: 1,
    });
    expect(minus(evictions(text, '~tags'), evictions(before, '~tags'))).toEqual({ key: 0, name: 0, tag: 2, orm: 1 });

    // The causes partition the total: summed by cache they give what stats() counts.
    const stats = c.cache.stats();
    for (const cache of ['orm.product', '~tags']) {
      const sum = Object.values(evictions(text, cache)).reduce((a, b) => a + b, 0);
      expect(sum).toBe(stats[cache]!.evictions);
    }
  });
});
