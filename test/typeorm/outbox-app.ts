import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, TypeOrmModuleOptions, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CacheKit, CacheKitModule, CacheKitModuleOptions, Duration } from '../../lib/index.js';
import {
  CacheEvictionEvent,
  CacheKitOutboxMigration,
  CacheKitTypeOrm,
  CacheKitTypeOrmModule,
} from '../../lib/typeorm/index.js';
import type { OutboxOptions } from '../../lib/typeorm/index.js';
import { CatalogReader, READ_SOURCE, productRule } from '../fixtures/catalog-orm.fixture.js';

export interface OutboxApp {
  app: INestApplicationContext;
  dataSource: DataSource;
  reader: CatalogReader;
  cache: CacheKit;
  events: CacheEvictionEvent[];
  /** Rows in the outbox table now. */
  rows(): Promise<number>;
  close(): Promise<void>;
}

/**
 * One app instance on a database that outlives it (so a second instance can boot on what the
 * first left behind): CacheKitModule, TypeORM with the outbox migration run at init, and the
 * bridge with the outbox (or without the bridge when `outbox` is false).
 */
export async function bootOutboxApp(options: {
  database: TypeOrmModuleOptions;
  cache: CacheKitModuleOptions;
  outbox: OutboxOptions | false;
  commitWait?: Duration;
}): Promise<OutboxApp> {
  const typeorm = {
    ...options.database,
    migrations: [CacheKitOutboxMigration],
    migrationsRun: true,
  } as TypeOrmModuleOptions;
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheKitModule.forRoot(options.cache),
      TypeOrmModule.forRootAsync({ useFactory: () => typeorm }),
      ...(options.outbox === false
        ? []
        : [
            CacheKitTypeOrmModule.forRoot({
              rules: [productRule],
              outbox: options.outbox,
              commitWait: options.commitWait ?? '1s',
            }),
          ]),
    ],
    providers: [CatalogReader, { provide: READ_SOURCE, useExisting: getDataSourceToken() }],
  }).compile();
  const app = await moduleRef.init();
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const events: CacheEvictionEvent[] = [];
  if (options.outbox !== false) app.get(CacheKitTypeOrm).events$.subscribe((event) => events.push(event));
  const schema = (options.database as { schema?: string }).schema;
  const table = schema ? `"${schema}"."cachekit_outbox"` : 'cachekit_outbox';
  return {
    app,
    dataSource,
    reader: app.get(CatalogReader),
    cache: app.get(CacheKit),
    events,
    rows: async () => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n),
    close: () => app.close(),
  };
}

/** Polls until `condition` holds (or throws after `timeoutMs`). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
