import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from '../../lib/index.js';
import { writeInPipelines } from '../support/bulk-fill.js';
import { deleteMatching } from '../support/redis.js';
import { Table } from '../support/table.js';

export interface ClearSettings {
  /** Entry counts to clear, one row each; the largest is also cleared the former way (SCAN + UNLINK). */
  sizes: number[];
  prefix: string;
  redisUrl: string;
}

const item = defineCache({ name: 'bench.clear', key: (id: number) => id, ttl: '10m' });
/** Reads after each clear, every one expected to be a miss. */
const CHECKED_READS = 200;

/**
 * Clearing every entry of a cache: `CacheKit.clear` deletes the cache name's generation (one key),
 * whatever the number of entries; the former way scanned the keyspace and deleted each entry.
 */
export async function runClear(settings: ClearSettings, progress: (line: string) => void): Promise<Table> {
  const namespace = `${settings.prefix}clear`;
  @Module({ imports: [CacheKitModule.forRoot({ redis: settings.redisUrl, namespace, jitter: 0 })] })
  class ClearBenchModule {}
  const app = await NestFactory.createApplicationContext(ClearBenchModule, { logger: false, abortOnError: false });
  await app.init();
  const cache = app.get(CacheKit);
  const redis = new Redis(settings.redisUrl);
  const rows: (string | number | null)[][] = [];
  try {
    for (const size of settings.sizes) {
      progress(`clear: ${size.toLocaleString('en')} entries`);
      await fill(cache, redis, namespace, size);
      const started = performance.now();
      const ok = await cache.clear(item);
      const ms = performance.now() - started;
      rows.push([
        `CacheKit.clear (${size.toLocaleString('en')} entries)`,
        ms,
        ok ? await misses(cache, size) : 'failed',
      ]);
      await deleteMatching(redis, `{${namespace}:*`);
    }
    const largest = Math.max(...settings.sizes);
    progress(`clear: SCAN + UNLINK of ${largest.toLocaleString('en')} entries`);
    await fill(cache, redis, namespace, largest);
    const started = performance.now();
    await deleteMatching(redis, `{${namespace}:bench.clear:*`);
    rows.push([
      `SCAN + UNLINK, the former way (${largest.toLocaleString('en')} entries)`,
      performance.now() - started,
      null,
    ]);
  } finally {
    await deleteMatching(redis, `{${namespace}:*`);
    redis.disconnect();
    await app.close();
  }
  return {
    id: 'clear',
    title: 'Clearing every entry of a cache (Redis on loopback, one run)',
    columns: [
      { title: 'operation', format: 'text' },
      { title: 'duration', format: 'ms' },
      { title: `misses of ${CHECKED_READS} reads after`, format: 'text' },
    ],
    rows,
    notes: [
      'Entries are written through CacheKit.set for the first 100, then copied in pipelines (the same string under other keys).',
      'CacheKit.clear is one DEL of the cache name generation: its cost does not grow with the number of entries.',
    ],
  };
}

// A hundred entries through the API, then copies of one of them (same envelope, so the same generation).
async function fill(cache: CacheKit, redis: Redis, namespace: string, size: number): Promise<void> {
  const viaApi = Math.min(100, size);
  for (let id = 0; id < viaApi; id++) await cache.set(item, [id], { id, name: `item ${id}` });
  const template = await redis.getBuffer(`{${namespace}:bench.clear:#0}`);
  if (!template) throw new Error('entry 0 was not stored');
  await writeInPipelines(redis, viaApi, size, (pipeline, id) => {
    pipeline.set(`{${namespace}:bench.clear:#${id}}`, template, 'PX', 600_000);
  });
  if ((await cache.get(item, size - 1)) === undefined) throw new Error('the copied entries are not hits');
}

async function misses(cache: CacheKit, size: number): Promise<string> {
  const ids = Array.from({ length: CHECKED_READS }, (_, k) => Math.floor((k * size) / CHECKED_READS));
  const values = await Promise.all(ids.map((id) => cache.get(item, id)));
  return `${values.filter((value) => value === undefined).length}/${CHECKED_READS}`;
}
