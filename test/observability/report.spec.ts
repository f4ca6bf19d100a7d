import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Cacheable, CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';

const productById = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '5m',
  jitter: 0,
  tags: (id: number) => [`product:${id}`],
});

@Injectable()
class CatalogService {
  @Cacheable(productById)
  async product(id: number): Promise<{ id: number; name: string }> {
    await new Promise((resolve) => setTimeout(resolve, 20)); // a slow query: worth caching
    return { id, name: `product ${id}` };
  }

  @Cacheable({ name: 'flag', key: (id: number) => id, ttl: '30s', jitter: 0 })
  async flag(id: number): Promise<boolean> {
    return id % 2 === 0; // answers faster than any round trip
  }

  @Cacheable({ name: 'search', key: (q: string) => q, ttl: '2h', jitter: 0 })
  async search(q: string): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return [q];
  }
}

@Module({ providers: [CatalogService], exports: [CatalogService] })
class CatalogModule {}

const apps: INestApplicationContext[] = [];
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await proxy?.stop();
  proxy = undefined;
});

async function boot(options: CacheKitModuleOptions) {
  const app = await bootApp({ namespace: uniqueNamespace(), ...options }, { imports: [CatalogModule] });
  apps.push(app);
  return { catalog: app.get(CatalogService), kit: app.get(CacheKit) };
}

async function workload(catalog: CatalogService) {
  for (let i = 0; i < 50; i++) await catalog.product(1 + (i % 5)); // 5 misses, 45 hits
  for (let i = 0; i < 30; i++) await catalog.flag(i % 2); // 2 misses, 28 hits
  for (let i = 0; i < 25; i++) await catalog.search(`query ${i}`); // 25 misses
}

describe('CacheKit.report()', () => {
  it('says per cache whether it pays, with exact counts, store sample and evictions by cause (Redis)', async () => {
    // Redis 3 ms away, as across a network: the verdicts compare load times with store round trips,
    // and on loopback a pause of a millisecond in one of the flag's two loads could flip its verdict.
    proxy = await startFaultProxyProcess({ target: { port: Number(new URL(inject('redisUrl')).port) } });
    await proxy.set(faults.latency(3), { direction: 'down' });
    // Counts, not timing: a deadline generous enough that no store call times out on a busy machine.
    const { catalog, kit } = await boot({ redis: proxy.url, operationTimeout: 2_000 });
    await workload(catalog);
    await kit.evict(productById, 1);
    await kit.evictMany({ keys: [{ definition: productById, args: [3] }], tags: ['product:4'] }, { source: 'orm' });
    await kit.evictTags(['product:2']);
    await kit.clear('search');
    // On a busy machine an eviction can outlive its deadline and wait for a retry: let it land.
    expect(await kit.flushEvictions(5_000)).toBe(0);

    // The suite's Redis holds other tests' keys (100,000 at times): a scan cut short by the default
    // budget extrapolates, so this one reads the whole keyspace to count exactly.
    const report = await kit.report({ maxScannedKeys: 10_000_000, timeBudgetMs: 20_000 });
    const product = report.caches.product!;
    expect(product).toMatchObject({ lookups: 50, hits: 45, misses: 5, loads: 5, hitRatio: 0.9 });
    expect(product.meanLoadMs).toBeGreaterThanOrEqual(15);
    expect(product.savedMs).toBeCloseTo(45 * product.meanLoadMs!, 6);
    expect(product.verdict.kind).toBe('pays');
    expect(product.verdict.reason).toMatch(
      /^hit ratio 90% over \d+ s: hits saved .* of origin time for .* in the cache$/,
    );
    expect(product.evictions).toEqual({ key: 2, name: 0, orm: 1 });
    // Two of five entries were deleted by key; tag evictions leave entries in place until their TTL.
    expect(product.store).toMatchObject({ entries: 3, sampledKeys: 3 });
    expect(product.store!.bytes).toBeGreaterThan(3 * 32);
    expect(product.store!.ttl).toMatchObject({ under1m: 0, under10m: 3, under1h: 0 });

    const flag = report.caches.flag!;
    expect(flag).toMatchObject({ lookups: 30, hits: 28, misses: 2 });
    expect(flag.verdict.kind).toBe('costs');
    expect(flag.verdict.reason).toMatch(/^mean load .* ms is faster than a Redis round trip/);
    expect(flag.store!.ttl.under1m).toBe(2);

    const search = report.caches.search!;
    expect(search).toMatchObject({ lookups: 25, hits: 0, misses: 25 });
    expect(search.verdict).toEqual({
      kind: 'costs',
      reason: expect.stringMatching(/^hit ratio 0% over \d+ s: this cache costs more than it saves$/),
    });
    expect(search.evictions).toEqual({ key: 0, name: 1, orm: 0 });
    expect(search.store).toMatchObject({ entries: 25, ttl: { under1d: 25 } });

    expect(report.evictions).toEqual({ tags: 2, ormTags: 1 });
    expect(report.store).toMatchObject({ kind: 'redis', sampled: true, complete: true, masters: 1 });
    expect(report.store.redisEvictedKeys).toBeGreaterThanOrEqual(0);
    expect(report.caches).not.toHaveProperty('~tags');
  });

  it('slides: traffic older than the window no longer counts', async () => {
    const { catalog, kit } = await boot({ redis: inject('redisUrl'), report: { window: 3_000, step: 500 } });
    await workload(catalog);
    expect((await kit.report({ sampleStore: false })).caches.product!.lookups).toBe(50);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const later = await kit.report({ sampleStore: false });
    expect(later.caches.product).toMatchObject({ lookups: 0, verdict: { kind: 'idle' } });
    expect(later.window.ms).toBe(3_000);
    expect(later.window.coveredMs).toBeLessThanOrEqual(3_000);
    expect(later.store).toMatchObject({ sampled: false, note: 'not sampled (sampleStore: false)' });
  });

  it('samples every master of a Redis Cluster', async () => {
    // Exact counts: a fill timed out on a busy machine would be an entry fewer (a full run saw 24 of 25).
    const { catalog, kit } = await boot({ redis: { cluster: inject('clusterNodes') }, operationTimeout: 2_000 });
    await workload(catalog);
    const report = await kit.report();
    expect(report.store).toMatchObject({ sampled: true, complete: true, masters: 3 });
    expect(report.caches.product!.store!.entries).toBe(5);
    expect(report.caches.search!.store!.entries).toBe(25);
  });

  it('samples the memory store: entries per cache name, bytes of the stored payloads, TTLs', async () => {
    const { catalog, kit } = await boot({});
    await workload(catalog);
    await kit.evict(productById, 1); // deleted: 4 product entries left
    await kit.clear('search'); // a generation bump: the 25 entries stay until their TTL, as on Redis
    const report = await kit.report();
    expect(report.store).toMatchObject({ kind: 'memory', sampled: true, complete: true, scannedKeys: 31, masters: 1 });
    expect(report.store.note).toBeUndefined();
    const product = report.caches.product!;
    expect(product).toMatchObject({ lookups: 50, hits: 45 });
    expect(product.store).toMatchObject({ entries: 4, sampledKeys: 4, ttl: { under1m: 0, under10m: 4, under1h: 0 } });
    // A payload holds at least the value's fields ({ id, name: 'product n' }) and is far from a kilobyte.
    expect(product.store!.bytes).toBeGreaterThan(4 * 'product 1'.length);
    expect(product.store!.bytes).toBeLessThan(4 * 1_024);
    expect(report.caches.flag!.store).toMatchObject({ entries: 2, ttl: { under1m: 2 } });
    expect(report.caches.search!.store).toMatchObject({ entries: 25, ttl: { under1d: 25, longer: 0 } });
    expect(report.caches.search!.store!.ttl.p50Ms).toBeGreaterThan(60 * 60_000);
  });

  it('bounds the work on the memory store: a scan cut short extrapolates and says so', async () => {
    const { catalog, kit } = await boot({});
    await workload(catalog); // 32 entries
    const report = await kit.report({ maxScannedKeys: 8 });
    expect(report.store).toMatchObject({ kind: 'memory', sampled: true, complete: false, scannedKeys: 8 });
    expect(report.store.note).toMatch(/^scan stopped early: counts extrapolated \(x4\.0\)$/);
    const entries = Object.values(report.caches).reduce((sum, cache) => sum + (cache.store?.entries ?? 0), 0);
    expect(entries).toBeGreaterThanOrEqual(28);
    expect(entries).toBeLessThanOrEqual(36);
  });

  it('rejects a window shorter than its step where the module is declared', async () => {
    await expect(boot({ report: { window: '1m', step: '2m' } })).rejects.toThrow(
      /Option 'report' must have a 'step' no longer than its 'window'/,
    );
  });
});
