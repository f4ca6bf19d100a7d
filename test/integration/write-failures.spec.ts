import { INestApplicationContext, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheEvent, CacheKit } from '../../lib/index.js';
import { ProductModule, ProductService } from '../fixtures/product.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { RedisServer, freePort, startRedisServer } from '../support/redis-server.js';

const BREAKER_FAILURES = 3;

/** A store that reads but cannot write is not healthy for a cache: evictions must never be lost silently. */
describe('a Redis that refuses writes', () => {
  let server: RedisServer | undefined;
  let admin: Redis | undefined;
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    await admin?.quit();
    await server?.stop();
    app = admin = server = undefined;
  });

  const boot = async (extraArgs: string[] = []) => {
    server = await startRedisServer(extraArgs);
    admin = new Redis(server.url);
    app = await bootApp(
      {
        redis: server.url,
        namespace: uniqueNamespace(),
        breaker: { failures: BREAKER_FAILURES, cooldown: '300ms' },
      },
      { imports: [ProductModule] },
    );
    const events: CacheEvent[] = [];
    app.get(CacheKit).events$.subscribe((event) => events.push(event));
    return { service: app.get(ProductService), cache: app.get(CacheKit), events };
  };

  it('READONLY (a demoted master): reads never serve what an eviction that failed was told to forget, and the eviction lands once Redis takes writes', async () => {
    const { service, cache, events } = await boot();
    expect((await service.findOne(1))?.price).toBe(30);
    await admin!.replicaof('127.0.0.1', String(await freePort())); // read-only, keeps its data
    await service.update(1, { price: 35 }); // the eviction is refused: READONLY

    for (let i = 0; i < 5; i++) expect((await service.findOne(1))?.price).toBe(35);
    const failures = events.filter((event) => event.type === 'store-error');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatchObject({ cause: 'READONLY' });
    expect(cache.storeStats()).toMatchObject({ pendingEvictions: 1 });

    await admin!.replicaof('NO', 'ONE');
    await vi.waitFor(() => expect(cache.storeStats().pendingEvictions).toBe(0), { timeout: 10_000, interval: 50 });
    const loads = service.loads;
    expect((await service.findOne(1))?.price).toBe(35);
    await vi.waitFor(async () => {
      const before = service.loads;
      expect((await service.findOne(1))?.price).toBe(35);
      expect(service.loads).toBe(before); // cached again
    });
    expect(service.loads).toBeGreaterThan(loads);
  });

  it('READONLY: failed writes open the breaker although reads succeed, and it says so in the stats', async () => {
    const { service, cache } = await boot();
    await admin!.replicaof('127.0.0.1', String(await freePort()));
    for (let id = 10; id < 10 + 3 * BREAKER_FAILURES; id++) await service.findOne(id); // misses whose fills fail
    const stats = cache.storeStats();
    expect(stats.breaker.writes).toBe('open');
    expect(stats.writes.failures).toBeGreaterThanOrEqual(BREAKER_FAILURES);
    expect(cache.stats().product.storeErrors).toBeGreaterThan(0);
  });

  it('out of memory (noeviction): tag evictions still land, and fills that fail open the breaker', async () => {
    const { service, cache } = await boot(['--maxmemory-policy', 'noeviction']);
    expect((await service.findOne(1))?.price).toBe(30);
    // Well over the limit: every command that may add memory is refused (DEL is not).
    for (let i = 0; i < 32; i++) await admin!.set(`junk:${i}`, Buffer.alloc(64 * 1024, 1));
    await admin!.config('SET', 'maxmemory', '1mb');
    await expect(admin!.set('one-more', 'x')).rejects.toThrow(/OOM/);
    await service.touch(1); // tag eviction: product:1 (price 31)
    expect((await service.findOne(1))?.price).toBe(31);
    for (let id = 10; id < 10 + 3 * BREAKER_FAILURES; id++) await service.findOne(id);
    expect(cache.storeStats().breaker.writes).toBe('open');
    expect(cache.storeStats().pendingEvictions).toBe(0);
  });
});

describe('stats that show what happened', () => {
  it('counts joiners of a load as misses, tag and name evictions as evictions, and store failures', async () => {
    const server = await startRedisServer();
    const app = await bootApp(
      {
        redis: server.url,
        namespace: uniqueNamespace(),
        operationTimeout: 100,
        breaker: { failures: 2, cooldown: '1s' },
      },
      { imports: [ProductModule] },
    );
    const service = app.get(ProductService);
    const cache = app.get(CacheKit);
    service.delayMs = 50;
    await Promise.all(Array.from({ length: 10 }, () => service.findOne(1)));
    expect(service.loads).toBe(1);
    expect(cache.stats().product).toMatchObject({ misses: 10, hits: 0 });
    await service.touch(1);
    await service.reprice(1);
    expect(cache.stats().product.evictions).toBeGreaterThanOrEqual(1);
    expect(cache.stats()['~tags']?.evictions).toBe(1);

    server.freeze();
    service.delayMs = 0;
    for (let id = 2; id < 8; id++) await service.findOne(id);
    const store = cache.storeStats();
    expect(store.reads.timeouts).toBeGreaterThanOrEqual(2);
    expect(store.breaker.reads).toBe('open');
    expect(cache.stats().product.storeErrors).toBeGreaterThanOrEqual(6);
    server.thaw();
    await app.close();
    await server.stop();
  });
});

describe('logs during an outage', () => {
  it('logs a failing L1 publish at most once per interval, and once when the store answers again', async () => {
    const server = await startRedisServer();
    const warn = vi.spyOn(Logger.prototype, 'warn');
    const log = vi.spyOn(Logger.prototype, 'log');
    const app = await bootApp(
      {
        redis: server.url,
        namespace: uniqueNamespace(),
        operationTimeout: 50,
        breaker: { failures: 2, cooldown: '200ms' },
        l1: { ttl: '5s' },
      },
      { imports: [ProductModule] },
    );
    const service = app.get(ProductService);
    await service.findOne(1);
    server.freeze();
    for (let i = 0; i < 12; i++) await service.update(1, { price: 40 + i });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // publishes time out after the command backstop (1 s)
    const publishWarnings = warn.mock.calls.filter(([message]) => String(message).includes('L1 invalidation'));
    expect(publishWarnings.length).toBe(1);
    server.thaw();
    await vi.waitFor(
      async () => {
        await service.findOne(2);
        const recovered = [...log.mock.calls, ...warn.mock.calls].filter(([message]) =>
          /answers again/.test(String(message)),
        );
        expect(recovered).toHaveLength(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    warn.mockRestore();
    log.mockRestore();
    await app.close();
    await server.stop();
  });
});
