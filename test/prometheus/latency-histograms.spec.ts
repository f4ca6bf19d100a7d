// Uses the built package (run `npm run build` first; `npm test` does), as an application would.
import { Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cacheable, CacheKit, CacheKitModule } from 'nestjs-cachekit';
import { CacheKitPrometheusError, CacheKitPrometheusModule } from 'nestjs-cachekit/prometheus';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniqueNamespace } from '../support/app.js';

@Injectable()
class ProductService {
  @Cacheable({ name: 'product', key: (id: number) => id, ttl: '1m' })
  async product(id: number): Promise<{ id: number }> {
    await new Promise((resolve) => setTimeout(resolve, 3));
    return { id };
  }
}

@Module({ providers: [ProductService], exports: [ProductService] })
class CatalogModule {}

// A provider the factory of forRootAsync injects, as an app's metrics module would.
const REGISTRY = Symbol('REGISTRY');
@Module({ providers: [{ provide: REGISTRY, useFactory: () => new Registry() }], exports: [REGISTRY] })
class MetricsModule {}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function boot() {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheKitModule.forRoot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), latencySampling: 1 }),
      CacheKitPrometheusModule.forRootAsync({
        imports: [MetricsModule],
        useFactory: async (registry: Registry) => ({ registry, prefix: 'shop_' }),
        inject: [REGISTRY],
      }),
      CatalogModule,
    ],
  }).compile();
  const app = await moduleRef.init();
  apps.push(app);
  return app;
}

function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('lookup latency in Prometheus', () => {
  it('exposes a histogram per cache and outcome with the exact counts of a scripted workload (forRootAsync)', async () => {
    const app = await boot();
    const products = app.get(ProductService);
    await products.product(1); // miss
    await products.product(2); // miss
    for (let i = 0; i < 3; i++) await products.product(1); // 3 store hits

    const text = await app.get<Registry>(REGISTRY).metrics();
    const name = 'shop_lookup_duration_seconds';
    expect(text).toContain(`# TYPE ${name} histogram`);
    expect(sample(text, `${name}_count{cache="product",outcome="miss"}`)).toBe(2);
    expect(sample(text, `${name}_count{cache="product",outcome="store_hit"}`)).toBe(3);
    expect(sample(text, `${name}_bucket{le="+Inf",cache="product",outcome="store_hit"}`)).toBe(3);
    // No L1 here: that outcome has no series at all rather than zeros.
    expect(text).not.toContain('outcome="l1_hit"');

    // Buckets are cumulative and end at the count; the sum is in seconds and matches stats().
    const buckets = text
      .split('\n')
      .filter((l) => l.startsWith(`${name}_bucket{`) && l.includes('outcome="miss"'))
      .map((l) => Number(l.split(' ').pop()));
    expect(buckets.length).toBe(18); // 17 default bounds and +Inf
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    expect(buckets.at(-1)).toBe(2);
    const missTotalMs = app.get(CacheKit).stats().product!.latency.miss.totalMs;
    expect(sample(text, `${name}_sum{cache="product",outcome="miss"}`)).toBeCloseTo(missTotalMs / 1000, 9);
    // Each miss waited for a 3 ms load: none is at or under 1 ms.
    expect(sample(text, `${name}_bucket{le="0.001",cache="product",outcome="miss"}`)).toBe(0);
  });

  it('checks the factory and what it returns', async () => {
    expect(() => CacheKitPrometheusModule.forRootAsync({} as never)).toThrow(CacheKitPrometheusError);
    const compiling = Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot({ namespace: uniqueNamespace() }),
        CacheKitPrometheusModule.forRootAsync({ useFactory: () => ({ latencyBuckets: [0.1, 0.01] }) }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/'latencyBuckets' must be a non-empty list/);
  });
});
