import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';

const LANES = 64;
const plain = defineCache({ name: 'plain', key: (id: number) => id, ttl: '1m' });
const tagged = defineCache({ name: 'tagged', key: (id: number) => id, ttl: '1m', tags: (id: number) => [`t:${id}`] });

/** Calls per command since the last reset, from INFO commandstats (a server of this test's own). */
async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return calls;
}

// Hits read in one command (the entry and its tags' versions in one MGET), and reads issued together share
// socket writes: neither may change what a hit returns, nor hold back anything else on the socket.
describe('the hit path on Redis', () => {
  let server: RedisServer;
  let admin: Redis;
  let app: INestApplicationContext;
  let cache: CacheKit;
  let loads = 0;
  const load = (id: number) => async () => {
    loads++;
    return { id, at: new Date(1_700_000_000_000 + id) };
  };

  // The module's commands sent so far (a fill or a lease release is not awaited, and may wait for
  // the end of its tick to share a socket write) run before a command sent after them on its
  // connection: only then are the counters reset.
  const resetStats = async () => {
    await app.get<Redis>(CACHEKIT_REDIS).ping();
    await admin.config('RESETSTAT');
  };

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    app = await bootApp({ redis: server.url, namespace: uniqueNamespace() });
    cache = app.get(CacheKit);
    for (let id = 0; id < LANES; id++) {
      await cache.getOrSet(plain, [id], load(id));
      await cache.getOrSet(tagged, [id], load(id));
    }
  });
  afterAll(async () => {
    await app.close();
    await admin.quit();
    await server.stop();
  });

  it('costs one plain command per hit, tagged or not, and no script', async () => {
    loads = 0;
    await resetStats();
    for (let id = 0; id < LANES; id++) await cache.getOrSet(plain, [id], load(id));
    await Promise.all(Array.from({ length: LANES }, (_, id) => cache.getOrSet(tagged, [id], load(id))));
    // What this test's own admin connection sent (CONFIG RESETSTAT, INFO) is left out.
    const calls = Object.entries(await commandCalls(admin)).filter(([name]) => !/^(config|info)/.test(name));
    // Per hit, one MGET: the entry (its version, value tags and payload in one string) and the
    // versions of the cache name's generation and of the tags; a script doing the same costs Redis
    // ten times the CPU.
    expect(Object.fromEntries(calls)).toEqual({ mget: 2 * LANES });
    expect(loads).toBe(0);
  });

  it('returns the right value to each of many concurrent callers, tagged or not, with app commands sent in the same tick', async () => {
    loads = 0;
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    const reads = Array.from({ length: LANES }, (_, id) =>
      Promise.all([cache.getOrSet(plain, [id], load(id)), cache.getOrSet(tagged, [id], load(id))]),
    );
    const ping = redis.ping();
    const results = await Promise.all(reads);
    expect(await ping).toBe('PONG');
    results.forEach(([a, b], id) => {
      expect(a).toEqual({ id, at: new Date(1_700_000_000_000 + id) });
      expect(b).toEqual(a);
      expect(b).not.toBe(a);
    });
    expect(loads).toBe(0);
  });

  it('still checks tag versions when the reads share a write', async () => {
    await cache.evictTags(['t:3', 't:5']);
    loads = 0;
    const values = await Promise.all(Array.from({ length: LANES }, (_, id) => cache.getOrSet(tagged, [id], load(id))));
    expect(loads).toBe(2);
    expect(values[3]).toEqual({ id: 3, at: new Date(1_700_000_000_003) });
  });

  it('sends one read for many concurrent callers of one key, each getting its own copy', async () => {
    loads = 0;
    await resetStats();
    const values = await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet(tagged, [7], load(7))));
    const calls = Object.entries(await commandCalls(admin)).filter(([name]) => !/^(config|info)/.test(name));
    expect(Object.fromEntries(calls)).toEqual({ mget: 1 });
    expect(new Set(values).size).toBe(100);
    for (const value of values) expect(value).toEqual({ id: 7, at: new Date(1_700_000_000_007) });
    expect(loads).toBe(0);
  });

  it('stores a value with one script and its bus message, sent together, once its tag versions are known', async () => {
    await cache.set(plain, [11], { id: 11, at: new Date(1) }); // the server learns the script
    await resetStats();
    // The generation's life is extended only once it is shorter than asked (PTTL counts whole ms).
    await new Promise((done) => setTimeout(done, 5));
    await cache.set(plain, [11], { id: 11, at: new Date(0) });
    const calls = Object.entries(await commandCalls(admin)).filter(([name]) => !/^(config|info)/.test(name));
    // One script: it checks the name's generation still has the version this instance saw (GET),
    // keeps it alive (PTTL, PEXPIRE) and writes the entry (SET). The bus message that fences other
    // instances' loads of the old value leaves with it.
    expect(Object.fromEntries(calls)).toEqual({ evalsha: 1, get: 1, pttl: 1, pexpire: 1, set: 1, publish: 1 });
    expect(await cache.get(plain, 11)).toEqual({ id: 11, at: new Date(0) });
  });
});
