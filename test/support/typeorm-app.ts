import { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, TypeOrmModuleOptions, getDataSourceToken } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CacheKit, CacheKitModule, CacheKitModuleOptions } from '../../lib/index.js';
import {
  CacheEvictionEvent,
  CacheKitTypeOrm,
  CacheKitTypeOrmModule,
  CacheKitTypeOrmModuleOptions,
} from '../../lib/typeorm/index.js';
import { CatalogReader, ENTITIES, READ_SOURCE, productRule, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from './app.js';

export type Driver = 'sqlite' | 'postgres';

export interface CatalogAppOptions {
  driver: Driver;
  /** PostgreSQL server (inject('databaseUrl')); required for 'postgres'. */
  databaseUrl?: string;
  cache: CacheKitModuleOptions;
  /** Options of CacheKitTypeOrmModule (rules default to [productRule]); false leaves the module out. */
  bridge?: CacheKitTypeOrmModuleOptions | false;
  /** Readers use a second connection pool / database handle (SQLite: WAL, so they see committed rows only). */
  separateReader?: boolean;
  metadata?: ModuleMetadata;
}

export interface CatalogApp {
  app: INestApplicationContext;
  dataSource: DataSource;
  reader: CatalogReader;
  cache: CacheKit;
  bridge?: CacheKitTypeOrm;
  /** Every eviction event since the seed. */
  events: CacheEvictionEvent[];
  close(): Promise<void>;
}

/** A throwaway database for one app: a PostgreSQL schema, or an SQLite file in a temp dir. */
export async function throwawayDatabase(
  driver: Driver,
  databaseUrl?: string,
): Promise<{ options: TypeOrmModuleOptions; drop(): Promise<void> }> {
  const common = { entities: ENTITIES, synchronize: true, retryAttempts: 1, retryDelay: 100 };
  if (driver === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cachekit-sqlite-'));
    return {
      options: { ...common, type: 'better-sqlite3', database: join(dir, 'catalog.sqlite'), enableWAL: true },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!databaseUrl) throw new Error('throwawayDatabase(postgres) needs the databaseUrl');
  const schema = `s_${uniqueNamespace()
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()}`;
  await adminQuery(databaseUrl, `CREATE SCHEMA "${schema}"`);
  return {
    options: { ...common, type: 'postgres', url: databaseUrl, schema, extra: { max: 20 } },
    drop: () => adminQuery(databaseUrl, `DROP SCHEMA "${schema}" CASCADE`),
  };
}

/** Boots CacheKitModule + TypeOrmModule (+ the bridge) on a seeded catalogue; close() removes everything. */
export async function bootCatalogApp(options: CatalogAppOptions): Promise<CatalogApp> {
  const database = await throwawayDatabase(options.driver, options.databaseUrl);
  const bridge = options.bridge === false ? false : { rules: [productRule], ...options.bridge };
  const readerToken = options.separateReader ? getDataSourceToken('reads') : getDataSourceToken();
  let app: INestApplicationContext | undefined;
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot(options.cache),
        TypeOrmModule.forRootAsync({ useFactory: () => database.options }),
        ...(options.separateReader
          ? [
              TypeOrmModule.forRootAsync({
                name: 'reads',
                useFactory: () => ({ ...database.options, name: 'reads', synchronize: false }),
              }),
            ]
          : []),
        ...(bridge ? [CacheKitTypeOrmModule.forRoot({ dataSources: ['default'], ...bridge })] : []),
        ...(options.metadata?.imports ?? []),
      ],
      providers: [
        CatalogReader,
        { provide: READ_SOURCE, useFactory: (source: DataSource) => source, inject: [readerToken] },
        ...(options.metadata?.providers ?? []),
      ],
    }).compile();
    app = await moduleRef.init();
    const dataSource = app.get<DataSource>(getDataSourceToken());
    await seedCatalog(dataSource);
    const events: CacheEvictionEvent[] = [];
    const bridgeService = bridge ? app.get(CacheKitTypeOrm) : undefined;
    bridgeService?.events$.subscribe((event) => events.push(event));
    const reader = app.get(CatalogReader);
    const running = app;
    return {
      app: running,
      dataSource,
      reader,
      cache: app.get(CacheKit),
      bridge: bridgeService,
      events,
      close: async () => {
        await running.close();
        await database.drop();
      },
    };
  } catch (error) {
    await app?.close();
    await database.drop();
    throw error;
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const admin = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
  try {
    await admin.query(sql);
  } finally {
    await admin.destroy();
  }
}
