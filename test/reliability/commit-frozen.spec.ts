import type { EntityManager } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit } from '../../lib/index.js';
import { Product, productById } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { CatalogApp, bootCatalogApp } from '../support/typeorm-app.js';
import { Apps, DEADLINE_MS, MARGIN_MS, scenarioOptions, sleep, timed, until } from './reliability.helpers.js';

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

/**
 * Instance A runs the TypeORM bridge on PostgreSQL, with an L1; instance B shares its Redis and
 * namespace. Redis is frozen (SIGSTOP: sockets open, nothing answers) just before A commits.
 */
describe('post-commit eviction while Redis is frozen (PostgreSQL)', () => {
  const apps = new Apps();
  let server: RedisServer | undefined;
  let c: CatalogApp | undefined;
  afterEach(async () => {
    server?.thaw();
    await c?.close();
    c = undefined;
    await apps.close();
    await server?.stop();
    server = undefined;
  });

  it.each([
    ['longer than the deadline', 500],
    ['shorter than the deadline', 40],
  ])(
    'commitWait %s: the commit returns within it, nothing stale is read, the eviction lands after the thaw',
    async (_, commitWaitMs) => {
      server = await startRedisServer();
      const namespace = uniqueNamespace();
      c = await bootCatalogApp({
        driver: 'postgres',
        databaseUrl: inject('databaseUrl'),
        cache: scenarioOptions(server.url, namespace, {
          l1: { ttl: '1m' },
          evictionRetry: { initialDelay: '50ms', maxDelay: '300ms' },
        }),
        bridge: { commitWait: `${commitWaitMs}ms` },
      });
      const b: CacheKit = await apps.boot(scenarioOptions(server.url, namespace));
      const { reader, dataSource, events, cache: a } = c;
      expect(await reader.product(1)).toMatchObject({ name: 'Lamp' });
      expect(await b.get(productById, 1)).toMatchObject({ name: 'Lamp' });
      // The same transaction with Redis healthy: what the database alone costs.
      const baseline = await timed(() => dataSource.transaction((m) => rename(m, 2, 'Spot, renamed')));
      await until(async () => events.length === 1, 2_000, 10, 'the healthy eviction');
      expect(events[0]).toMatchObject({ outcome: 'evicted' });

      server.freeze();
      const commit = await timed(() => dataSource.transaction((m) => rename(m, 1, 'Brass lamp')));
      const committedAt = performance.now();
      console.log(
        `[faults] commit with Redis frozen, commitWait ${commitWaitMs} ms: ${commit.ms.toFixed(0)} ms ` +
          `(the same transaction with Redis healthy: ${baseline.ms.toFixed(0)} ms)`,
      );
      expect(commit.ms).toBeLessThan(baseline.ms + commitWaitMs + MARGIN_MS);

      // While frozen: A drops its L1 copy at once and serves the committed row from the database.
      reader.loads = 0;
      for (let i = 0; i < 3; i++) expect(await reader.product(1)).toMatchObject({ name: 'Brass lamp' });
      expect(reader.loads).toBe(3);
      expect(await a.get(productById, 1)).toBeUndefined();
      await until(async () => events.some((e) => e.outcome === 'queued'), DEADLINE_MS + MARGIN_MS, 10, 'queued');
      expect(a.storeStats().pendingEvictions).toBeGreaterThan(0);
      await sleep(400); // several retries time out meanwhile: none is reported as landed or lost
      expect(events.slice(1).map((e) => e.outcome)).toEqual(['queued']);

      server.thaw();
      await until(async () => events.some((e) => e.outcome === 'retried'), 5_000, 10, 'the eviction lands');
      const landedMs = performance.now() - committedAt;
      expect(events.slice(1).map((e) => e.outcome)).toEqual(['queued', 'retried']);
      expect(a.storeStats().pendingEvictions).toBe(0);
      expect(a.storeStats().droppedEvictions).toBe(0);
      // Landed in Redis: neither instance reads the pre-commit row from the cache any more.
      expect(await b.get(productById, 1)).toBeUndefined();
      expect(await reader.product(1)).toMatchObject({ name: 'Brass lamp' });
      expect(await b.get(productById, 1)).toMatchObject({ name: 'Brass lamp' });
      console.log(`[faults] the frozen commit's eviction landed ${landedMs.toFixed(0)} ms after the COMMIT`);
    },
  );
});
