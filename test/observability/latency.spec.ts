import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Cacheable, CacheKit, StaleWhileRevalidate } from '../../lib/index.js';
import { LATENCY_BOUNDS_MS, LatencyHistogram } from '../../lib/observability/latency-histogram.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

@Injectable()
class ProductService {
  loads = 0;

  @Cacheable({ name: 'product', key: (id: number) => id, ttl: '1m' })
  async product(id: number): Promise<{ id: number }> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { id };
  }

  @StaleWhileRevalidate({ name: 'report', key: (id: number) => id, fresh: 100, stale: 10_000, jitter: 0 })
  async report(id: number): Promise<{ id: number; at: number }> {
    this.loads++;
    return { id, at: Date.now() };
  }
}

@Module({ providers: [ProductService], exports: [ProductService] })
class CatalogModule {}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function boot(namespace: string, l1: boolean, latencySampling = 1) {
  // Counts, not timing: a deadline generous enough that no store call times out on a busy machine
  // (a timed-out read is a miss, and the exact counts below would drift).
  const app = await bootApp(
    {
      redis: inject('redisUrl'),
      namespace,
      latencySampling,
      operationTimeout: 2_000,
      ...(l1 ? { l1: { ttl: '1m' } } : {}),
    },
    { imports: [CatalogModule] },
  );
  apps.push(app);
  return app;
}

describe('latency by outcome', () => {
  it('puts every call of a scripted workload in its outcome histogram, counts equal to the counters', async () => {
    const namespace = uniqueNamespace();
    const plain = await boot(namespace, false);
    const products = plain.get(ProductService);
    for (const id of [1, 2, 3]) await products.product(id); // 3 misses, 3 loads
    for (const id of [1, 2, 3, 1, 2]) await products.product(id); // 5 store hits
    await Promise.all([products.product(4), products.product(4), products.product(4)]); // 3 misses, 1 load

    const withL1 = await boot(namespace, true);
    const local = withL1.get(ProductService);
    await local.product(1); // a store hit, which fills L1
    await local.product(1); // an L1 hit
    await local.product(1); // an L1 hit

    let stats = plain.get(CacheKit).stats().product!;
    expect(stats.latency.miss.count).toBe(6);
    expect(stats.misses).toBe(6);
    expect(stats.latency.storeHit.count).toBe(5);
    expect(stats.latency.l1Hit.count).toBe(0);
    expect(stats.latency.load.count).toBe(4);
    expect(stats.loads).toBe(4);
    expect(stats.latency.storeHit.count + stats.latency.l1Hit.count).toBe(stats.hits);
    // The loader sleeps 5 ms; a quantile is the upper bound of its bucket, never below what was seen.
    expect(stats.latency.load.p50Ms).toBeGreaterThanOrEqual(4);
    expect(stats.latency.miss.p50Ms).toBeGreaterThanOrEqual(stats.latency.load.p50Ms * 0.8);
    expect(stats.latency.storeHit.p99Ms).toBeLessThanOrEqual(stats.latency.storeHit.maxMs);

    stats = withL1.get(CacheKit).stats().product!;
    expect(stats.latency.storeHit.count).toBe(1);
    expect(stats.latency.l1Hit.count).toBe(2);
    expect(stats.latency.miss.count).toBe(0);
    expect(stats.hits).toBe(3);
  });

  it('counts stale hits apart, and the refresh they start as a load', async () => {
    const app = await boot(uniqueNamespace(), false);
    const products = app.get(ProductService);
    await products.report(1); // miss
    await new Promise((resolve) => setTimeout(resolve, 150));
    await products.report(1); // stale hit, refreshed in the background
    const kit = app.get(CacheKit);
    await expect.poll(() => kit.stats().report!.loads).toBe(2);
    const { latency, staleHits } = kit.stats().report!;
    expect(latency.staleHit.count).toBe(1);
    expect(staleHits).toBe(1);
    expect(latency.miss.count).toBe(1);
    expect(latency.storeHit.count).toBe(0);
    expect(latency.load.count).toBe(2);
  });
});

describe('latency sampling', () => {
  it('times one lookup in latencySampling per cache name (default 16), the counters stay exact', async () => {
    const app = await boot(uniqueNamespace(), false, 8);
    const products = app.get(ProductService);
    for (let i = 0; i < 18; i++) await products.product(1); // call 0 misses, 17 hits
    const stats = app.get(CacheKit).stats().product!;
    expect(stats).toMatchObject({ hits: 17, misses: 1, loads: 1 });
    expect(stats.latency.miss.count).toBe(1); // call 0
    expect(stats.latency.storeHit.count).toBe(2); // calls 8 and 16
    expect(stats.latency.load.count).toBe(1); // every load is timed
  });

  it('rejects a latencySampling that is not a positive integer', async () => {
    await expect(bootApp({ latencySampling: 0.5 })).rejects.toThrow(
      /Option 'latencySampling' must be a positive integer/,
    );
  });
});

describe('LatencyHistogram', () => {
  it('has ten bounds per decade from 1 µs, Prometheus defaults among them', () => {
    expect(LATENCY_BOUNDS_MS[0]).toBe(0.001);
    expect(LATENCY_BOUNDS_MS.length).toBe(80);
    for (const ms of [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000]) {
      expect(LATENCY_BOUNDS_MS.includes(ms)).toBe(true);
    }
  });

  it('puts a value in the first bucket whose bound is at least the value', () => {
    const histogram = new LatencyHistogram();
    for (const ms of [0.0005, 1, 1.01, 2.5, 99_999]) histogram.observe(ms);
    expect(histogram.counts[0]).toBe(1);
    expect(histogram.counts[LATENCY_BOUNDS_MS.indexOf(1)]).toBe(1);
    expect(histogram.counts[LATENCY_BOUNDS_MS.indexOf(1.25)]).toBe(1);
    expect(histogram.counts[LATENCY_BOUNDS_MS.indexOf(2.5)]).toBe(1);
    expect(histogram.counts[LATENCY_BOUNDS_MS.length]).toBe(1);
    expect(histogram.countAtMost(2.5)).toBe(4);
  });

  it('reads quantiles from the buckets, within one bucket of the true value', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) histogram.observe(i / 10); // 0.1 .. 100 ms
    const summary = histogram.summary();
    expect(summary.count).toBe(1000);
    expect(summary.p50Ms).toBeGreaterThanOrEqual(50);
    expect(summary.p50Ms).toBeLessThanOrEqual(50 * 1.25);
    expect(summary.p99Ms).toBeGreaterThanOrEqual(99);
    expect(summary.p99Ms).toBeLessThanOrEqual(100);
    expect(summary.meanMs).toBeCloseTo(50.05, 5);
  });
});
