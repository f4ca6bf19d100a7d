import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';

const itemById = defineCache({ name: 'item', key: (id: number) => id, ttl: '1m' });

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

/**
 * The store keeps at most `maxInFlight` calls in flight and queues the rest. A call's deadline
 * runs from when it is sent; a queued caller gives up without a verdict on the store, and a real
 * fault still opens the breaker and drops what waits. Redis sits behind a fault proxy in a process
 * of its own (its clock keeps running when ours is busy).
 */
describe('store calls beyond maxInFlight wait their turn', () => {
  let app: INestApplicationContext | undefined;
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await app?.close();
    await proxy?.stop();
    app = proxy = undefined;
  });

  async function boot(options: { operationTimeout: number; maxInFlight?: number }): Promise<CacheKit> {
    proxy = await startFaultProxyProcess({ target: { port: Number(new URL(inject('redisUrl')).port) } });
    app = await bootApp({ redis: proxy.url, namespace: uniqueNamespace(), ...options });
    return app.get(CacheKit);
  }

  it('a read that waited for its turn past the deadline goes to the origin, not counted as a store failure', async () => {
    const DEADLINE_MS = 500;
    const KEYS = 40;
    const cache = await boot({ operationTimeout: DEADLINE_MS, maxInFlight: 2 });
    const ids = Array.from({ length: KEYS }, (_, i) => i);
    let loads = 0;
    const load = (id: number) => async () => (loads++, { id });
    await Promise.all(ids.map((id) => cache.getOrSet(itemById, [id], load(id))));
    loads = 0;
    await Promise.all(ids.map((id) => cache.getOrSet(itemById, [id], load(id))));
    expect(loads, 'every entry stored by the first pass').toBe(0);

    // Each answer now takes 350 ms: within the deadline, but 2 in flight at a time serve about 6
    // reads a second, so the last of 40 would wait 7 s for its turn.
    await proxy!.set(faults.latency(350), { direction: 'down' });
    const results = await Promise.all(ids.map((id) => timed(() => cache.getOrSet(itemById, [id], load(id)))));
    results.forEach(({ value }, id) => expect(value).toEqual({ id }));
    const stats = cache.storeStats();
    const slowest = Math.max(...results.map(({ ms }) => ms));
    console.log(
      `[admission] ${KEYS} hits 350 ms away, 2 in flight: ${loads} went to the origin; slowest ${slowest.toFixed(0)} ms`,
    );
    expect(loads, 'the first in line were served from Redis').toBeLessThan(KEYS);
    expect(loads, 'the last in line gave up waiting').toBeGreaterThan(0);
    expect(stats.reads).toEqual({ failures: 0, timeouts: 0 });
    expect(stats.admission!.gaveUp).toBeGreaterThanOrEqual(loads);
    // Fills wait behind callers' calls, so some may still be queued when the last caller is answered.
    await vi.waitFor(
      () =>
        expect(cache.storeStats().admission).toEqual({
          maxInFlight: 2,
          inFlight: 0,
          queued: 0,
          gaveUp: expect.any(Number),
          dropped: 0,
        }),
      { timeout: 10_000, interval: 50 },
    );
    expect(stats.writes).toEqual({ failures: 0, timeouts: 0 });
    expect(stats.breaker).toEqual({ reads: 'closed', writes: 'closed' });
    // Bounded: a queued read counts only the time spent waiting on the slow store (100 ms of each
    // 350 ms round here), so it gives up after about 5 rounds instead of waiting 20.
    expect(slowest).toBeLessThan(4_000);
  }, 30_000);

  it('a blackholed store still opens the breaker, and the calls queued behind it answer at once', async () => {
    const DEADLINE_MS = 1_000;
    const CALLS = 1_000; // maxInFlight 256: the rest wait their turn
    const cache = await boot({ operationTimeout: DEADLINE_MS, maxInFlight: 256 });
    await proxy!.set(faults.blackhole());
    let loads = 0;
    const load = (id: number) => async () => (loads++, { id });
    const ids = Array.from({ length: CALLS }, (_, i) => i);
    const results = await Promise.all(ids.map((id) => timed(() => cache.getOrSet(itemById, [id], load(id)))));
    results.forEach(({ value }, id) => expect(value).toEqual({ id }));
    expect(loads).toBe(CALLS);
    const stats = cache.storeStats();
    expect(stats.breaker.reads).toBe('open');
    expect(stats.admission!.dropped, 'the calls waiting when the breaker opened').toBeGreaterThan(0);
    const late = results.filter(({ ms }) => ms > DEADLINE_MS + 600).length;
    const slowest = Math.max(...results.map(({ ms }) => ms));
    console.log(
      `[admission] ${CALLS} reads into a blackhole: ${stats.reads.timeouts} timed out in flight, ${late} answered after the first deadline; slowest ${slowest.toFixed(0)} ms`,
    );
    // Only the calls in flight reached the store and timed out (the default breaker opens on the
    // 5th: 4 more were sent as the first slots freed); the 740 or so waiting were dropped when it
    // opened, answering with the origin's value then, not one by one as slots freed.
    expect(stats.reads.timeouts).toBeGreaterThanOrEqual(5);
    expect(stats.reads.timeouts).toBeLessThanOrEqual(256 + 4);
    expect(late).toBeLessThanOrEqual(4);
    expect(slowest).toBeLessThan(2 * DEADLINE_MS + 600);
  }, 30_000);
});
