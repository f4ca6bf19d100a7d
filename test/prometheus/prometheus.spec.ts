// Uses the built package (run `npm run build` first; `npm test` does): `nestjs-cachekit/prometheus`
// through the exports map, next to the core, as an application would.
import { Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cacheable, CacheKit, CacheKitModule, defineCache, StaleWhileRevalidate } from 'nestjs-cachekit';
import type { CacheKitModuleOptions } from 'nestjs-cachekit';
import { CacheKitPrometheusError, CacheKitPrometheusModule } from 'nestjs-cachekit/prometheus';
import type { CacheKitPrometheusModuleOptions } from 'nestjs-cachekit/prometheus';
import { register, Registry } from 'prom-client';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { uniqueNamespace } from '../support/app.js';
import { freePort, startRedisServer } from '../support/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');

@Injectable()
class ProductService {
  loads = 0;
  failing = false;

  @Cacheable({ name: 'product', key: (id: number) => id, ttl: '1m' })
  async product(id: number): Promise<{ id: number }> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failing) throw new Error('database down');
    return { id };
  }
}

@Injectable()
class ReportService {
  failing = false;

  @StaleWhileRevalidate({ name: 'report', key: (id: string) => id, fresh: 100, stale: 5_000, jitter: 0 })
  async report(id: string): Promise<{ id: string }> {
    if (this.failing) throw new Error('report query failed');
    return { id };
  }
}

@Module({ providers: [ProductService, ReportService], exports: [ProductService, ReportService] })
class CatalogModule {}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function boot(options: CacheKitPrometheusModuleOptions, extra: CacheKitModuleOptions = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheKitModule.forRoot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), ...extra }),
      CacheKitPrometheusModule.forRoot(options),
      CatalogModule,
    ],
  }).compile();
  try {
    const app = await moduleRef.init();
    apps.push(app);
    return app;
  } catch (error) {
    await moduleRef.close();
    throw error;
  }
}

/** The value of one sample line of the text exposition, or undefined when it is absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('the nestjs-cachekit/prometheus subpath', () => {
  it('exposes the per-cache counters, read from CacheKit.stats() at scrape time', async () => {
    const registry = new Registry();
    const app = await boot({ registry });
    const products = app.get(ProductService);
    const kit = app.get(CacheKit);

    await products.product(1); // miss + load
    await products.product(1); // hit
    await products.product(1); // hit
    await products.product(2); // miss + load
    products.failing = true;
    await expect(products.product(3)).rejects.toThrow('database down'); // miss + load error
    await kit.evict(defineCache({ name: 'product', key: (id: number) => id }), 1);
    await kit.getOrSet('raw:greeting', async () => 'hello'); // a raw key: cache '~raw'

    const text = await registry.metrics();
    expect(text).toContain('# TYPE cachekit_hits_total counter');
    expect(sample(text, 'cachekit_hits_total{cache="product"}')).toBe(2);
    expect(sample(text, 'cachekit_misses_total{cache="product"}')).toBe(3);
    expect(sample(text, 'cachekit_loads_total{cache="product"}')).toBe(2);
    expect(sample(text, 'cachekit_load_errors_total{cache="product"}')).toBe(1);
    expect(sample(text, 'cachekit_evictions_total{cache="product",cause="key"}')).toBe(1);
    expect(sample(text, 'cachekit_stale_hits_total{cache="product"}')).toBe(0);
    expect(sample(text, 'cachekit_skipped_stores_total{cache="product"}')).toBe(0);
    expect(sample(text, 'cachekit_loads_total{cache="~raw"}')).toBe(1);

    // The histogram counts match the loads, by outcome; durations are in seconds.
    expect(text).toContain('# TYPE cachekit_load_duration_seconds histogram');
    expect(sample(text, 'cachekit_load_duration_seconds_count{cache="product",outcome="success"}')).toBe(2);
    expect(sample(text, 'cachekit_load_duration_seconds_count{cache="product",outcome="error"}')).toBe(1);
    expect(sample(text, 'cachekit_load_duration_seconds_count{cache="~raw",outcome="success"}')).toBe(1);
    const sum = sample(text, 'cachekit_load_duration_seconds_sum{cache="product",outcome="success"}')!;
    expect(sum).toBeGreaterThanOrEqual(0.008); // two loads of >= 5 ms
    expect(sum).toBeLessThan(2);
    expect(sample(text, 'cachekit_load_duration_seconds_bucket{le="+Inf",cache="product",outcome="success"}')).toBe(2);

    // Counters keep rising between scrapes (stats are since boot).
    products.failing = false;
    await products.product(2);
    expect(sample(await registry.metrics(), 'cachekit_hits_total{cache="product"}')).toBe(3);
    expect(register.getSingleMetric('cachekit_hits_total')).toBeUndefined(); // not on the global register
  });

  it('counts stale hits, refreshes and refresh errors, and times refreshes', async () => {
    const registry = new Registry();
    const app = await boot({ registry, prefix: 'shop_cache_', buckets: [0.01, 0.1, 1] });
    const reports = app.get(ReportService);
    await reports.report('q1');
    await new Promise((resolve) => setTimeout(resolve, 150)); // past fresh
    await reports.report('q1'); // stale hit, refresh succeeds
    await vi.waitFor(async () =>
      expect(
        sample(await registry.metrics(), 'shop_cache_refresh_duration_seconds_count{cache="report",outcome="success"}'),
      ).toBe(1),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    reports.failing = true;
    await reports.report('q1'); // stale hit, refresh fails
    await vi.waitFor(async () =>
      expect(
        sample(await registry.metrics(), 'shop_cache_refresh_duration_seconds_count{cache="report",outcome="error"}'),
      ).toBe(1),
    );
    const text = await registry.metrics();
    expect(sample(text, 'shop_cache_stale_hits_total{cache="report"}')).toBe(2);
    expect(sample(text, 'shop_cache_refreshes_total{cache="report"}')).toBe(2);
    expect(sample(text, 'shop_cache_refresh_errors_total{cache="report"}')).toBe(1);
    expect(text).toContain('shop_cache_refresh_duration_seconds_bucket{le="0.1",cache="report",outcome="success"}');
    expect(text).not.toContain('cachekit_');
  });

  it('exposes the store health: failures by direction, breakers, pending evictions, joiners', async () => {
    const server = await startRedisServer();
    const registry = new Registry();
    const app = await boot({ registry }, { redis: server.url, breaker: { failures: 2, cooldown: '10s' } });
    const products = app.get(ProductService);
    const kit = app.get(CacheKit);
    await Promise.all([products.product(1), products.product(1), products.product(1)]); // one load, two joiners
    const admin = new (await import('ioredis')).Redis(server.url);
    await admin.replicaof('127.0.0.1', String(await freePort())); // reads still work, writes are refused
    await products.product(7);
    await products.product(8);
    await kit.evict(defineCache({ name: 'product', key: (id: number) => id }), 1);

    const text = await registry.metrics();
    expect(sample(text, 'cachekit_joins_total{cache="product"}')).toBe(2);
    expect(sample(text, 'cachekit_store_failures_total{direction="write",kind="error"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'cachekit_store_failures_total{direction="read",kind="error"}')).toBe(0);
    expect(sample(text, 'cachekit_store_breaker_open{direction="write"}')).toBe(1);
    expect(sample(text, 'cachekit_store_breaker_open{direction="read"}')).toBe(0);
    expect(sample(text, 'cachekit_store_pending_evictions')).toBe(1);
    expect(sample(text, 'cachekit_store_errors_total{cache="product"}')).toBeGreaterThanOrEqual(2);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    admin.disconnect();
    await server.stop();
  });

  it('exposes the store calls in flight and queued, and those never sent, only under maxInFlight', async () => {
    const server = await startRedisServer();
    const registry = new Registry();
    const app = await boot({ registry }, { redis: server.url, maxInFlight: 2, operationTimeout: 1_000 });
    const products = app.get(ProductService);
    await products.product(0); // connected, scripts loaded
    const kit = app.get(CacheKit);
    // Its fill and bus message are done: the ten reads below are the only store calls.
    await vi.waitFor(() => expect(kit.storeStats().admission).toMatchObject({ inFlight: 0, queued: 0 }));
    server.freeze();
    const calls = Array.from({ length: 10 }, (_, i) => products.product(i + 1));
    await vi.waitFor(() => expect(kit.storeStats().admission).toMatchObject({ inFlight: 2, queued: 8 }), {
      interval: 1,
    });
    const during = await registry.metrics();
    expect(sample(during, 'cachekit_store_calls{state="in_flight"}')).toBe(2);
    expect(sample(during, 'cachekit_store_calls{state="queued"}')).toBe(8);
    await Promise.all(calls); // served by the origin: the store never answered
    const after = await registry.metrics();
    const gaveUp = sample(after, 'cachekit_store_calls_not_sent_total{reason="gave_up"}')!;
    const dropped = sample(after, 'cachekit_store_calls_not_sent_total{reason="dropped"}')!;
    const timedOut = sample(after, 'cachekit_store_failures_total{direction="read",kind="timeout"}')!;
    // Each read was sent (and timed out: a slot frees at its deadline) or never sent.
    expect(gaveUp + dropped).toBeGreaterThan(0);
    expect(timedOut + gaveUp + dropped).toBe(10);
    server.thaw();
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    await server.stop();

    const unbounded = new Registry();
    await boot({ registry: unbounded });
    expect(await unbounded.metrics()).not.toMatch(/cachekit_store_calls(_not_sent_total)?\{/);
  });

  it('counts skipped stores', async () => {
    const registry = new Registry();
    const app = await boot({ registry }, { maxValueBytes: 16 });
    await app.get(CacheKit).getOrSet('big', async () => 'x'.repeat(1_000));
    expect(sample(await registry.metrics(), 'cachekit_skipped_stores_total{cache="~raw"}')).toBe(1);
  });

  it('keeps two apps with their own registries apart, and leaves the registry (and events$) on close', async () => {
    const first = new Registry();
    const second = new Registry();
    const appA = await boot({ registry: first });
    const appB = await boot({ registry: second });
    await appA.get(ProductService).product(1);
    await appA.get(ProductService).product(1);
    await appB.get(ProductService).product(1);
    expect(sample(await first.metrics(), 'cachekit_hits_total{cache="product"}')).toBe(1);
    expect(sample(await second.metrics(), 'cachekit_hits_total{cache="product"}')).toBe(0);
    expect(sample(await second.metrics(), 'cachekit_loads_total{cache="product"}')).toBe(1);

    const kit = appA.get(CacheKit);
    const events = kit.events$ as unknown as { source: { observed: boolean } };
    expect(events.source.observed).toBe(true);
    await appA.close();
    apps.splice(apps.indexOf(appA), 1);
    expect(first.getMetricsAsArray()).toEqual([]);
    expect(events.source.observed).toBe(false); // nothing is built on the hit path any more
    expect(second.getSingleMetric('cachekit_hits_total')).toBeDefined();
  });

  it('refuses a second module on the same registry, naming the metric, and leaves the first intact', async () => {
    const registry = new Registry();
    await boot({ registry });
    const error = await boot({ registry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheKitPrometheusError);
    expect((error as Error).message).toContain(`'cachekit_hits_total' is already registered`);
    expect(registry.getMetricsAsArray()).toHaveLength(23);
    // A different prefix on the same registry is fine.
    await boot({ registry, prefix: 'other_' });
    expect(registry.getMetricsAsArray()).toHaveLength(46);
  });

  it('defaults to the global register and frees it on close', async () => {
    const app = await boot({});
    await app.get(ProductService).product(1);
    expect(sample(await register.metrics(), 'cachekit_loads_total{cache="product"}')).toBe(1);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    expect(register.getSingleMetric('cachekit_loads_total')).toBeUndefined();
  });

  it('rejects an invalid prefix or buckets where the module is declared', () => {
    expect(() => CacheKitPrometheusModule.forRoot({ prefix: 'bad-prefix' })).toThrow(CacheKitPrometheusError);
    expect(() => CacheKitPrometheusModule.forRoot({ prefix: 'bad-prefix' })).toThrow(/option 'prefix'/);
    expect(() => CacheKitPrometheusModule.forRoot({ buckets: [1, 0.5] })).toThrow(/option 'buckets'/);
    expect(() => CacheKitPrometheusModule.forRoot({ buckets: [] })).toThrow(/option 'buckets'/);
  });

  it('is the only part of the package that imports prom-client', () => {
    const importsPromClient = /from\s+['"]prom-client['"]|import\(\s*['"]prom-client['"]/;
    for (const [dir, suffix] of [
      ['lib', '.ts'],
      ['dist/lib', '.js'],
    ] as const) {
      const offenders = readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
        .map((entry) => join(entry.parentPath, entry.name))
        .filter((file) => !relative(join(ROOT, dir), file).startsWith('prometheus'))
        .filter((file) => importsPromClient.test(readFileSync(file, 'utf8')));
      expect(offenders).toEqual([]);
    }
  });
});
