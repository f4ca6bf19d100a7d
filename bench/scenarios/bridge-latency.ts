import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicModule, INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectDataSource, TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { CacheKitModule, Cacheable, defineCache } from '../../lib/index.js';
import {
  CacheEvictionEvent,
  CacheKitTypeOrm,
  CacheKitTypeOrmModule,
  cacheEntry,
  invalidate,
} from '../../lib/typeorm/index.js';
import { quantilesMs } from '../support/measure.js';
import { Cell, Column as TableColumn, Table } from '../support/table.js';

export interface BridgeLatencySettings {
  /** Transactions committed through the TypeORM bridge. */
  commits: number;
  prefix: string;
  redisUrl: string;
}

/** Rows in the table; commit k renames product (k % PRODUCTS) + 1. */
const PRODUCTS = 4;
/** Long enough that no entry expires during the run: every reload is the bridge's doing. */
const TTL_MS = 600_000;
/** Untimed commits first, so the timed ones pay for no JIT or statement preparation. */
const WARM_UP_COMMITS = 10;

@Entity({ name: 'bench_product' })
class BenchProduct {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 80 })
  name!: string;

  @Column({ type: 'integer' })
  categoryId!: number;
}

const productById = defineCache({
  name: 'bench.orm.product',
  key: (id: number) => id,
  ttl: TTL_MS,
  tags: (id: number) => [`product:${id}`],
});

const productRule = invalidate(BenchProduct, ({ row }) => [
  cacheEntry(productById, row.id),
  `category:${row.categoryId}`,
]);

@Injectable()
class ProductReader {
  loads = 0;
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Cacheable(productById)
  async product(id: number): Promise<{ id: number; name: string } | null> {
    this.loads++;
    const row = await this.dataSource.getRepository(BenchProduct).findOneBy({ id });
    return row && { id: row.id, name: row.name };
  }
}

@Module({})
class BridgeAppModule {
  static register(redisUrl: string, namespace: string, database: string): DynamicModule {
    return {
      module: BridgeAppModule,
      imports: [
        CacheKitModule.forRoot({ redis: redisUrl, namespace, jitter: 0, operationTimeout: '1s' }),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database,
          enableWAL: true,
          entities: [BenchProduct],
          synchronize: true,
        }),
        CacheKitTypeOrmModule.forRoot({ rules: [productRule], commitWait: '5s' }),
      ],
      providers: [ProductReader],
    };
  }
}

const COLUMNS: TableColumn[] = [
  { title: 'path', format: 'text' },
  { title: 'commits', format: 'int' },
  { title: 'COMMIT -> evicted: median ms', format: 'ms' },
  { title: 'p95 ms', format: 'ms' },
  { title: 'max ms', format: 'ms' },
  { title: 'transaction() median ms', format: 'ms' },
  { title: 'reads after commit: misses', format: 'text' },
];
const TITLE = 'Invalidation: post-commit eviction through the TypeORM bridge (SQLite + Redis)';
const ROW_NAME = 'cachekit TypeORM bridge, SQLite (WAL file) + Redis';

/** Commits `settings.commits` renames on SQLite and times the bridge's eviction of each one in Redis. */
export async function runBridgeLatency(
  settings: BridgeLatencySettings,
  progress: (line: string) => void,
): Promise<Table> {
  progress(`invalidation: TypeORM bridge, ${settings.commits} commits on SQLite`);
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-bench-sqlite-'));
  const notes = [
    `Each commit renames one of ${PRODUCTS} products in its own transaction; the rule evicts that product's entry and its category tag. ` +
      'COMMIT -> evicted: latencyMs of the bridge\'s "evicted" event (from the COMMIT returning to Redis confirming the eviction).',
    'transaction(): the whole dataSource.transaction() call as the application awaits it (the commit hook waits up to commitWait for the eviction).',
    'reads after commit: the @Cacheable product read right after each transaction() resolved; every one should reload from the database.',
  ];
  const table = (row: Cell[]): Table => ({
    id: 'invalidation-post-commit',
    title: TITLE,
    columns: COLUMNS,
    rows: [row],
    notes,
  });
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(
      BridgeAppModule.register(settings.redisUrl, settings.prefix, join(dir, 'catalog.sqlite')),
      { logger: false, abortOnError: false },
    );
    await app.init();
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const reader = app.get(ProductReader);
    const events: CacheEvictionEvent[] = [];
    app.get(CacheKitTypeOrm).events$.subscribe((event) => events.push(event));
    await dataSource
      .getRepository(BenchProduct)
      .insert(
        Array.from({ length: PRODUCTS }, (_, i) => ({ id: i + 1, name: `product ${i + 1}`, categoryId: (i % 2) + 1 })),
      );
    for (let commit = 0; commit < WARM_UP_COMMITS; commit++) {
      const id = (commit % PRODUCTS) + 1;
      await dataSource.transaction(async (manager) => {
        await manager.update(BenchProduct, { id }, { name: `warm-up ${commit}` });
      });
    }
    events.length = 0;
    const transactionMs: number[] = [];
    let misses = 0;
    for (let commit = 0; commit < settings.commits; commit++) {
      const id = (commit % PRODUCTS) + 1;
      await reader.product(id); // cached before the write
      const loadsBefore = reader.loads;
      const t0 = performance.now();
      await dataSource.transaction(async (manager) => {
        const product = await manager.findOneByOrFail(BenchProduct, { id });
        product.name = `renamed ${commit}`;
        await manager.save(product);
      });
      transactionMs.push(performance.now() - t0);
      const read = await reader.product(id);
      if (reader.loads > loadsBefore && read?.name === `renamed ${commit}`) misses++;
    }
    const latencies = events.filter((event) => event.outcome === 'evicted').map((event) => event.latencyMs);
    const other = events.filter((event) => event.outcome !== 'evicted');
    if (other.length > 0)
      notes.push(`${other.length} eviction events were not "evicted": ${other.map((e) => e.outcome).join(', ')}.`);
    if (latencies.length !== settings.commits)
      notes.push(`${latencies.length} "evicted" events for ${settings.commits} commits.`);
    const latency = quantilesMs(latencies);
    return table([
      ROW_NAME,
      settings.commits,
      latency.medianMs,
      latency.p95Ms,
      latency.maxMs,
      quantilesMs(transactionMs).medianMs,
      `${misses}/${settings.commits}`,
    ]);
  } catch (error) {
    notes.push(`${ROW_NAME}: failed: ${(error as Error).message}.`);
    return table([ROW_NAME, null, null, null, null, null, null]);
  } finally {
    await app?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
