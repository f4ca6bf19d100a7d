import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, TypeOrmModuleOptions, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CacheKit, CacheKitModule, CacheKitModuleOptions } from '../../lib/index.js';
import { CacheKitCdc, CacheKitCdcModule, CacheKitCdcModuleOptions, CdcEvent } from '../../lib/cdc/index.js';
import { CatalogReader, READ_SOURCE, productRule, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { throwawayDatabase } from '../support/typeorm-app.js';

/** A PostgreSQL schema with the seeded catalogue, and a slot + publication name of its own. */
export interface CdcDatabase {
  url: string;
  options: TypeOrmModuleOptions;
  schema: string;
  slot: string;
  /** Runs SQL as a plain admin connection (no TypeORM entities, no bridge). */
  sql(text: string, params?: unknown[]): Promise<any[]>;
  drop(): Promise<void>;
}

/** Creates the schema, seeds it, sets REPLICA IDENTITY FULL on products (so `before` is the whole old row). */
export async function cdcDatabase(url: string): Promise<CdcDatabase> {
  const database = await throwawayDatabase('postgres', url);
  const schema = (database.options as { schema: string }).schema;
  const seeder = await new DataSource(database.options as never).initialize();
  await seedCatalog(seeder);
  await seeder.destroy();
  const admin = await new DataSource({ type: 'postgres', url, extra: { max: 2 } }).initialize();
  const slot = `cdc_${uniqueNamespace()
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()}`;
  await admin.query(`ALTER TABLE "${schema}"."orm_product" REPLICA IDENTITY FULL`);
  return {
    url,
    options: { ...database.options, synchronize: false },
    schema,
    slot,
    sql: (text, params) => admin.query(text, params),
    drop: async () => {
      // The slot can be dropped once no consumer streams it (a killed one is noticed within moments).
      for (let i = 0; i < 50; i++) {
        const found = await admin.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        if (found.length === 0) break;
        if (!found[0].active) {
          await admin.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.query(`DROP PUBLICATION IF EXISTS "${slot}"`);
      await admin.destroy();
      await database.drop();
    },
  };
}

export interface CdcApp {
  app: INestApplicationContext;
  cdc: CacheKitCdc;
  cache: CacheKit;
  reader: CatalogReader;
  events: CdcEvent[];
  close(): Promise<void>;
}

/** One app instance: CacheKitModule, TypeORM on the schema, the CDC consumer (rules: [productRule]). */
export async function bootCdcApp(
  db: CdcDatabase,
  cache: CacheKitModuleOptions,
  cdc: CacheKitCdcModuleOptions = {},
): Promise<CdcApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheKitModule.forRoot(cache),
      TypeOrmModule.forRootAsync({ useFactory: () => db.options }),
      CacheKitCdcModule.forRoot({
        rules: [productRule],
        slot: db.slot,
        publication: db.slot,
        retryInterval: '200ms',
        ...cdc,
      }),
    ],
    providers: [CatalogReader, { provide: READ_SOURCE, useExisting: getDataSourceToken() }],
  }).compile();
  const app = await moduleRef.init();
  const service = app.get(CacheKitCdc);
  const events: CdcEvent[] = [];
  service.events$.subscribe((event) => events.push(event));
  return {
    app,
    cdc: service,
    cache: app.get(CacheKit),
    reader: app.get(CatalogReader),
    events,
    close: () => app.close(),
  };
}

/** Polls until `condition` holds (or throws after `timeoutMs`). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
