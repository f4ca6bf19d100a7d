import { context } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKitOpenTelemetryModule, CacheKitTracing } from '../../lib/opentelemetry/index.js';
import { Product } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { bootCatalogApp } from '../support/typeorm-app.js';
import { AlsContextManager } from './als-context-manager.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
beforeAll(() => context.setGlobalContextManager(new AlsContextManager()));
afterAll(() => context.disable());

describe('post-commit evictions of the TypeORM bridge as spans', () => {
  it('makes one span per committed eviction, from the COMMIT to its outcome, with the cache names', async () => {
    const c = await bootCatalogApp({
      driver: 'sqlite',
      cache: { redis: inject('redisUrl'), namespace: uniqueNamespace() },
      metadata: { imports: [CacheKitOpenTelemetryModule.forRoot({ tracer })] },
    });
    try {
      c.app.get(CacheKitTracing).tracePostCommit(c.bridge!.events$);
      await c.dataSource.transaction((m) => m.save(Product, { id: 1, price: 99 }));
      await expect
        .poll(() => exporter.getFinishedSpans().filter((s) => s.name === 'cache.post_commit_evict').length)
        .toBe(1);
      const span = exporter.getFinishedSpans().find((s) => s.name === 'cache.post_commit_evict')!;
      expect(span.attributes).toMatchObject({
        'cache.name': ['orm.product'],
        'cache.outcome': 'evicted',
        'cache.evicted_keys': 1,
        'cache.data_source': 'default',
        'cache.store': 'redis',
      });
      expect(span.attributes['cache.evicted_tags']).toBeGreaterThanOrEqual(1);
      // The entry eviction itself shows too, as a cache.evict span of the same cache.
      expect(
        exporter
          .getFinishedSpans()
          .some((s) => s.name === 'cache.evict' && s.attributes['cache.name'] === 'orm.product'),
      ).toBe(true);
    } finally {
      await c.close();
    }
  });
});
