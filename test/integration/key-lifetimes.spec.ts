import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const lookup = defineCache({
  name: 'lookup',
  key: (id: number) => id,
  ttl: '1m',
  cacheNull: '30s',
  tags: (id: number) => [`lookup:${id}`, 'lookups'],
});

/** Every key the module writes lives no longer than the longest entry that needs it. */
describe('lifetimes of the keys the module writes', () => {
  it('gives tag versions of unknown ids no longer a life than the entries carrying them', async () => {
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: inject('redisUrl'), namespace });
    const cache = app.get(CacheKit);
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    for (let id = 0; id < 200; id++) expect(await cache.getOrSet(lookup, [id], async () => null)).toBeNull();

    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `{${namespace}:*`, count: 500 })) keys.push(...batch);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true); // nothing lives forever
    // The longest entry of this definition lives 1 minute + 10% jitter; allow the fence margin on top.
    expect(Math.max(...ttls)).toBeLessThanOrEqual(66_000 + 60_000);
    await app.close();
  });
});
