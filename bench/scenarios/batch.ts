import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from '../../lib/index.js';
import { deleteMatching } from '../support/redis.js';
import { Table } from '../support/table.js';

export interface BatchSettings {
  /** Ids per batch. */
  ids: number;
  /** Batches timed per row (after a warm-up of a tenth as many). */
  rounds: number;
  prefix: string;
  redisUrl: string;
}

interface Row {
  id: number;
  name: string;
  price: number;
}

const rowById = defineCache({
  name: 'bench.batch',
  key: (id: number) => id,
  ttl: '10m',
  tags: (id: number) => [`row:${id}`],
});

// The origin: rows made in-process after a macrotask, like a query with no I/O time of its own, so
// the table shows what the cache path costs, not a database.
async function query(ids: readonly number[]): Promise<Map<number, Row>> {
  await new Promise((resolve) => setImmediate(resolve));
  return new Map(ids.map((id) => [id, { id, name: `row ${id}`, price: id * 3 }]));
}

/**
 * `findByIds` of N ids through `CacheKit.getMany` (one round trip for the hits, one loader call for
 * the misses) against a loop of N single `getOrSet` calls (one after another, and all at once), and
 * against a hand-written MGET of JSON strings plus one query for the misses (no fencing, no tags).
 */
export async function runBatch(settings: BatchSettings, progress: (line: string) => void): Promise<Table> {
  const namespace = `${settings.prefix}batch`;
  @Module({ imports: [CacheKitModule.forRoot({ redis: settings.redisUrl, namespace, singleFlight: false })] })
  class BatchBenchModule {}
  const app = await NestFactory.createApplicationContext(BatchBenchModule, { logger: false, abortOnError: false });
  await app.init();
  const cache = app.get(CacheKit);
  const redis = new Redis(settings.redisUrl);
  const ids = Array.from({ length: settings.ids }, (_, i) => i + 1);
  const rawKey = (id: number) => `${namespace}:raw:${id}`;
  const ways: [string, () => Promise<unknown>][] = [
    ['CacheKit.getMany (findByIds)', () => cache.getMany(rowById, ids, query)],
    [
      'loop of single getOrSet, one after another',
      async () => {
        for (const id of ids) await cache.getOrSet(rowById, [id], async () => (await query([id])).get(id)!);
      },
    ],
    [
      'single getOrSet, all at once (Promise.all)',
      () => Promise.all(ids.map((id) => cache.getOrSet(rowById, [id], async () => (await query([id])).get(id)!))),
    ],
    [
      'hand-written MGET + one query',
      async () => {
        const cached = await redis.mget(...ids.map(rawKey));
        const missing = ids.filter((_, i) => cached[i] === null);
        if (missing.length === 0) return;
        const rows = await query(missing);
        const pipeline = redis.pipeline();
        for (const [id, row] of rows) pipeline.set(rawKey(id), JSON.stringify(row), 'PX', 600_000);
        await pipeline.exec();
      },
    ],
  ];
  const rows: (string | number | null)[][] = [];
  try {
    for (const [label, missShare] of [
      ['all hits', 0],
      ['10% misses', 0.1],
      ['all misses', 1],
    ] as const) {
      const timings = new Map<string, number>();
      for (const [way, run] of ways) {
        progress(`batch: ${label}, ${way}`);
        await run(); // fills what the first round reads
        const times: number[] = [];
        const rounds = missShare === 0 ? settings.rounds : Math.ceil(settings.rounds / 4);
        for (let round = 0; round < rounds + Math.ceil(rounds / 10); round++) {
          if (missShare > 0)
            await evict(
              cache,
              redis,
              ids.filter((id) => (id * 7 + round) % 100 < missShare * 100),
              rawKey,
            );
          const started = performance.now();
          await run();
          if (round >= Math.ceil(rounds / 10)) times.push(performance.now() - started);
        }
        timings.set(way, median(times));
      }
      const loop = timings.get(ways[1]![0])!;
      for (const [way] of ways) rows.push([`${label}: ${way}`, timings.get(way)!, loop / timings.get(way)!]);
    }
  } finally {
    await deleteMatching(redis, `{${namespace}:*`);
    await deleteMatching(redis, `${namespace}:raw:*`);
    redis.disconnect();
    await app.close();
  }
  return {
    id: 'batch',
    title: `Batched loads: ${settings.ids} ids per call (Redis on loopback, median of ${settings.rounds} calls for hits)`,
    columns: [
      { title: 'case', format: 'text' },
      { title: 'per call', format: 'ms' },
      { title: 'vs the loop', format: 'ratio' },
    ],
    rows,
    notes: [
      'The origin answers after one macrotask (no I/O), so the rows compare cache paths, not databases.',
      'Misses: the same share of ids is evicted before every call (CacheKit.evictMany / DEL), outside the timing.',
      'The hand-written MGET stores JSON strings without versions, fences or tags: a floor, not an equal.',
    ],
  };
}

async function evict(cache: CacheKit, redis: Redis, ids: number[], rawKey: (id: number) => string): Promise<void> {
  if (ids.length === 0) return;
  await cache.evictMany({ keys: ids.map((id) => ({ definition: rowById, args: [id] })) });
  await redis.del(...ids.map(rawKey));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
