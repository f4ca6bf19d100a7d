import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { productById } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { PostgresServer, logicalReplicationUnavailable, startPostgres } from '../support/postgres.js';
import { RestartableRedis, startRestartableRedis } from '../support/restartable-redis.js';
import { WorkerProcess } from '../support/worker-process.js';
import { CdcApp, CdcDatabase, bootCdcApp, cdcDatabase, until } from './cdc-app.js';

const WORKER = fileURLToPath(new URL('./cdc-consumer.worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/lib/cdc/index.js', import.meta.url));

/** Retries a query whose pooled connection may have died with the server restart. */
async function retried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

let skip: string | undefined;
beforeAll(async () => {
  skip = await logicalReplicationUnavailable(inject('databaseUrl'));
  if (skip) console.warn(skip);
});

describe('CDC consumer faults, with real processes', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  });

  it('the holder killed after a COMMIT arrived, before Redis confirmed: the standby takes the slot over and evicts', async (ctx) => {
    if (skip) return ctx.skip();
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npm run build' first ('npm test' does).`);
    const redis: RestartableRedis = await startRestartableRedis();
    cleanups.push(() => redis.dispose());
    const db: CdcDatabase = await cdcDatabase(inject('databaseUrl'));
    cleanups.push(() => db.drop());
    const namespace = uniqueNamespace();
    const cache = { redis: redis.url, namespace, operationTimeout: '300ms', evictionRetry: { initialDelay: '50ms' } };

    const holder = await WorkerProcess.start(WORKER, {
      redisUrl: redis.url,
      namespace,
      slot: db.slot,
      database: db.options,
    });
    cleanups.push(() => holder.kill());
    await until(() => holder.saw('active'));
    const standby: CdcApp = await bootCdcApp(db, cache as never);
    cleanups.push(() => standby.close());
    await until(() => standby.cdc.stats().state === 'standby');
    expect(await standby.reader.product(1)).toMatchObject({ name: 'Lamp' });

    await redis.stop(); // Redis down while the change streams: the holder cannot get it confirmed
    await db.sql(`UPDATE "${db.schema}".orm_product SET name = 'Lamp v2' WHERE id = 1`);
    await until(() => holder.saw('received'));
    expect(await holder.kill()).toBe('SIGKILL');
    expect(holder.saw('evicted')).toBe(false);

    await redis.start();
    await until(() => standby.cdc.stats().state === 'active', 30_000);
    // Waits for the eviction itself (a read right after Redis restarts may miss for other reasons).
    await until(() => standby.events.some((e) => e.type === 'evicted'), 30_000);
    expect(await standby.cache.get(productById, 1)).toBeUndefined();
    expect(await standby.reader.product(1)).toMatchObject({ name: 'Lamp v2' });
    // The very transaction the holder received and never acknowledged was replayed to the new holder.
    const received = holder.messages.find((m) => m.type === 'received') as unknown as { lsn: string };
    const evicted = standby.events.filter((e) => e.type === 'evicted');
    expect(evicted).toMatchObject([{ lsn: received.lsn, keys: ['orm.product:#1'] }]);
  }, 90_000);

  it('PostgreSQL restarted under the consumer: it reconnects and evicts what was committed during and after', async (ctx) => {
    if (skip) return ctx.skip();
    let server: PostgresServer;
    try {
      server = await startPostgres();
    } catch (error) {
      return ctx.skip(`no private PostgreSQL server to restart: ${(error as Error).message}`);
    }
    cleanups.push(() => server.stop());
    const db = await cdcDatabase(server.url);
    cleanups.push(() => db.drop());
    const c = await bootCdcApp(db, { redis: inject('redisUrl'), namespace: uniqueNamespace(), operationTimeout: '1s' });
    cleanups.push(() => c.close());
    await until(() => c.cdc.stats().state === 'active');
    await c.reader.product(2);
    await c.reader.product(3);

    await db.sql(`UPDATE "${db.schema}".orm_product SET name = 'Spot v2' WHERE id = 2`);
    await server.restart();
    await retried(() => db.sql(`UPDATE "${db.schema}".orm_product SET name = 'Desk v2' WHERE id = 3`));

    await until(async () => (await c.cache.get(productById, 3)) === undefined, 30_000);
    expect(await c.cache.get(productById, 2)).toBeUndefined();
    expect(await retried(() => c.reader.product(2))).toMatchObject({ name: 'Spot v2' });
    expect(await c.reader.product(3)).toMatchObject({ name: 'Desk v2' });
  }, 90_000);
});
