import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { CacheKitModuleOptions } from '../../lib/index.js';
import { productById, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { Driver, throwawayDatabase } from '../support/typeorm-app.js';
import { WorkerProcess } from '../support/worker-process.js';
import { bootOutboxApp, until } from './outbox-app.js';

const WORKER = fileURLToPath(new URL('./outbox-crash.worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/lib/typeorm/index.js', import.meta.url));
const drivers: Driver[] = ['sqlite', 'postgres'];

describe.each(drivers)('outbox: a writer killed after COMMIT, before its eviction, on %s', (driver) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  });

  it('leaves its row, and the restarted instance relays it: the stale entry is evicted', async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npm run build' first ('npm test' does).`);
    const database = await throwawayDatabase(driver, inject('databaseUrl'));
    cleanups.push(() => database.drop());
    const namespace = uniqueNamespace();
    const cache: CacheKitModuleOptions = { redis: inject('redisUrl'), namespace, operationTimeout: '1s' };
    // A reader instance without the bridge; it also runs the outbox migration.
    const reader = await bootOutboxApp({ database: database.options, cache, outbox: false });
    cleanups.push(() => reader.close());
    await seedCatalog(reader.dataSource);
    expect(await reader.reader.product(1)).toMatchObject({ name: 'Lamp' });

    const writer = await WorkerProcess.start(WORKER, {
      redisUrl: inject('redisUrl'),
      namespace,
      database: database.options,
    });
    writer.send({ type: 'rename', id: 1, name: 'Lamp v2' });
    expect(await writer.exited).toBe('SIGKILL');

    // Committed, never evicted: the row is there and the entry is stale.
    expect(await reader.rows()).toBe(1);
    expect(await reader.cache.get(productById, 1)).toMatchObject({ name: 'Lamp' });

    const restarted = await bootOutboxApp({ database: database.options, cache, outbox: { relayAfter: '1ms' } });
    cleanups.push(() => restarted.close());
    await until(async () => (await restarted.rows()) === 0);
    expect(await reader.cache.get(productById, 1)).toBeUndefined();
    expect(await reader.reader.product(1)).toMatchObject({ name: 'Lamp v2' });
  });
});
