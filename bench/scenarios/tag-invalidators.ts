import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from '../../lib/index.js';
import { runWithConcurrency, writeInPipelines } from '../support/bulk-fill.js';
import { jsonValue } from '../support/value.js';

/** One way of invalidating every entry that carries one tag: a row of the tag-invalidation table. */
export interface TagInvalidator {
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

/** Long enough that no entry expires during a row: what a lazy invalidation leaves stays countable. */
const TTL_MS = 600_000;
const TAG = 'inv-hot';
/** In flight while filling through an API: enough to keep Redis busy without queueing past the operation timeout. */
export const FILL_CONCURRENCY = 256;

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
): Promise<TagInvalidator> {
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
      await runWithConcurrency(0, api, FILL_CONCURRENCY, async (i) => {
        if (!(await kit.set(tagged, [i], value))) throw new Error(`CacheKit.set of entry ${i} was not confirmed`);
      });
      apiDone();
      const stored = await redis.getBuffer(key(0));
      if (!stored) throw new Error('entry 0 was not stored');
      await writeInPipelines(redis, api, count, (pipeline, i) => void pipeline.set(key(i), stored, 'PX', TTL_MS));
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
): Promise<TagInvalidator> {
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
      await runWithConcurrency(0, api, FILL_CONCURRENCY, (i) =>
        bento.set({ key: `e:${i}`, value, ttl: TTL_MS, tags: [TAG] }),
      );
      apiDone();
      const stored = await redis.get(`${bentoPrefix}:e:0`);
      if (stored === null) throw new Error(`entry 0 is not stored under ${bentoPrefix}:e:0`);
      await writeInPipelines(redis, api, count, (pipeline, i) =>
        pipeline.set(`${bentoPrefix}:e:${i}`, stored, 'PX', TTL_MS),
      );
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
function scanInvalidator(redis: Redis, prefix: string): TagInvalidator {
  const key = (i: number) => `${prefix}:inv:scan:${i}`;
  const body = JSON.stringify(jsonValue());
  return {
    name: 'naive: SCAN MATCH + UNLINK, batches of 500',
    apiWrites: 0,
    repeatable: false,
    fill: async (count, apiDone) => {
      apiDone();
      await writeInPipelines(redis, 0, count, (pipeline, i) => pipeline.set(key(i), body, 'PX', TTL_MS));
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
function tagSetInvalidator(redis: Redis, prefix: string): TagInvalidator {
  const key = (i: number) => `${prefix}:inv:set:${i}`;
  const members = `${prefix}:inv:tagset`;
  const body = JSON.stringify(jsonValue());
  return {
    name: 'naive: tag set, SMEMBERS + one DEL',
    apiWrites: 0,
    repeatable: false,
    fill: async (count, apiDone) => {
      apiDone();
      await writeInPipelines(redis, 0, count, (pipeline, i) => {
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
function floorInvalidator(redis: Redis, prefix: string): TagInvalidator {
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

/**
 * The rows in table order, each with a short label for progress lines and failures. Opened one at
 * a time, so a row's clients and app do not exist while another row is measured.
 */
export function tagInvalidators(
  redisUrl: string,
  prefix: string,
  redis: Redis,
  apiWrites: number,
): [label: string, open: () => Promise<TagInvalidator>][] {
  return [
    ['floor', async () => floorInvalidator(redis, prefix)],
    ['cachekit', () => cachekitInvalidator(redisUrl, prefix, redis, apiWrites)],
    ['bentocache', () => bentoInvalidator(redisUrl, prefix, redis, apiWrites)],
    ['SCAN + UNLINK', async () => scanInvalidator(redis, prefix)],
    ['tag set', async () => tagSetInvalidator(redis, prefix)],
  ];
}
