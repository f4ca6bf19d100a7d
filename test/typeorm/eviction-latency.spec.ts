import type { EntityManager } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Product } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { CatalogApp, Driver, bootCatalogApp } from '../support/typeorm-app.js';

const drivers: Driver[] = ['sqlite', 'postgres'];
const COMMITS = 50;

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

// Reports the time from COMMIT returning to the store confirming the eviction; prints, never asserts on time.
describe.each(drivers)('post-commit eviction latency on %s with Redis', (driver) => {
  let c: CatalogApp;
  afterEach(() => c.close());

  it(`reports the median over ${COMMITS} commits`, async () => {
    c = await bootCatalogApp({
      driver,
      databaseUrl: inject('databaseUrl'),
      cache: { redis: inject('redisUrl'), namespace: uniqueNamespace(), operationTimeout: '1s' },
      bridge: { commitWait: '5s' },
    });
    for (let i = 0; i < COMMITS; i++) await c.dataSource.transaction((m) => rename(m, (i % 4) + 1, `n${i}`));
    const latencies = c.events.filter((e) => e.outcome === 'evicted').map((e) => e.latencyMs);
    expect(latencies).toHaveLength(COMMITS);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `[latency] ${driver}: COMMIT -> eviction confirmed over ${COMMITS} commits: ` +
        `median ${percentile(sorted, 0.5).toFixed(2)} ms, p95 ${percentile(sorted, 0.95).toFixed(2)} ms, ` +
        `max ${sorted.at(-1)!.toFixed(2)} ms`,
    );
  });
});
