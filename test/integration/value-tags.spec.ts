import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheEvent, CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { ProductModule, ProductService, productById } from './value-tags.fixture.js';

const STORES: [string, () => CacheKitModuleOptions][] = [
  ['standalone Redis', () => ({ redis: inject('redisUrl') })],
  ['Redis Cluster', () => ({ redis: { cluster: inject('clusterNodes') } })],
];

// On a Cluster an eviction up to the nodes' clock skew allowance (250 ms) before a load still fences it.
const CLOCK_SKEW_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(STORES)('tags from the loaded value on %s', (_, options) => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** One instance of the service; instances booted with the same namespace share its entries. */
  async function instance(namespace: string, extra: Partial<CacheKitModuleOptions> = {}) {
    const app = await bootApp({ ...options(), namespace, ...extra }, { imports: [ProductModule] });
    apps.push(app);
    return { service: app.get(ProductService), cache: app.get(CacheKit) };
  }

  it('an eviction of a tag taken from the value evicts the entry; other values keep theirs', async () => {
    const { service, cache } = await instance(uniqueNamespace());
    await service.findOne(1); // books
    await service.findOne(2); // toys
    await service.findOne(1);
    expect(service.loads).toBe(2);
    await cache.evictTags(['category:books']);
    expect(await service.findOne(1)).toEqual({ id: 1, category: 'books' });
    await service.findOne(2);
    expect(service.loads).toBe(3);
    // The tags from the arguments still apply alongside.
    await cache.evictTags(['product:2']);
    await service.findOne(2);
    expect(service.loads).toBe(4);
  });

  it('an eviction of a value tag on another instance during the load leaves the fill a no-op', async () => {
    const namespace = uniqueNamespace();
    const a = await instance(namespace);
    const b = await instance(namespace);
    const held = a.service.hold();
    const loading = a.service.findOne(1);
    await held.started; // the row is read: the load began before the eviction
    await b.cache.evictTags(['category:books']);
    held.release();
    expect(await loading).toEqual({ id: 1, category: 'books' });
    await sleep(50); // the fill is not awaited by its caller
    expect(await b.cache.get(productById, 1)).toBeUndefined();
    await b.service.findOne(1);
    expect(b.service.loads).toBe(1); // a miss on the other instance: the fenced value was never stored
  });

  it('a fill with value tags from a load that began after the eviction is stored', async () => {
    const namespace = uniqueNamespace();
    const a = await instance(namespace);
    const b = await instance(namespace);
    await b.cache.evictTags(['category:books']);
    await sleep(CLOCK_SKEW_MS);
    await a.service.findOne(1);
    await sleep(50);
    await b.service.findOne(1);
    expect(b.service.loads).toBe(0);
    expect(a.service.loads).toBe(1);
  });

  it('@CacheableMany entries carry their own value tags', async () => {
    const { service, cache } = await instance(uniqueNamespace());
    await service.findByIds([1, 2, 3]);
    expect(service.loads).toBe(3);
    await cache.evictTags(['category:books']);
    await service.findOne(2); // toys: still a hit
    expect(service.loads).toBe(3);
    const again = await service.findByIds([1, 2, 3]);
    expect([...again.values()]).toEqual([
      { id: 1, category: 'books' },
      { id: 2, category: 'toys' },
      { id: 3, category: 'books' },
    ]);
    expect(service.loads).toBe(5); // 1 and 3 again, 2 from its entry
  });

  it('an eviction of a value tag during a batch load leaves those fills no-ops', async () => {
    const namespace = uniqueNamespace();
    const a = await instance(namespace);
    const b = await instance(namespace);
    const held = a.service.hold();
    const loading = a.service.findByIds([1, 2]);
    await held.started;
    await b.cache.evictTags(['category:books']);
    held.release();
    await loading;
    await sleep(50);
    await b.service.findByIds([1, 2]);
    expect(b.service.loads).toBe(1); // only id 1 (books) was fenced; id 2 (toys) was stored
  });

  it('@CachePut records the tags of the value it stores', async () => {
    const { service, cache } = await instance(uniqueNamespace());
    await service.findOne(1);
    await service.move(1, 'games');
    await cache.evictTags(['category:books']); // the old category no longer holds it
    expect(await service.findOne(1)).toEqual({ id: 1, category: 'games' });
    expect(service.loads).toBe(1);
    await cache.evictTags(['category:games']);
    await service.findOne(1);
    expect(service.loads).toBe(2);
  });

  it("another instance's L1 copy goes with an eviction of a value tag", async () => {
    const namespace = uniqueNamespace();
    const a = await instance(namespace, { l1: { maxEntries: 100, ttl: '1m' } });
    const b = await instance(namespace, { l1: { maxEntries: 100, ttl: '1m' } });
    await a.service.findOne(1);
    await b.service.findOne(1); // from Redis, now in b's L1
    expect(b.service.loads).toBe(0);
    await a.cache.evictTags(['category:books']);
    // The bus tells b asynchronously: b loads again once its copy is gone.
    for (let waited = 0; b.service.loads === 0 && waited < 2_000; waited += 20) {
      await b.service.findOne(1);
      await sleep(20);
    }
    expect(b.service.loads).toBe(1);
  });

  it('a resultTags function that throws leaves the value uncached and says why', async () => {
    const { service, cache } = await instance(uniqueNamespace());
    const events: CacheEvent[] = [];
    cache.events$.subscribe((event) => events.push(event));
    expect(await service.broken(1)).toEqual({ id: 1, category: 'books' });
    await service.broken(1);
    expect(service.loads).toBe(2);
    const skipped = events.find((event) => event.type === 'store-skipped');
    expect(skipped && 'reason' in skipped ? skipped.reason : '').toContain('no category');
  });
});
