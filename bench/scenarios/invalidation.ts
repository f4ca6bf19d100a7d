import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DynamicModule, INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectDataSource, TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { CacheKit, CacheKitModule, Cacheable, defineCache } from '../../lib/index.js';
import {
  CacheEvictionEvent,
  CacheKitTypeOrm,
  CacheKitTypeOrmModule,
  cacheEntry,
  invalidate,
} from '../../lib/typeorm/index.js';
import { quantilesMs } from '../support/measure.js';
import { Cell, Column as TableColumn, Table } from '../support/table.js';
import { jsonValue } from '../support/value.js';

export interface InvalidationSettings {
  /** Entries carrying the one tag. */
  entries: number;
  /** Of those, written through each library's own API (the rest are copied in pipelines). */
  apiWrites: number;
  /** Transactions committed through the TypeORM bridge. */
  commits: number;
  prefix: string;
  redisUrl: string;
}

const TTL_MS = 600_000;
const TAG = 'inv-hot';
/** In flight while filling: enough to keep Redis busy without queueing past the operation timeout. */
const FILL_CONCURRENCY = 256;
/** Plain keys written per pipeline by the naive rows. */
const PIPELINE = 500;
/** The GET loop's latencies are read from eviction start over at least this long. */
const MIN_WINDOW_MS = 100;
/** And compared with this long before the eviction started. */
const BASELINE_MS = 200;
/** Tagged entries read after the eviction, each expected to be a miss. */
const CHECKED_READS = 200;
/** Further calls timed back to back where a repeat does the same work. */
const REPEATS = 20;

// Wall-clock milliseconds with sub-ms precision, comparable between this thread and the GET loop's.
const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A loop of plain GETs on its own connection and in its own thread (so a row that keeps this
 * thread busy, e.g. parsing a 100,000-member reply, shows up only as far as Redis is slowed),
 * recording when each GET started and how long it took.
 */
const GET_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { Redis } = require(workerData.ioredis);
const SIZE = 1 << 19;
const starts = new Float64Array(SIZE);
const durations = new Float64Array(SIZE);
let count = 0;
let running = true;
let paused;
const client = new Redis(workerData.url);
const wall = () => performance.timeOrigin + performance.now();
parentPort.on('message', (message) => {
  if (message.type === 'stop') {
    running = false;
    paused?.resolve();
    return;
  }
  if (message.type === 'pause') {
    let resolve;
    paused = { promise: new Promise((r) => (resolve = r)), resolve: () => resolve() };
    return;
  }
  if (message.type === 'resume') {
    paused?.resolve();
    paused = undefined;
    return;
  }
  // Latencies (ms) of the GETs that overlapped [from, to].
  const out = [];
  for (let i = Math.max(0, count - SIZE); i < count; i++) {
    const at = i % SIZE;
    if (starts[at] <= message.to && starts[at] + durations[at] >= message.from) out.push(durations[at]);
  }
  parentPort.postMessage({ id: message.id, latencies: out });
});
(async () => {
  await client.set(workerData.key, 'x');
  parentPort.postMessage({ type: 'ready' });
  while (running) {
    if (paused) await paused.promise;
    const t0 = wall();
    await client.get(workerData.key);
    const at = count % SIZE;
    starts[at] = t0;
    durations[at] = wall() - t0;
    count++;
  }
  await client.del(workerData.key);
  await client.quit();
  parentPort.postMessage({ type: 'stopped' });
})().catch((error) => parentPort.postMessage({ type: 'error', message: String(error) }));
`;

class GetLoop {
  #next = 0;
  readonly #pending = new Map<number, (latencies: number[]) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: { id?: number; latencies?: number[] }) => {
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.latencies ?? []);
    });
  }

  static async start(url: string, key: string): Promise<GetLoop> {
    const ioredis = createRequire(import.meta.url).resolve('ioredis');
    const worker = new Worker(GET_LOOP, { eval: true, workerData: { url, key, ioredis } });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { type?: string; message?: string }) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'error') reject(new Error(`GET loop: ${message.message}`));
      });
      worker.once('error', reject);
    });
    return new GetLoop(worker);
  }

  /** Latencies (ms) of the GETs that overlapped [from, to] (wall-clock ms). */
  window(from: number, to: number): Promise<number[]> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, (latencies) => {
        this.#pending.delete(id);
        resolve(latencies);
      });
      this.worker.postMessage({ type: 'window', id, from, to });
    });
  }

  /** Stops sending GETs while the bench fills Redis (the fill should not compete with it for the CPU). */
  pause(): void {
    this.worker.postMessage({ type: 'pause' });
  }

  resume(): void {
    this.worker.postMessage({ type: 'resume' });
  }

  async stop(): Promise<void> {
    const stopped = new Promise((resolve) =>
      this.worker.on('message', (message: { type?: string }) => message.type === 'stopped' && resolve(undefined)),
    );
    this.worker.postMessage({ type: 'stop' });
    await Promise.race([stopped, sleep(2_000)]);
    await this.worker.terminate();
  }
}

/** One way of invalidating every entry that carries one tag. */
interface Invalidator {
  name: string;
  /** Entries written through the library's own API before the rest are copied; 0 for the hand-written rows. */
  apiWrites: number;
  /** Writes entries 0..count-1, all carrying the tag (untimed; the API part is reported as a rate). */
  fill(count: number, apiDone: () => void): Promise<void>;
  /** Whether entry `i` is served from the cache. */
  isHit(i: number): Promise<boolean>;
  /** The timed part. */
  evict(): Promise<void>;
  /** Whether calling evict() again does the same work (one write for a lazy invalidation), so repeats can be timed. */
  repeatable: boolean;
  /** Pattern matching every Redis key the row wrote, for counting what is left and deleting it afterwards. */
  pattern: string;
  close(): Promise<void>;
}

/** Runs `op(from..to-1)` with `concurrency` calls in flight. */
async function bounded(
  from: number,
  to: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, to - from) }, async () => {
      while (next < to) await op(next++);
    }),
  );
}

/** Runs `add(pipeline, i)` for from..to-1 in pipelines of PIPELINE entries. */
async function pipelined(
  redis: Redis,
  from: number,
  to: number,
  add: (pipeline: ReturnType<Redis['pipeline']>, i: number) => void,
): Promise<void> {
  for (let start = from; start < to; start += PIPELINE) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(to, start + PIPELINE); i++) add(pipeline, i);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

/** Deletes what matches `pattern` in SCAN batches; how many keys there were. */
async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) count += await redis.unlink(...keys);
  } while (cursor !== '0');
  return count;
}

@Module({})
class InvalidationAppModule {}

/**
 * cachekit: the first `apiWrites` entries through CacheKit.set; the rest are copies of entry 0's
 * stored hash (every entry holds the same value, so the same bytes, tag version included), written
 * in pipelines as test/integration/tag-scale.spec.ts does, so 100,000 entries take seconds.
 */
async function cachekitInvalidator(
  redisUrl: string,
  prefix: string,
  redis: Redis,
  apiWrites: number,
): Promise<Invalidator> {
  const tagged = defineCache({ name: 'bench.inv', key: (i: number) => i, ttl: TTL_MS, tags: () => [TAG] });
  const key = (i: number) => `{${prefix}:bench.inv:${tagged.keyOf([i])}}`;
  const app = await NestFactory.createApplicationContext(
    {
      module: InvalidationAppModule,
      // A generous operation timeout: the fill keeps 256 writes in flight, and a default 100 ms
      // deadline would turn queueing on a loaded machine into skipped writes.
      imports: [CacheKitModule.forRoot({ redis: redisUrl, namespace: prefix, jitter: 0, operationTimeout: '2s' })],
    },
    { logger: false, abortOnError: false },
  );
  await app.init();
  const kit = app.get(CacheKit);
  const value = jsonValue();
  return {
    name: 'cachekit CacheKit.evictTags',
    apiWrites,
    repeatable: true,
    fill: async (count, apiDone) => {
      const api = Math.min(apiWrites, count);
      await bounded(0, api, FILL_CONCURRENCY, async (i) => {
        if (!(await kit.set(tagged, [i], value))) throw new Error(`CacheKit.set of entry ${i} was not confirmed`);
      });
      apiDone();
      const stored = await redis.hgetallBuffer(key(0));
      if (!stored.d || !stored.v)
        throw new Error(`entry 0 is not stored as expected: ${Object.keys(stored).join(', ')}`);
      await pipelined(redis, api, count, (pipeline, i) => {
        pipeline.hset(key(i), 'd', stored.d, 'v', stored.v);
        pipeline.pexpire(key(i), TTL_MS);
      });
    },
    isHit: async (i) => (await kit.get(tagged, i)) !== undefined,
    evict: async () => {
      if (!(await kit.evictTags([TAG]))) throw new Error('evictTags was not confirmed');
    },
    pattern: `{${prefix}:bench.inv:*`,
    close: () => app.close(),
  };
}

/** bentocache: the first `apiWrites` through set({ tags }), the rest copies of entry 0's stored string. */
async function bentoInvalidator(
  redisUrl: string,
  prefix: string,
  redis: Redis,
  apiWrites: number,
): Promise<Invalidator> {
  const connection = new Redis(redisUrl);
  const bentoPrefix = `${prefix}:invb`;
  const bento = new BentoCache({
    default: 'redis',
    prefix: bentoPrefix,
    stores: { redis: bentostore().useL2Layer(redisDriver({ connection })) },
  });
  const value = jsonValue();
  return {
    name: 'bentocache deleteByTag (L2 redis only)',
    apiWrites,
    repeatable: true,
    fill: async (count, apiDone) => {
      const api = Math.min(apiWrites, count);
      await bounded(0, api, FILL_CONCURRENCY, (i) => bento.set({ key: `e:${i}`, value, ttl: TTL_MS, tags: [TAG] }));
      apiDone();
      const stored = await redis.get(`${bentoPrefix}:e:0`);
      if (stored === null) throw new Error(`entry 0 is not stored under ${bentoPrefix}:e:0`);
      await pipelined(redis, api, count, (pipeline, i) => pipeline.set(`${bentoPrefix}:e:${i}`, stored, 'PX', TTL_MS));
    },
    isHit: async (i) => (await bento.get({ key: `e:${i}` })) !== undefined,
    evict: async () => {
      await bento.deleteByTag({ tags: [TAG] });
    },
    pattern: `${bentoPrefix}:*`,
    close: async () => {
      await bento.disconnectAll();
    },
  };
}

/** Hand-written: plain keys under a prefix, evicted by SCAN MATCH + UNLINK in batches of 500. */
function scanInvalidator(redis: Redis, prefix: string): Invalidator {
  const key = (i: number) => `${prefix}:inv:scan:${i}`;
  const body = JSON.stringify(jsonValue());
  return {
    name: 'naive: SCAN MATCH + UNLINK, batches of 500',
    apiWrites: 0,
    repeatable: false,
    fill: async (count, apiDone) => {
      apiDone();
      await pipelined(redis, 0, count, (pipeline, i) => pipeline.set(key(i), body, 'PX', TTL_MS));
    },
    isHit: async (i) => (await redis.get(key(i))) !== null,
    evict: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:inv:scan:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    },
    pattern: `${prefix}:inv:scan:*`,
    close: async () => undefined,
  };
}

/** Hand-written: each entry's key added to a Redis set per tag; evicted by SMEMBERS, then one DEL of them all. */
function setInvalidator(redis: Redis, prefix: string): Invalidator {
  const key = (i: number) => `${prefix}:inv:set:${i}`;
  const members = `${prefix}:inv:tagset`;
  const body = JSON.stringify(jsonValue());
  return {
    name: 'naive: tag set, SMEMBERS + one DEL',
    apiWrites: 0,
    repeatable: false,
    fill: async (count, apiDone) => {
      apiDone();
      await pipelined(redis, 0, count, (pipeline, i) => {
        pipeline.set(key(i), body, 'PX', TTL_MS);
        pipeline.sadd(members, key(i));
      });
    },
    isHit: async (i) => (await redis.get(key(i))) !== null,
    evict: async () => {
      const keys = await redis.smembers(members);
      await redis.del(...keys, members);
    },
    pattern: `${prefix}:inv:set*`,
    close: async () => undefined,
  };
}

/** The floor: no entries at all, one SET on a plain connection, timed exactly like the rows (after the same idle wait). */
function floorInvalidator(redis: Redis, prefix: string): Invalidator {
  const key = `${prefix}:inv:floor`;
  return {
    name: 'floor: one SET on a plain ioredis connection',
    apiWrites: 0,
    repeatable: true,
    fill: async (_count, apiDone) => apiDone(),
    isHit: async () => (await redis.get(key)) === null,
    evict: async () => {
      await redis.set(key, '1', 'PX', TTL_MS);
    },
    pattern: key,
    close: async () => undefined,
  };
}

interface EvictionResult {
  name: string;
  /** Entries per second written through the library's API, 256 in flight. */
  apiRate?: number;
  evictMs?: number;
  /** Median of REPEATS further calls, back to back (lazy invalidations only). */
  repeatMs?: number;
  during?: { count: number; p99Ms: number; maxMs: number };
  before?: { p99Ms: number; maxMs: number };
  misses?: string;
  left?: number;
  problem?: string;
}

async function measureEviction(
  invalidator: Invalidator,
  entries: number,
  loop: GetLoop,
  redis: Redis,
): Promise<EvictionResult> {
  const result: EvictionResult = { name: invalidator.name };
  const isFloor = invalidator.name.startsWith('floor');
  try {
    loop.pause();
    const started = wallMs();
    await invalidator.fill(entries, () => {
      if (invalidator.apiWrites > 0)
        result.apiRate = Math.min(invalidator.apiWrites, entries) / ((wallMs() - started) / 1000);
    });
    const sample = isFloor
      ? []
      : Array.from({ length: CHECKED_READS }, (_, k) => Math.floor((k * entries) / CHECKED_READS));
    // Entries written through the API and copied ones alike.
    for (const i of [...sample.slice(0, 10), ...sample.slice(-10)]) {
      if (!(await invalidator.isHit(i))) throw new Error(`entry ${i} was not a hit after the fill`);
    }
    loop.resume();
    (globalThis as { gc?: () => void }).gc?.();
    await sleep(BASELINE_MS);
    const t0 = wallMs();
    await invalidator.evict();
    const t1 = wallMs();
    const until = Math.max(t1, t0 + MIN_WINDOW_MS);
    await sleep(Math.max(0, until - wallMs()) + 20);
    const window = await loop.window(t0, until);
    const during = quantilesMs(window);
    const before = quantilesMs(await loop.window(t0 - BASELINE_MS, t0 - 1));
    result.evictMs = t1 - t0;
    result.during = { count: window.length, p99Ms: during.p99Ms, maxMs: during.maxMs };
    result.before = { p99Ms: before.p99Ms, maxMs: before.maxMs };
    if (!isFloor) {
      let misses = 0;
      for (const i of sample) if (!(await invalidator.isHit(i))) misses++;
      result.misses = `${misses}/${sample.length}`;
    }
    if (invalidator.repeatable) {
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const r0 = wallMs();
        await invalidator.evict();
        times.push(wallMs() - r0);
      }
      result.repeatMs = quantilesMs(times).medianMs;
    }
  } catch (error) {
    result.problem = `failed: ${(error as Error).message}`;
  } finally {
    loop.resume();
    const left = await deleteMatching(redis, invalidator.pattern);
    if (!isFloor) result.left = left;
  }
  return result;
}

const EVICTION_COLUMNS: TableColumn[] = [
  { title: 'invalidation', format: 'text' },
  { title: 'evict ms', format: 'ms' },
  { title: 'repeat median ms', format: 'ms' },
  { title: 'GETs in window', format: 'int' },
  { title: 'GET p99 ms (window)', format: 'ms' },
  { title: 'GET max ms (window)', format: 'ms' },
  { title: 'GET p99 ms (before)', format: 'ms' },
  { title: 'GET max ms (before)', format: 'ms' },
  { title: 'reads after: misses', format: 'text' },
  { title: 'keys left in Redis', format: 'int' },
  { title: 'API writes/s (fill)', format: 'ops' },
];

async function runEvictions(settings: InvalidationSettings, progress: (line: string) => void): Promise<Table> {
  const redis = new Redis(settings.redisUrl);
  const loop = await GetLoop.start(settings.redisUrl, `${settings.prefix}:inv:probe`);
  const results: EvictionResult[] = [];
  const { prefix, redisUrl, apiWrites } = settings;
  try {
    const makers: [string, () => Promise<Invalidator>][] = [
      ['floor', async () => floorInvalidator(redis, prefix)],
      ['cachekit', () => cachekitInvalidator(redisUrl, prefix, redis, apiWrites)],
      ['bentocache', () => bentoInvalidator(redisUrl, prefix, redis, apiWrites)],
      ['SCAN + UNLINK', async () => scanInvalidator(redis, prefix)],
      ['tag set', async () => setInvalidator(redis, prefix)],
    ];
    for (const [label, make] of makers) {
      progress(`invalidation: ${label}, ${settings.entries.toLocaleString('en-US')} entries`);
      let invalidator: Invalidator | undefined;
      try {
        invalidator = await make();
        results.push(await measureEviction(invalidator, settings.entries, loop, redis));
      } catch (error) {
        results.push({ name: label, problem: `failed: ${(error as Error).message}` });
      } finally {
        await invalidator?.close().catch(() => undefined);
      }
    }
  } finally {
    await loop.stop();
    await redis.quit();
  }
  const n = settings.entries.toLocaleString('en-US');
  const notes = [
    `${n} entries (the ~1 KB record) carrying one tag, TTL 10 min; then the tag is invalidated once. "evict ms": that one call, from start to resolved (a single sample).`,
    'floor row: no entries, one SET on a plain connection after the same idle wait: what one round trip costs here when the process has just woken up.',
    `repeat median ms: ${REPEATS} more calls back to back, for the lazy rows and the floor (each repeat is the same one write); "-": a repeat would find nothing left to delete.`,
    `GET loop: plain ioredis GETs of an unrelated key, one at a time, on their own connection in a worker thread (paused while filling). "window": GETs overlapping the eviction, from its start to its end or ${MIN_WINDOW_MS} ms after its start, whichever is later; "before": the ${BASELINE_MS} ms before it started.`,
    `reads after: ${CHECKED_READS} entries spread over the range, read through the same API after the eviction; each should be a miss.`,
    'keys left in Redis: keys of the row still present after the eviction (deleted untimed before the next row). cachekit and bentocache invalidate lazily: ' +
      'one write marks the tag, readers compare versions/timestamps, and the dead entries stay in Redis until their TTL.',
    `fill: cachekit (CacheKit.set) and bentocache (set with tags) write the first ${apiWrites.toLocaleString('en-US')} entries through their API, ${FILL_CONCURRENCY} in flight ` +
      '("API writes/s"); the rest are byte copies of entry 0 as stored (same value, same tag), written in pipelines like the hand-written rows. ' +
      'cachekit runs with operationTimeout 2s here, so that the bulk writes are never cut short.',
  ];
  const rows: Cell[][] = results.map((result) => {
    if (result.problem) notes.push(`${result.name}: ${result.problem}.`);
    return [
      result.name,
      result.evictMs ?? null,
      result.repeatMs ?? (result.name.startsWith('naive') ? '-' : null),
      result.during?.count ?? null,
      result.during?.p99Ms ?? null,
      result.during?.maxMs ?? null,
      result.before?.p99Ms ?? null,
      result.before?.maxMs ?? null,
      result.misses ?? (result.name.startsWith('floor') ? '-' : null),
      result.left ?? (result.name.startsWith('floor') ? '-' : null),
      result.apiRate ?? (result.name.startsWith('cachekit') || result.name.startsWith('bento') ? null : '-'),
    ];
  });
  return {
    id: 'invalidation-tag',
    title: `Invalidation: one tag held by ${n} entries, with a concurrent GET loop`,
    columns: EVICTION_COLUMNS,
    rows,
    notes,
  };
}

// --- post-commit eviction through the TypeORM bridge ---

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

const PRODUCTS = 4;

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

async function runPostCommit(settings: InvalidationSettings, progress: (line: string) => void): Promise<Table> {
  progress(`invalidation: TypeORM bridge, ${settings.commits} commits on SQLite`);
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-bench-sqlite-'));
  const columns: TableColumn[] = [
    { title: 'path', format: 'text' },
    { title: 'commits', format: 'int' },
    { title: 'COMMIT -> evicted: median ms', format: 'ms' },
    { title: 'p95 ms', format: 'ms' },
    { title: 'max ms', format: 'ms' },
    { title: 'transaction() median ms', format: 'ms' },
    { title: 'reads after commit: misses', format: 'text' },
  ];
  const title = 'Invalidation: post-commit eviction through the TypeORM bridge (SQLite + Redis)';
  const name = 'cachekit TypeORM bridge, SQLite (WAL file) + Redis';
  const notes = [
    `Each commit renames one of ${PRODUCTS} products in its own transaction; the rule evicts that product's entry and its category tag. ` +
      'COMMIT -> evicted: latencyMs of the bridge\'s "evicted" event (from the COMMIT returning to Redis confirming the eviction).',
    'transaction(): the whole dataSource.transaction() call as the application awaits it (the commit hook waits up to commitWait for the eviction).',
    'reads after commit: the @Cacheable product read right after each transaction() resolved; every one should reload from the database.',
  ];
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
    const warm = async (commit: number) => {
      const id = (commit % PRODUCTS) + 1;
      await dataSource.transaction(async (manager) => {
        await manager.update(BenchProduct, { id }, { name: `warm-up ${commit}` });
      });
    };
    // Warm-up commits (untimed), so the first timed ones pay for no JIT or statement preparation.
    for (let i = 0; i < 10; i++) await warm(i);
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
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
    const row: Cell[] = [
      name,
      settings.commits,
      at(0.5),
      at(0.95),
      sorted.at(-1) ?? null,
      quantilesMs(transactionMs).medianMs,
      `${misses}/${settings.commits}`,
    ];
    return { id: 'invalidation-post-commit', title, columns, rows: [row], notes };
  } catch (error) {
    notes.push(`${name}: failed: ${(error as Error).message}.`);
    return {
      id: 'invalidation-post-commit',
      title,
      columns,
      rows: [[name, null, null, null, null, null, null]],
      notes,
    };
  } finally {
    await app?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Scenario 4: evicting one tag held by many entries, and post-commit eviction through the TypeORM bridge. */
export async function runInvalidation(
  settings: InvalidationSettings,
  progress: (line: string) => void,
): Promise<Table[]> {
  return [await runEvictions(settings, progress), await runPostCommit(settings, progress)];
}
