import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule, TypeOrmModuleOptions, getDataSourceToken } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { CacheKit, CacheKitModule, defineCache } from '../../lib/index.js';
import { CacheKitCdc, CacheKitCdcModule, CdcEvent } from '../../lib/cdc/index.js';
import {
  CacheEvictionEvent,
  CacheKitOutboxMigration,
  CacheKitTypeOrm,
  CacheKitTypeOrmModule,
  cacheEntry,
  invalidate,
} from '../../lib/typeorm/index.js';
import { quantilesMs } from '../support/measure.js';
import { Cell, Column as TableColumn, Table } from '../support/table.js';

export interface CommitToEvictSettings {
  commits: number;
  prefix: string;
  redisUrl: string;
  /** PostgreSQL (wal_level=logical for the CDC row); without it the bridge paths run on SQLite and CDC is skipped. */
  databaseUrl?: string;
}

type Path = 'subscriber' | 'outbox' | 'cdc';
const PRODUCTS = 4;
const WARM_UP_COMMITS = 10;

@Entity({ name: 'bench_commit_product' })
class CommitProduct {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 80 })
  name!: string;
}

const productById = defineCache({ name: 'bench.commit.product', key: (id: number) => id, ttl: 600_000 });
const rule = invalidate(CommitProduct, ({ row }) => [cacheEntry(productById, row.id)]);

const COLUMNS: TableColumn[] = [
  { title: 'path', format: 'text' },
  { title: 'commits', format: 'int' },
  { title: 'COMMIT -> evicted: median ms', format: 'ms' },
  { title: 'p95 ms', format: 'ms' },
  { title: 'max ms', format: 'ms' },
  { title: 'median vs subscriber', format: 'ratio' },
  { title: 'transaction() median ms', format: 'ms' },
];

/** Times COMMIT -> eviction confirmed for the subscriber bridge, the outbox and the CDC consumer, in one run. */
export async function runCommitToEvict(
  settings: CommitToEvictSettings,
  progress: (line: string) => void,
): Promise<Table> {
  const database = settings.databaseUrl ? 'PostgreSQL' : 'SQLite';
  const notes = [
    `Each commit renames one of ${PRODUCTS} products in its own transaction (${database} + Redis); the rule evicts that product's entry.`,
    'subscriber / outbox: latencyMs of the bridge\'s "evicted" event (COMMIT returned -> Redis confirmed). cdc: from the ' +
      'UPDATE returning (autocommit, no TypeORM hooks) to the consumer\'s "evicted" event (WAL decoded, Redis confirmed, LSN acknowledged).',
    'transaction(): the write as the application awaits it (the outbox adds one INSERT before COMMIT and a DELETE after).',
  ];
  const rows: Cell[][] = [];
  let floor: number | null = null;
  for (const path of ['subscriber', 'outbox', 'cdc'] as Path[]) {
    const name = `${path}${path === 'cdc' ? '' : ` (${database})`}`;
    if (path === 'cdc' && !settings.databaseUrl) {
      notes.push('cdc: skipped, set DATABASE_URL to a PostgreSQL server with wal_level=logical.');
      rows.push([name, null, null, null, null, null, null]);
      continue;
    }
    progress(`commit -> evicted: ${name}, ${settings.commits} commits`);
    try {
      const result = await measure(path, settings);
      const latency = quantilesMs(result.latencies);
      floor ??= latency.medianMs;
      rows.push([
        name,
        result.latencies.length,
        latency.medianMs,
        latency.p95Ms,
        latency.maxMs,
        floor ? latency.medianMs / floor : null,
        quantilesMs(result.transactionMs).medianMs,
      ]);
    } catch (error) {
      notes.push(`${name}: failed: ${(error as Error).message}.`);
      rows.push([name, null, null, null, null, null, null]);
    }
  }
  return {
    id: 'invalidation-commit-to-evict',
    title: 'Invalidation: COMMIT -> evicted, per path',
    columns: COLUMNS,
    rows,
    notes,
  };
}

async function measure(
  path: Path,
  settings: CommitToEvictSettings,
): Promise<{ latencies: number[]; transactionMs: number[] }> {
  const store = await throwaway(settings.databaseUrl);
  const slot = `bench_cdc_${process.pid}`;
  let app: INestApplicationContext | undefined;
  try {
    const typeorm = {
      ...store.options,
      entities: [CommitProduct],
      synchronize: true,
      migrations: [CacheKitOutboxMigration],
      migrationsRun: true,
    };
    @Module({
      imports: [
        CacheKitModule.forRoot({
          redis: settings.redisUrl,
          namespace: `${settings.prefix}.${path.slice(0, 3)}`,
          jitter: 0,
          operationTimeout: '1s',
        }),
        TypeOrmModule.forRoot(typeorm as TypeOrmModuleOptions),
        ...(path === 'cdc'
          ? [CacheKitCdcModule.forRoot({ rules: [rule], slot, publication: slot, retryInterval: '200ms' })]
          : [CacheKitTypeOrmModule.forRoot({ rules: [rule], commitWait: '5s', outbox: path === 'outbox' })]),
      ],
    })
    class BenchModule {}
    app = await NestFactory.createApplicationContext(BenchModule, { logger: false, abortOnError: false });
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const cache = app.get(CacheKit);
    const latencies: number[] = [];
    const transactionMs: number[] = [];
    let commitReturnedAt = 0;
    let evicted: (() => void) | undefined;
    if (path === 'cdc') {
      const cdc = app.get(CacheKitCdc);
      while (cdc.stats().state !== 'active') await new Promise((resolve) => setTimeout(resolve, 50));
      cdc.events$.subscribe((event: CdcEvent) => {
        if (event.type !== 'evicted' || event.keys.length === 0) return;
        latencies.push(performance.now() - commitReturnedAt);
        evicted?.();
      });
    } else {
      app.get(CacheKitTypeOrm).events$.subscribe((event: CacheEvictionEvent) => {
        if (event.outcome === 'evicted' && event.keys.length > 0) latencies.push(event.latencyMs);
      });
    }
    await dataSource
      .getRepository(CommitProduct)
      .insert(Array.from({ length: PRODUCTS }, (_, i) => ({ id: i + 1, name: `p${i}` })));
    for (let commit = 0; commit < WARM_UP_COMMITS + settings.commits; commit++) {
      if (commit === WARM_UP_COMMITS) {
        latencies.length = 0;
        transactionMs.length = 0;
      }
      const id = (commit % PRODUCTS) + 1;
      await cache.set(productById, [id], { id, name: 'cached' });
      const done = new Promise<void>((resolve) => (evicted = resolve));
      const t0 = performance.now();
      if (path === 'cdc') {
        await dataSource.query(`UPDATE ${store.table} SET name = $1 WHERE id = $2`, [`n${commit}`, id]);
      } else {
        await dataSource.transaction(async (manager) => {
          const product = await manager.findOneByOrFail(CommitProduct, { id });
          product.name = `n${commit}`;
          await manager.save(product);
        });
      }
      commitReturnedAt = performance.now();
      transactionMs.push(commitReturnedAt - t0);
      if (path === 'cdc') await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    return { latencies, transactionMs };
  } finally {
    await app?.close().catch(() => undefined);
    await store.drop(slot).catch(() => undefined);
  }
}

async function throwaway(url?: string): Promise<{ options: object; table: string; drop(slot: string): Promise<void> }> {
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'cachekit-bench-c2e-'));
    return {
      options: { type: 'better-sqlite3', database: join(dir, 'bench.sqlite'), enableWAL: true },
      table: 'bench_commit_product',
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_c2e_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  return {
    options: { type: 'postgres', url, schema },
    table: `"${schema}".bench_commit_product`,
    drop: async (slot) => {
      await admin
        .query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot])
        .catch(() => undefined);
      await admin.query(`DROP PUBLICATION IF EXISTS "${slot}"`).catch(() => undefined);
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}
