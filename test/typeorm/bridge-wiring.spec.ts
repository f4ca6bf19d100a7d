import { INestApplicationContext } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModule } from '../../lib/index.js';
import {
  CacheEvictionEvent,
  CacheKitTypeOrm,
  CacheKitTypeOrmModule,
  CacheKitTypeOrmModuleOptions,
  cacheEntry,
  invalidate,
} from '../../lib/typeorm/index.js';
import {
  CatalogReader,
  Category,
  Product,
  READ_SOURCE,
  productById,
  productRule,
  productsInCategory,
  seedCatalog,
} from '../fixtures/catalog-orm.fixture.js';
import { EvictionListener } from '../fixtures/eviction-listener.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { CatalogApp, bootCatalogApp, throwawayDatabase } from '../support/typeorm-app.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function rename(manager: EntityManager, id: number, name: string): Promise<void> {
  const product = await manager.findOneByOrFail(Product, { id });
  product.name = name;
  await manager.save(product);
}

const cacheOptions = () => ({
  redis: inject('redisUrl'),
  namespace: uniqueNamespace(),
  operationTimeout: '1s' as const,
});

async function catalog(options: Partial<Parameters<typeof bootCatalogApp>[0]> = {}): Promise<CatalogApp> {
  const app = await bootCatalogApp({ driver: 'sqlite', cache: cacheOptions(), ...options });
  cleanups.push(() => app.close());
  return app;
}

/** A DataSource made by hand (no @nestjs/typeorm), initialized and seeded. */
async function plainDataSource(driver: 'sqlite' | 'postgres' = 'sqlite'): Promise<DataSource> {
  const database = await throwawayDatabase(driver, inject('databaseUrl'));
  const dataSource = new DataSource(database.options as DataSourceOptions);
  await dataSource.initialize();
  await seedCatalog(dataSource);
  cleanups.push(async () => {
    await dataSource.destroy();
    await database.drop();
  });
  return dataSource;
}

async function appOn(dataSource: DataSource, bridge: CacheKitTypeOrmModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheKitModule.forRoot(cacheOptions()), CacheKitTypeOrmModule.forRoot({ commitWait: '5s', ...bridge })],
    providers: [CatalogReader, { provide: READ_SOURCE, useValue: dataSource }],
  }).compile();
  const app: INestApplicationContext = await moduleRef.init();
  const events: CacheEvictionEvent[] = [];
  app.get(CacheKitTypeOrm).events$.subscribe((event) => events.push(event));
  return { app, events, reader: app.get(CatalogReader), cache: app.get(CacheKit) };
}

describe('wiring the bridge', () => {
  it('publishes eviction events on @nestjs/event-emitter when the app has it', async () => {
    const c = await catalog({ metadata: { imports: [EventEmitterModule.forRoot()], providers: [EvictionListener] } });
    const { received } = c.app.get(EvictionListener);
    received.length = 0; // the seed's inserts
    await c.dataSource.transaction((m) => rename(m, 1, 'Announced'));
    expect(c.events).toHaveLength(1);
    expect(received).toEqual(c.events);
  });

  it('works on a plain DataSource passed explicitly, and detaches from it at close', async () => {
    const dataSource = await plainDataSource();
    const { app, events, reader } = await appOn(dataSource, { dataSources: [dataSource], rules: [productRule] });
    await reader.product(1);
    await dataSource.transaction((m) => rename(m, 1, 'Plain'));
    expect(events).toMatchObject([{ outcome: 'evicted', dataSource: 'default' }]);
    expect(await reader.product(1)).toMatchObject({ name: 'Plain' });
    expect(dataSource.subscribers).toHaveLength(1);
    await app.close();
    expect(dataSource.subscribers).toHaveLength(0);
  });

  it('watches every DataSource of the app by default (here SQLite and PostgreSQL side by side)', async () => {
    const [sqlite, postgres] = await Promise.all([
      throwawayDatabase('sqlite'),
      throwawayDatabase('postgres', inject('databaseUrl')),
    ]);
    cleanups.push(
      () => sqlite.drop(),
      () => postgres.drop(),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot(cacheOptions()),
        TypeOrmModule.forRootAsync({ useFactory: () => sqlite.options }),
        TypeOrmModule.forRootAsync({
          name: 'warehouse',
          useFactory: () => ({ ...postgres.options, name: 'warehouse' }),
        }),
        CacheKitTypeOrmModule.forRoot({ rules: [productRule], commitWait: '5s' }),
      ],
    }).compile();
    const app = await moduleRef.init();
    cleanups.push(() => app.close());
    const events: CacheEvictionEvent[] = [];
    app.get(CacheKitTypeOrm).events$.subscribe((event) => events.push(event));
    const main = app.get(DataSource);
    const warehouse = app.get<DataSource>('warehouseDataSource');
    await main.getRepository(Category).insert({ id: 1, name: 'Lighting' });
    await warehouse.getRepository(Category).insert({ id: 1, name: 'Lighting' });
    await main.transaction((m) => m.save(Product, { id: 1, name: 'Lamp', price: 1, categoryId: 1 }));
    await warehouse.transaction((m) => m.save(Product, { id: 7, name: 'Crate', price: 2, categoryId: 1 }));
    expect(events.map((e) => [e.dataSource, e.keys])).toEqual([
      ['default', [`orm.product:${productById.keyOf([1])}`]],
      ['warehouse', [`orm.product:${productById.keyOf([7])}`]],
    ]);
  });

  it('applies the rules of every forFeature module', async () => {
    const categoryRule = invalidate(Category, ({ row }) => [`category:${row.id}`]);
    const c = await catalog({
      bridge: { rules: [] },
      metadata: {
        imports: [CacheKitTypeOrmModule.forFeature([productRule]), CacheKitTypeOrmModule.forFeature([categoryRule])],
      },
    });
    await c.dataSource.transaction(async (m) => {
      await rename(m, 4, 'Tall stool');
      await m.save(Category, { id: 3, name: 'Seating' });
    });
    expect(c.events[0]!.changes.map((change) => change.entity).sort()).toEqual(['Category', 'Product']);
    expect(c.events[0]!.tags).toEqual(['category:3']);
  });

  it('evicts a second time after `again`, removing what a lagging replica read re-cached meanwhile', async () => {
    const lagging = invalidate(Product, ({ row }) => [cacheEntry(productById, row.id)], { again: '150ms' });
    const c = await catalog({ bridge: { rules: [lagging] } });
    await sleep(200); // the seed's own second evictions
    c.events.length = 0;
    await c.dataSource.transaction((m) => rename(m, 1, 'Fresh'));
    // A reader on a replica that has not seen the commit yet caches the old row after the first eviction.
    await c.cache.set(productById, [1], { id: 1, name: 'Lamp', price: 30, categoryId: 1 });
    await sleep(400);
    expect(c.events.map((e) => [e.outcome, e.repeat])).toEqual([
      ['evicted', false],
      ['evicted', true],
    ]);
    expect(await c.cache.get(productById, 1)).toBeUndefined();
  });

  it('keeps two apps on one DataSource apart: each evicts its own cache and detaches only itself', async () => {
    const dataSource = await plainDataSource();
    const first = await appOn(dataSource, { dataSources: [dataSource], rules: [productRule] });
    const second = await appOn(dataSource, { dataSources: [dataSource], rules: [productRule] });
    cleanups.push(() => second.app.close());
    await first.reader.category(1);
    await second.reader.category(1);
    await dataSource.transaction((m) => rename(m, 2, 'Both see it'));
    expect(first.events).toHaveLength(1);
    expect(second.events).toHaveLength(1);
    await first.app.close();
    expect(dataSource.subscribers).toHaveLength(1);
    await dataSource.transaction((m) => rename(m, 2, 'Only the second'));
    expect(second.events).toHaveLength(2);
    expect(await second.reader.category(1)).toEqual(['Lamp', 'Only the second']);
    expect(await second.cache.get(productsInCategory, 1)).toEqual(['Lamp', 'Only the second']);
  });
});
