import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { EntityManager } from 'typeorm';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { Product } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { RestartableRedis, startRestartableRedis } from '../support/restartable-redis.js';
import { CatalogApp, Driver, bootCatalogApp } from '../support/typeorm-app.js';

const drivers: Driver[] = ['sqlite', 'postgres'];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe.each(drivers)('Redis down at COMMIT on %s', (driver) => {
  let redis: RestartableRedis;
  let c: CatalogApp | undefined;

  const boot = async () => {
    redis = await startRestartableRedis();
    c = await bootCatalogApp({
      driver,
      databaseUrl: inject('databaseUrl'),
      cache: {
        redis: redis.url,
        namespace: uniqueNamespace(),
        operationTimeout: '200ms',
        breaker: { failures: 2, cooldown: '100ms' },
        l1: { ttl: '1m' },
        evictionRetry: { initialDelay: '50ms', maxDelay: '300ms' },
      },
      bridge: { commitWait: '1s' },
    });
    return c;
  };
  afterEach(async () => {
    vi.restoreAllMocks();
    await c?.close();
    c = undefined;
    await redis.dispose();
  });

  it('queues the eviction, drops L1 at once, and evicts after Redis restarts on the same port', async () => {
    const { reader, dataSource, events, bridge } = await boot();
    await reader.product(1);
    const raw = new Redis(redis.url);
    await raw.set('sentinel', 'kept');
    raw.disconnect();
    await redis.stop();

    await dataSource.transaction((m) => rename(m, 1, 'Renamed while Redis was down'));
    expect(events).toMatchObject([{ outcome: 'queued', attempts: 1 }]);
    expect(bridge!.pendingEvictions).toBe(2); // the product entry and the category:1 tag
    // Fail-open meanwhile: the L1 copy is gone and Redis cannot answer, so the reader loads the new row.
    reader.loads = 0;
    expect(await reader.product(1)).toMatchObject({ name: 'Renamed while Redis was down' });
    expect(reader.loads).toBe(1);
    await sleep(500); // several retries fail
    expect(events.filter((e) => e.outcome !== 'queued')).toEqual([]);

    await redis.start();
    const check = new Redis(redis.url);
    // The restarted server kept its data (and so the pre-commit product entry) until the queue drains.
    expect(await check.get('sentinel')).toBe('kept');
    check.disconnect();
    await until(() => events.some((e) => e.outcome === 'retried'), 20_000);
    const retried = events.find((e) => e.outcome === 'retried')!;
    expect(retried.attempts).toBeGreaterThan(1);
    expect(retried.tags).toEqual(['category:1']);
    expect(bridge!.pendingEvictions).toBe(0);
    reader.loads = 0;
    expect(await reader.product(1)).toMatchObject({ name: 'Renamed while Redis was down' });
    expect(reader.loads).toBe(1);
  });

  it('reports queued evictions as dropped and logs them when the app shuts down with Redis still down', async () => {
    const { dataSource, events } = await boot();
    const errors = vi.spyOn(Logger.prototype, 'error');
    await redis.stop();
    await dataSource.transaction((m) => rename(m, 2, 'Never evicted'));
    await c!.close();
    c = undefined;
    expect(events.map((e) => e.outcome)).toEqual(['queued', 'dropped']);
    const logged = errors.mock.calls.map(([message]) => String(message)).find((m) => m.includes('unconfirmed'));
    expect(logged).toMatch(/1 committed eviction\(s\) were still unconfirmed at shutdown/);
    expect(logged).toMatch(/tag category:1/);
    expect(logged).toMatch(/stay cached until their TTL expires/);
  });
});
