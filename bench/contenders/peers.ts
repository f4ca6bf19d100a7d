import { deserialize, serialize } from 'node:v8';
import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Cacheable as CacheableLib } from 'cacheable';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { Contender, ContenderGroup } from './contender.js';

const TTL_MS = 600_000;

/**
 * Floors and hand-written code on a plain ioredis client: what any cache on Redis must at least
 * spend on a hit (one GET plus decoding the same value), and the naive cache-aside people write.
 */
function plainRedisContenders(redis: Redis): Contender[] {
  const memory = new Map<string, unknown>();
  const memoryBytes = new Map<string, Buffer>();
  return [
    {
      name: 'floor: ioredis GET + v8.deserialize',
      tier: 'redis',
      floor: true,
      hitOnly: true,
      getOrLoad: async (key, load) => {
        const hit = await redis.getBuffer(key);
        if (hit) return deserialize(hit);
        const value = await load();
        await redis.set(key, serialize(value), 'PX', TTL_MS);
        return value;
      },
    },
    {
      // The hand-written version: GET, on a miss load and SET; no single-flight, no timeout.
      name: 'naive cache-aside (ioredis, JSON)',
      tier: 'redis',
      getOrLoad: async (key, load) => {
        const hit = await redis.get(key);
        if (hit !== null) return JSON.parse(hit);
        const value = await load();
        await redis.set(key, JSON.stringify(value), 'PX', TTL_MS);
        return value;
      },
    },
    {
      name: 'floor: Map.get (shared reference)',
      tier: 'memory',
      floor: true,
      hitOnly: true,
      getOrLoad: async (key, load) => {
        const hit = memory.get(key);
        if (hit !== undefined) return hit;
        const value = await load();
        memory.set(key, value);
        return value;
      },
    },
    {
      name: 'Map.get + v8.deserialize (copy)',
      tier: 'memory',
      hitOnly: true,
      getOrLoad: async (key, load) => {
        const hit = memoryBytes.get(key);
        if (hit !== undefined) return deserialize(hit);
        const value = await load();
        memoryBytes.set(key, serialize(value));
        return value;
      },
    },
  ];
}

export async function peerContenders(redisUrl: string, prefix: string): Promise<ContenderGroup> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const redis = new Redis(redisUrl);
    closers.push(() => redis.quit());

    // bentocache: one store with only the Redis driver (L2), one with only the memory driver (L1).
    const bento = new BentoCache({
      default: 'redis',
      prefix,
      stores: {
        redis: bentostore().useL2Layer(redisDriver({ connection: new Redis(redisUrl) })),
        memory: bentostore().useL1Layer(memoryDriver({ maxItems: 100_000 })),
      },
    });
    closers.push(() => bento.disconnectAll());
    const bentoRedis = bento.use('redis');
    const bentoMemory = bento.use('memory');

    // cache-manager 7 over Keyv: @keyv/redis (node-redis client), and Keyv's default in-memory Map.
    const managerRedis = createCache({ stores: [new Keyv({ store: new KeyvRedis(redisUrl), namespace: prefix })] });
    closers.push(() => managerRedis.disconnect());
    const managerMemory = createCache({ stores: [new Keyv({ namespace: prefix })] });

    // cacheable: Redis as the only layer, and its default in-memory primary in front of Redis.
    const cacheableRedis = new CacheableLib({
      primary: new Keyv({ store: new KeyvRedis(redisUrl), namespace: prefix }),
      ttl: TTL_MS,
    });
    closers.push(() => cacheableRedis.disconnect());
    const cacheableLayered = new CacheableLib({
      secondary: new Keyv({ store: new KeyvRedis(redisUrl), namespace: `${prefix}-layered` }),
      ttl: TTL_MS,
    });
    closers.push(() => cacheableLayered.disconnect());

    const contenders: Contender[] = [
      ...plainRedisContenders(redis),
      {
        name: 'bentocache getOrSet (L2 redis only)',
        tier: 'redis',
        getOrLoad: (key, load) => bentoRedis.getOrSet({ key, factory: load, ttl: TTL_MS }),
      },
      {
        name: 'cache-manager wrap (Keyv + @keyv/redis)',
        tier: 'redis',
        getOrLoad: (key, load) => managerRedis.wrap(key, load, TTL_MS),
      },
      {
        name: 'cacheable getOrSet (Keyv redis only)',
        tier: 'redis',
        getOrLoad: (key, load) => cacheableRedis.getOrSet(key, load, { ttl: TTL_MS }),
      },
      {
        name: 'bentocache getOrSet (L1 memory only)',
        tier: 'memory',
        getOrLoad: (key, load) => bentoMemory.getOrSet({ key, factory: load, ttl: TTL_MS }),
      },
      {
        name: 'cache-manager wrap (Keyv in-memory Map)',
        tier: 'memory',
        getOrLoad: (key, load) => managerMemory.wrap(key, load, TTL_MS),
      },
      {
        name: 'cacheable getOrSet (memory + redis)',
        tier: 'memory',
        sharedViaRedis: true,
        getOrLoad: (key, load) => cacheableLayered.getOrSet(key, load, { ttl: TTL_MS }),
      },
    ];
    return { contenders, close };
  } catch (error) {
    await close();
    throw error;
  }
}
