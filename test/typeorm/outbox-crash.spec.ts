import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { CacheKitModuleOptions } from '../../lib/index.js';
import { productById, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { Driver, throwawayDatabase } from '../support/typeorm-app.js';
import { bootOutboxApp, until } from './outbox-app.js';

const WORKER = fileURLToPath(new URL('./outbox-crash.worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/lib/typeorm/index.js', import.meta.url));
const drivers: Driver[] = ['sqlite', 'postgres'];

function startWriter(config: object): Promise<ChildProcess> {
  const child = fork(WORKER, [], { env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) } });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the writer process exited (${code}) before it was ready`)));
  });
}

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

    const writer = await startWriter({ redisUrl: inject('redisUrl'), namespace, database: database.options });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      writer.once('exit', (_code, signal) => resolve(signal)),
    );
    writer.send({ type: 'rename', id: 1, name: 'Lamp v2' });
    expect(await exited).toBe('SIGKILL');

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
