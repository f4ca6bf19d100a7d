import { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';

const LATENCY_MS = 150;
const product = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '1m',
  tags: (id: number) => [`product:${id}`, 'catalog'],
});

// A put carries the tag versions this instance last saw and the store checks them: one round trip,
// where taking the versions first costs two. Another instance's tag eviction makes the hint wrong:
// the put must then be refused and taken again, or the entry would carry a dead version (a miss).
describe('CacheKit.set on a definition with tags', () => {
  const namespace = uniqueNamespace();
  const apps: INestApplicationContext[] = [];
  let proxy: FaultProxy;
  let far: CacheKit;
  let near: CacheKit;
  let other: CacheKit;

  beforeAll(async () => {
    proxy = await startFaultProxyProcess({ target: { port: Number(new URL(inject('redisUrl')).port) } });
    const boot = async (redis: string) => {
      const app = await bootApp({ redis, namespace, operationTimeout: '2s' });
      apps.push(app);
      return app.get(CacheKit);
    };
    far = await boot(proxy.url);
    near = await boot(inject('redisUrl'));
    other = await boot(inject('redisUrl'));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await proxy?.stop();
  });

  it('takes one round trip once this instance knows the tag versions', async () => {
    await far.set(product, [1], { id: 1, name: 'first' }); // learns the versions (two round trips)
    await proxy.set(faults.latency(LATENCY_MS), { direction: 'down' });
    try {
      const started = performance.now();
      await far.set(product, [1], { id: 1, name: 'second' });
      const roundTrips = Math.floor((performance.now() - started) / LATENCY_MS);
      expect(roundTrips).toBe(1);
    } finally {
      await proxy.clear();
    }
    expect(await other.get(product, 1)).toEqual({ id: 1, name: 'second' });
  });

  it('is refused and taken again with the new versions after another instance evicted a tag', async () => {
    await near.set(product, [2], { id: 2, name: 'before' });
    expect(await other.get(product, 2)).toEqual({ id: 2, name: 'before' });
    await other.evictTags(['product:2']); // `near` still holds the old version of this tag
    await near.set(product, [2], { id: 2, name: 'after' });
    expect(await other.get(product, 2)).toEqual({ id: 2, name: 'after' });
    expect(await near.get(product, 2)).toEqual({ id: 2, name: 'after' });
  });

  it('reports a value it cannot store once, and asks the ttl function once', async () => {
    const { timed, ttlCalls } = timedCache('timed');
    await near.set(timed, [1], { ends: 60_000 }); // learns the tag's version
    const skippedBefore = near.stats().timed?.skippedStores ?? 0;
    ttlCalls.count = 0;
    const stored = await near.set(timed, [1], { ends: Number.NaN }); // not a duration: not stored
    expect(stored).toBe(false);
    expect(ttlCalls.count).toBe(1);
    expect(near.stats().timed!.skippedStores - skippedBefore).toBe(1);
    expect(await other.get(timed, 1)).toBeUndefined(); // nor is the old value
  });

  it('asks the ttl function once for a value it stores, on a put and on a load', async () => {
    const { timed, ttlCalls } = timedCache('timed-ok');
    await near.set(timed, [1], { ends: 60_000 }); // learns the tag's version
    ttlCalls.count = 0;
    expect(await near.set(timed, [1], { ends: 60_000 })).toBe(true);
    expect(ttlCalls.count, 'put').toBe(1);
    ttlCalls.count = 0;
    expect(await near.getOrSet(timed, [2], async () => ({ ends: 60_000 }))).toEqual({ ends: 60_000 });
    expect(ttlCalls.count, 'load').toBe(1);
    expect(await other.get(timed, 1)).toEqual({ ends: 60_000 });
  });

  it('after its own tag eviction, stores with the new versions', async () => {
    await near.set(product, [3], { id: 3, name: 'before' });
    await near.evictTags(['catalog']);
    await near.set(product, [3], { id: 3, name: 'after' });
    expect(await other.get(product, 3)).toEqual({ id: 3, name: 'after' });
  });
});

/** A tagged definition whose TTL comes from the value, counting the calls of its ttl function. */
function timedCache(name: string) {
  const ttlCalls = { count: 0 };
  const timed = defineCache({
    name,
    key: (id: number) => id,
    ttl: (value: { ends: number }) => (ttlCalls.count++, value.ends),
    tags: () => ['catalog'],
  });
  return { timed, ttlCalls };
}
