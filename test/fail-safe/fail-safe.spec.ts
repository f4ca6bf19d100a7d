import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  CacheEvent,
  CacheKit,
  CacheKitModuleOptions,
  Cacheable,
  StaleWhileRevalidate,
  defineCache,
} from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

const TTL_MS = 300;
const THROTTLE_MS = 600;
const SOFT_TTL_MS = 1_000;

class NotFound extends Error {}

/** The origin: answers with a numbered value per id, or fails, or hangs, as the test says. */
@Injectable()
class Origin {
  calls = 0;
  mode: 'up' | 'down' | 'hang' | 'not-found' = 'up';
  version = 1;

  async answer(id: number): Promise<{ id: number; version: number }> {
    this.calls++;
    if (this.mode === 'down') throw new Error('connection refused by the database');
    if (this.mode === 'not-found') throw new NotFound(`no row ${id}`);
    if (this.mode === 'hang') await sleep(1_500);
    return { id, version: this.version };
  }
}

export const priceById = defineCache({
  name: 'price',
  key: (id: number) => id,
  ttl: TTL_MS,
  jitter: 0,
  tags: (id: number) => [`price:${id}`],
  failSafe: { maxAge: '1m', throttle: THROTTLE_MS, when: (error) => !(error instanceof NotFound) },
});

@Injectable()
class PriceService {
  constructor(readonly origin: Origin) {}

  @Cacheable(priceById)
  price(id: number) {
    return this.origin.answer(id);
  }

  @Cacheable({ name: 'plain', key: (id: number) => id, ttl: TTL_MS, jitter: 0 })
  plain(id: number) {
    return this.origin.answer(id);
  }

  // A longer ttl: the value the hung load stores must still be fresh when the test reads it.
  @Cacheable({
    name: 'soft',
    key: (id: number) => id,
    ttl: SOFT_TTL_MS,
    jitter: 0,
    failSafe: { maxAge: '1m', throttle: THROTTLE_MS },
    timeout: { soft: 100, hard: 1_000 },
  })
  soft(id: number) {
    return this.origin.answer(id);
  }

  @Cacheable({ name: 'hard', key: (id: number) => id, ttl: TTL_MS, jitter: 0, timeout: { hard: 150 } })
  hard(id: number) {
    return this.origin.answer(id);
  }

  @StaleWhileRevalidate({
    name: 'swr',
    key: (id: number) => id,
    fresh: 100,
    stale: 200,
    jitter: 0,
    failSafe: { maxAge: '1m', throttle: THROTTLE_MS },
  })
  swr(id: number) {
    return this.origin.answer(id);
  }
}

@Module({ providers: [Origin, PriceService] })
class PriceModule {}

describe('fail-safe: the last good value answers while the origin fails', () => {
  const apps: INestApplicationContext[] = [];
  const boot = async (options: Partial<CacheKitModuleOptions> = {}) => {
    const app = await bootApp(
      { redis: inject('redisUrl'), namespace: uniqueNamespace(), outageFallback: false, ...options },
      { imports: [PriceModule] },
    );
    apps.push(app);
    const events: CacheEvent[] = [];
    app.get(CacheKit).events$.subscribe((event) => events.push(event));
    return { app, service: app.get(PriceService), origin: app.get(Origin), cache: app.get(CacheKit), events };
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('origin down: callers get the last good value, stats and events say fail-safe with the cause', async () => {
    const { service, origin, cache, events } = await boot();
    expect(await service.price(1)).toEqual({ id: 1, version: 1 });
    await sleep(TTL_MS + 50);
    origin.mode = 'down';
    const answers = await Promise.all(Array.from({ length: 5 }, () => service.price(1)));
    for (const answer of answers) expect(answer).toEqual({ id: 1, version: 1 });
    expect(origin.calls).toBe(2); // one load for the five callers
    expect(cache.stats().price?.failSafeHits).toBe(5);
    const served = events.filter((event) => event.type === 'fail-safe');
    expect(served).toHaveLength(5);
    expect(served[0]!.reason).toContain('connection refused by the database');
  });

  it('the origin is retried at most once per throttle per key, and fresh values return once it is back', async () => {
    const { service, origin } = await boot();
    await service.price(2);
    await sleep(TTL_MS + 50);
    origin.mode = 'down';
    expect(await service.price(2)).toEqual({ id: 2, version: 1 });
    const afterFirstFailure = origin.calls;
    for (let i = 0; i < 10; i++) {
      expect(await service.price(2)).toEqual({ id: 2, version: 1 });
      await sleep(20);
    }
    expect(origin.calls).toBe(afterFirstFailure); // re-armed: no retry within the throttle
    origin.mode = 'up';
    origin.version = 2;
    await sleep(THROTTLE_MS);
    expect(await service.price(2)).toEqual({ id: 2, version: 2 });
    expect(origin.calls).toBe(afterFirstFailure + 1);
  });

  it('a tag eviction during the outage removes the fail-safe copy: the error reaches the caller', async () => {
    const { service, origin, cache } = await boot();
    await service.price(3);
    await sleep(TTL_MS + 50);
    origin.mode = 'down';
    expect(await cache.evictTags(['price:3'])).toBe(true);
    await expect(service.price(3)).rejects.toThrow('connection refused by the database');
  });

  it('a key eviction and a whole-cache clear remove it too', async () => {
    const { service, origin, cache } = await boot();
    await service.price(4);
    await service.price(5);
    await sleep(TTL_MS + 50);
    origin.mode = 'down';
    expect(await service.price(4)).toEqual({ id: 4, version: 1 }); // re-armed for the throttle
    expect(await cache.evict(priceById, 4)).toBe(true);
    await expect(service.price(4)).rejects.toThrow('connection refused');
    expect(await cache.clear(priceById)).toBe(true);
    await expect(service.price(5)).rejects.toThrow('connection refused');
  });

  it('failSafe.when decides: a not-found error is not answered with the old value', async () => {
    const { service, origin } = await boot();
    await service.price(6);
    await sleep(TTL_MS + 50);
    origin.mode = 'not-found';
    await expect(service.price(6)).rejects.toThrow(NotFound);
  });

  it('without failSafe the error reaches the caller as before', async () => {
    const { service, origin } = await boot();
    await service.plain(7);
    await sleep(TTL_MS + 50);
    origin.mode = 'down';
    await expect(service.plain(7)).rejects.toThrow('connection refused');
  });

  it('timeout.soft: a slow origin is answered with the last good value; the load finishes and stores', async () => {
    const { service, origin } = await boot();
    await service.soft(8);
    await sleep(SOFT_TTL_MS + 50);
    origin.mode = 'hang';
    origin.version = 2;
    const started = performance.now();
    expect(await service.soft(8)).toEqual({ id: 8, version: 1 });
    expect(performance.now() - started).toBeLessThan(100 + 400); // soft timeout + a generous margin
    origin.mode = 'up';
    await sleep(1_700); // the hung load ends (1.5 s) and stores its result, fresh for 1 s
    expect(await service.soft(8)).toEqual({ id: 8, version: 2 });
    expect(origin.calls).toBe(2);
  });

  it('timeout.hard without a previous value: a CacheLoadTimeoutError naming Class#method and the key', async () => {
    const { service, origin } = await boot();
    origin.mode = 'hang';
    const error = await service.hard(9).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CACHEKIT_LOAD_TIMEOUT', where: 'PriceService#hard' });
    expect((error as Error).message).toContain(':hard:');
  });

  it('@StaleWhileRevalidate: past fresh + stale, a failing origin is answered by fail-safe', async () => {
    const { service, origin } = await boot();
    await service.swr(10);
    await sleep(350);
    origin.mode = 'down';
    expect(await service.swr(10)).toEqual({ id: 10, version: 1 });
  });

  it('CacheKit.getOrSet with a fail-safe definition', async () => {
    const { cache } = await boot();
    const down = () => Promise.reject(new Error('origin down'));
    expect(await cache.getOrSet(priceById, [11], async () => ({ id: 11, version: 1 }))).toEqual({ id: 11, version: 1 });
    await sleep(TTL_MS + 50);
    expect(await cache.getOrSet(priceById, [11], down)).toEqual({ id: 11, version: 1 });
  });

  it('a negative-cached null is not kept past its expiry: fail-safe never serves an old "not found"', async () => {
    const { cache } = await boot();
    const definition = defineCache({
      name: 'maybe',
      key: (id: number) => id,
      ttl: TTL_MS,
      jitter: 0,
      cacheNull: 100,
      failSafe: { maxAge: '1m' },
    });
    expect(await cache.getOrSet(definition, [12], async () => null)).toBeNull();
    await sleep(150);
    await expect(cache.getOrSet(definition, [12], () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  });
});
