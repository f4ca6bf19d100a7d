import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, defineCache } from '../../lib/index.js';
import { unwrap } from '../../lib/engine/entry/envelope.js';
import { parseStoredEntry } from '../../lib/stores/stored-entry.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

const KEYS = 2_000;
const WINDOW_MS = 100;

/** Peak count per 100 ms window of the given instants. */
function peakPerWindow(instants: number[]): number {
  const windows = new Map<number, number>();
  for (const at of instants)
    windows.set(Math.floor(at / WINDOW_MS), (windows.get(Math.floor(at / WINDOW_MS)) ?? 0) + 1);
  return Math.max(...windows.values());
}

describe('expiry storm', () => {
  let app: INestApplicationContext;
  afterEach(() => app.close());

  /**
   * Writes KEYS entries together and returns how long each lives from its creation, hard and soft
   * expiry, as the envelope records them (what a read obeys). Measured from each entry's own
   * creation, so how long the 2000 writes take (a busy machine spreads them) does not blur what
   * jitter alone does; Redis's own expiry of each entry is checked to follow its hard expiry.
   */
  async function expiries(jitter: number): Promise<{ hard: number[]; soft: number[] }> {
    const namespace = uniqueNamespace();
    app = await bootApp({ redis: inject('redisUrl'), namespace, jitter, operationTimeout: '5s' });
    const cache = app.get(CacheKit);
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    const definition = defineCache({ name: 'storm', key: (i: number) => i, swr: { fresh: '10s', stale: '10s' } });
    const load = (i: number) => cache.getOrSet(definition, [i], async () => ({ i }));
    await Promise.all(Array.from({ length: KEYS }, (_, i) => load(i)));
    // Callers do not wait for their fills, and 2000 misses at once are more calls than the store
    // keeps in flight: some fills still wait their turn. A second pass waits behind them (calls are
    // sent in order), so every entry is in Redis before it is read with the raw client.
    await Promise.all(Array.from({ length: KEYS }, (_, i) => load(i)));
    const now = Date.now();
    const pipeline = redis.pipeline();
    for (let i = 0; i < KEYS; i++) pipeline.pttl(`{${namespace}:storm:#${i}}`).getBuffer(`{${namespace}:storm:#${i}}`);
    const replies = (await pipeline.exec())!.map(([, value]) => value);
    const after = Date.now(); // Redis answered each PTTL between `now` and this
    const hard: number[] = [];
    const soft: number[] = [];
    for (let i = 0; i < KEYS; i++) {
      const { createdAt, freshUntil, expiresAt } = unwrap(
        parseStoredEntry(replies[2 * i + 1] as Buffer).payload!,
      )!.meta;
      // Redis's TTL runs from the fill, a little after the entry's creation: never before its expiry.
      const ttl = replies[2 * i] as number;
      expect(after + ttl).toBeGreaterThanOrEqual(expiresAt - 5);
      expect(now + ttl).toBeLessThan(expiresAt + 10_000);
      hard.push(expiresAt - createdAt);
      soft.push(freshUntil - createdAt);
    }
    return { hard, soft };
  }

  it('spreads 2000 entries written together over the jitter window (hard and soft expiry)', async () => {
    const flat = await expiries(0);
    await app.close();
    const spread = await expiries(0.1);
    // Without jitter, (nearly) every lifetime falls in one or two windows; with +-10% of 10 s + 10 s
    // they spread over ~4 s (40 windows), so the peak drops by an order of magnitude.
    expect(peakPerWindow(spread.hard)).toBeLessThan(KEYS / 10);
    expect(peakPerWindow(spread.hard)).toBeLessThan(peakPerWindow(flat.hard) / 4);
    expect(peakPerWindow(spread.soft)).toBeLessThan(KEYS / 5);
    expect(peakPerWindow(spread.soft)).toBeLessThan(peakPerWindow(flat.soft) / 3);
    console.log(
      `expiry storm, entries per 100 ms window at peak: hard ${peakPerWindow(flat.hard)} -> ${peakPerWindow(spread.hard)}, soft ${peakPerWindow(flat.soft)} -> ${peakPerWindow(spread.soft)}`,
    );
  });
});

describe('probabilistic early refresh (XFetch)', () => {
  let app: INestApplicationContext;
  afterEach(() => app.close());

  async function missesWhileReading(earlyRefresh: boolean): Promise<number> {
    app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace(), jitter: 0 });
    const cache = app.get(CacheKit);
    const definition = defineCache({
      name: 'hot',
      key: () => 'k',
      ttl: 1_000,
      ...(earlyRefresh ? { earlyRefresh: { beta: 2 } } : {}),
    });
    const load = async () => {
      await sleep(150);
      return Date.now();
    };
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      await cache.getOrSet(definition, [], load);
      await sleep(20);
    }
    return app.get(CacheKit).stats().hot.misses;
  }

  it('refreshes a hot key before it expires, so readers never miss after the first load', async () => {
    expect(await missesWhileReading(false)).toBeGreaterThanOrEqual(3); // the first load, then one per expiry
    await app.close();
    expect(await missesWhileReading(true)).toBe(1);
  });
});
