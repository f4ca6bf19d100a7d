import { INestApplicationContext } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { CacheEvent, CacheKit } from '../../lib/index.js';
import { CategoryStatsModule, CategoryStatsService } from '../fixtures/stats.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

// fresh 300 ms, stale 1500 ms (hard expiry at 1.8 s), jitter 0: see the fixture.
describe('@StaleWhileRevalidate on Redis', () => {
  let app: INestApplicationContext;
  let service: CategoryStatsService;
  let events: CacheEvent[];

  beforeEach(async () => {
    app = await bootApp(
      { redis: inject('redisUrl'), namespace: uniqueNamespace() },
      { imports: [CategoryStatsModule] },
    );
    service = app.get(CategoryStatsService);
    events = [];
    app.get(CacheKit).events$.subscribe((event) => events.push(event));
  });
  afterEach(() => app.close());

  it('serves stale at once while one background refresh runs, then the new value', async () => {
    await service.stats('lamps');
    await sleep(350); // past soft expiry
    service.version = 2;
    service.delayMs = 500;
    const stale = await Promise.all(Array.from({ length: 20 }, () => service.stats('lamps')));
    // Answered while the 500 ms refresh still runs: not waiting for the loader.
    expect(events.some((e) => e.type === 'refresh-success')).toBe(false);
    for (const value of stale) expect(value.version).toBe(1);
    await vi.waitFor(() => expect(events.some((e) => e.type === 'refresh-success')).toBe(true), { timeout: 3_000 });
    expect(service.loads).toBe(2); // one refresh for 20 stale reads
    expect((await service.stats('lamps')).version).toBe(2);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['miss', 'load', 'stale-hit', 'refresh-start', 'refresh-success', 'hit']),
    );
    const stats = app.get(CacheKit).stats()['category.stats'];
    expect(stats.staleHits).toBe(20);
    expect(stats.refreshes).toBe(1);
  });

  it('past hard expiry, the caller waits for the load', async () => {
    await service.stats('desks');
    await sleep(1_900); // past fresh + stale
    service.version = 3;
    service.delayMs = 300;
    const started = performance.now();
    expect((await service.stats('desks')).version).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('keeps serving stale while refreshes fail, spaced by backoff, then surfaces the error after hard expiry', async () => {
    await service.stats('chairs');
    await sleep(350);
    service.failing = true;
    const loadsBefore = service.loads;
    const deadline = Date.now() + 1_300; // stay inside the stale window
    while (Date.now() < deadline) {
      expect((await service.stats('chairs')).version).toBe(1);
      await sleep(20);
    }
    const refreshAttempts = service.loads - loadsBefore;
    // ~65 stale reads in 1.3 s; with backoff (0.5 s, then 1 s) only 2 or 3 refreshes run.
    expect(refreshAttempts).toBeGreaterThanOrEqual(1);
    expect(refreshAttempts).toBeLessThanOrEqual(3);
    const gaps = service.loadTimes.slice(-refreshAttempts).map((t, i, all) => (i ? t - all[i - 1] : Infinity));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(450);
    expect(events.filter((e) => e.type === 'refresh-error').length).toBe(refreshAttempts);
    await sleep(600); // now past hard expiry
    await expect(service.stats('chairs')).rejects.toThrow('aggregate query failed');
  });

  it('waits for a running refresh at shutdown, and writes nothing after', async () => {
    await service.stats('rugs');
    await sleep(350);
    service.delayMs = 300;
    service.version = 9;
    await service.stats('rugs'); // starts the refresh
    const closing = performance.now();
    await app.close();
    expect(performance.now() - closing).toBeGreaterThanOrEqual(200); // it waited for the refresh
    expect(events.some((e) => e.type === 'refresh-success')).toBe(true);
    app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace() }); // for afterEach
  });
});
