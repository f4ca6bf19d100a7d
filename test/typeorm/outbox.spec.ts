import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKitTypeOrmModule, OutboxError } from '../../lib/typeorm/index.js';
import { Product, productById, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { RestartableRedis, startRestartableRedis } from '../support/restartable-redis.js';
import { Driver, throwawayDatabase } from '../support/typeorm-app.js';
import { OutboxApp, bootOutboxApp, until } from './outbox-app.js';

const drivers: Driver[] = ['sqlite', 'postgres'];

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

describe.each(drivers)('transactional outbox on %s', (driver) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  });

  async function setup(redisUrl = inject('redisUrl')) {
    const database = await throwawayDatabase(driver, inject('databaseUrl'));
    cleanups.push(() => database.drop());
    const namespace = uniqueNamespace();
    const boot = async (outbox: Parameters<typeof bootOutboxApp>[0]['outbox'] = { relayAfter: '1ms' }) => {
      const app = await bootOutboxApp({
        database: database.options,
        cache: { redis: redisUrl, namespace, operationTimeout: '200ms', evictionRetry: { initialDelay: '50ms' } },
        outbox,
      });
      cleanups.push(() => app.close());
      return app;
    };
    return { boot, seed: (app: OutboxApp) => seedCatalog(app.dataSource) };
  }

  it('evicts after COMMIT as before and deletes the row once the store confirmed', async () => {
    const { boot, seed } = await setup();
    const app = await boot();
    await seed(app);
    await until(async () => (await app.rows()) === 0);
    app.events.length = 0;
    expect(await app.reader.product(1)).toMatchObject({ name: 'Lamp' });

    await app.dataSource.transaction((m) => rename(m, 1, 'Lamp v2'));

    expect(app.events).toMatchObject([{ outcome: 'evicted' }]);
    await until(async () => (await app.rows()) === 0);
    expect(await app.reader.product(1)).toMatchObject({ name: 'Lamp v2' });
  });

  it('a rollback, or a COMMIT the database refuses, leaves no row and evicts nothing', async () => {
    const { boot, seed } = await setup();
    const app = await boot({ relayAfter: '1ms', relayInterval: '1h' });
    await seed(app);
    await until(async () => (await app.rows()) === 0);
    app.events.length = 0;

    await expect(
      app.dataSource.transaction(async (m) => {
        await rename(m, 1, 'Rolled back');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    if (driver === 'postgres') {
      // The deferred foreign key fails at COMMIT, after the outbox row was written in the transaction.
      await expect(
        app.dataSource.transaction(async (m) => {
          const product = await m.findOneByOrFail(Product, { id: 2 });
          product.categoryId = 99;
          await m.save(product);
        }),
      ).rejects.toThrow();
    }

    expect(await app.rows()).toBe(0);
    expect(app.events).toEqual([]);
  });

  it('Redis down until shutdown: the row stays, and the next instance relays it at boot', async () => {
    const redis: RestartableRedis = await startRestartableRedis();
    cleanups.push(() => redis.dispose());
    const { boot, seed } = await setup(redis.url);
    const first = await boot({ relayAfter: '1ms', relayInterval: '1h' });
    await seed(first);
    await until(async () => (await first.rows()) === 0);
    expect(await first.reader.product(3)).toMatchObject({ name: 'Desk' });
    await redis.stop();

    await first.dataSource.transaction((m) => rename(m, 3, 'Desk v2'));
    expect(await first.rows()).toBe(1);
    await first.close();
    expect(first.events.map((e) => e.outcome).slice(-2)).toEqual(['queued', 'dropped']);

    await redis.start();
    const probe = await boot(false);
    // The old entry survived: nothing evicted it yet.
    expect(await probe.cache.get(productById, 3)).toMatchObject({ name: 'Desk' });
    const second = await boot({ relayAfter: '1ms', relayInterval: '1h' });
    await until(async () => (await second.rows()) === 0);
    expect(await probe.cache.get(productById, 3)).toBeUndefined();
    expect(await second.reader.product(3)).toMatchObject({ name: 'Desk v2' });
  });

  it('the periodic relay leaves young rows to their writer and takes them once older than relayAfter', async () => {
    const redis: RestartableRedis = await startRestartableRedis();
    cleanups.push(() => redis.dispose());
    const { boot, seed } = await setup(redis.url);
    const app = await boot({ relayAfter: '1s', relayInterval: '100ms' });
    await seed(app);
    await until(async () => (await app.rows()) === 0);
    await app.reader.product(4);
    await redis.stop();
    await app.dataSource.transaction((m) => rename(m, 4, 'Stool v2'));
    await redis.start();
    // Whichever lands first (the retry queue or the relay), the row ends deleted and the entry evicted.
    await until(async () => (await app.rows()) === 0, 15_000);
    expect(await app.cache.get(productById, 4)).toBeUndefined();
  });
});

describe('outbox misconfiguration', () => {
  it('refuses to boot when the outbox table was never created, naming the migration', async () => {
    const database = await throwawayDatabase('sqlite');
    try {
      const boot = bootApp(
        { namespace: uniqueNamespace() },
        {
          imports: [
            TypeOrmModule.forRootAsync({ useFactory: () => database.options }),
            CacheKitTypeOrmModule.forRoot({ outbox: true }),
          ],
        },
      );
      await expect(boot).rejects.toThrow(OutboxError);
      await expect(boot).rejects.toThrow(/cachekit_outbox.*CacheKitOutboxMigration/s);
    } finally {
      await database.drop();
    }
  });

  it.each([
    [{ table: 'bad name' }, /option 'outbox.table'.*'bad name'/],
    [{ relayBatch: 0 }, /option 'outbox.relayBatch' must be a positive integer; got 0/],
    [{ relayInterval: 'soon' }, /outbox.relayInterval/],
    [{ every: '1s' }, /Unknown option 'every' in CacheKitTypeOrmModule option 'outbox'/],
    ['yes', /option 'outbox' takes true or/],
  ])('refuses outbox option %j at boot, naming it', async (outbox, message) => {
    const boot = bootApp(
      { namespace: uniqueNamespace() },
      {
        imports: [
          TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:' }),
          CacheKitTypeOrmModule.forRoot({ outbox: outbox as never }),
        ],
      },
    );
    await expect(boot).rejects.toThrow(message);
  });
});
