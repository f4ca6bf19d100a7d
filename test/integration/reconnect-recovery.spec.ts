import { describe, expect, it, vi } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { startRestartableRedis } from '../support/restartable-redis.js';

const item = defineCache({
  name: 'item',
  key: (id: number) => id,
  ttl: '5m',
  tags: (id: number) => [`group:${id % 4}`],
});

/** A reconnect is the usual end of an outage: the cache is used again at once, not a breaker cooldown later. */
describe('Redis back after an outage', () => {
  it('drains the evictions that waited and serves hits again right after the reconnect', async () => {
    const redis = await startRestartableRedis();
    const app = await bootApp({
      redis: redis.url,
      namespace: uniqueNamespace(),
      breaker: { failures: 2, cooldown: '10s' },
    });
    const cache = app.get(CacheKit);
    let loads = 0;
    const get = (id: number) => cache.getOrSet(item, [id], async () => (loads++, { id }));
    for (let id = 0; id < 8; id++) await get(id);

    await redis.stop();
    for (let id = 0; id < 8; id++) await cache.evictTags([`group:${id % 4}`]);
    expect(cache.storeStats().pendingEvictions).toBeGreaterThan(0);
    expect(cache.storeStats().breaker.writes).toBe('open');

    await redis.start();
    const back = Date.now();
    await vi.waitFor(() => expect(cache.storeStats().pendingEvictions).toBe(0), { timeout: 8_000, interval: 50 });
    await vi.waitFor(
      async () => {
        const before = loads;
        for (let id = 0; id < 8; id++) await get(id);
        expect(loads).toBe(before); // every read a hit again
      },
      { timeout: 8_000, interval: 100 },
    );
    expect(Date.now() - back).toBeLessThan(3_000); // far less than the 10 s cooldown
    await app.close();
    await redis.dispose();
  });
});
