import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { cli } from './cli-runner.js';
import { ProductService } from './cli.fixture.js';

const namespace = uniqueNamespace();
let app: INestApplicationContext;
let products: ProductService;
let redisUrl: string;
const base = () => ['--redis', redisUrl, '--namespace', namespace];

beforeAll(async () => {
  redisUrl = inject('redisUrl');
  app = await bootApp(
    { redis: redisUrl, namespace, statsBeacon: { interval: '200ms', instance: 'api-1' } },
    { providers: [ProductService] },
  );
  products = app.get(ProductService);
});
afterAll(() => app.close());

describe('cachekit CLI against real Redis', () => {
  it('stats: sums the counters the running instance publishes through its beacon', async () => {
    await products.product(1, 'en'); // miss + load
    await products.product(1, 'en'); // hit
    await products.product(1, 'en'); // hit
    await products.price(5); // miss + load
    type Stats = {
      instances: { instance: string }[];
      totals: Record<string, { hits: number; misses: number; loads: number; hitRatio: number }>;
    };
    await expect
      .poll(async () => (await cli(...base(), '--json', 'stats')).json<Stats>().totals.product?.hits, {
        timeout: 5_000,
      })
      .toBe(2);
    const run = await cli(...base(), '--json', 'stats');
    expect(run.code).toBe(0);
    const { instances, totals } = run.json<Stats>();
    expect(instances.map((i) => i.instance)).toEqual(['api-1']);
    expect(totals.product).toMatchObject({ hits: 2, misses: 1, loads: 1 });
    expect(totals.product.hitRatio).toBeCloseTo(2 / 3);
    expect(totals.price).toMatchObject({ hits: 0, misses: 1, loads: 1 });
    const text = await cli(...base(), 'stats');
    expect(text.out).toMatch(/product\s+2\s+0\s+1\s+1/);
    expect(text.out).toContain('api-1');
  });

  it("report: the running instance's own report(), carried by its beacon", async () => {
    type Reports = { instance: string; report: { caches: object; store: { kind: string } } }[];
    await expect
      .poll(async () => (await cli(...base(), '--json', 'report')).json<Reports>()[0]?.report?.store?.kind, {
        timeout: 5_000,
      })
      .toBe('redis');
    const run = await cli(...base(), 'report');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^api-1\ncache +verdict +hit ratio +saved ms/);
  });

  it('report: counters with a note where instances run a version without report()', async () => {
    const ns = uniqueNamespace();
    const redis = new Redis(redisUrl);
    const counters = { hits: 9, staleHits: 0, misses: 1, loads: 1, hitRatio: 0.9 };
    const beacon = { instance: 'old-1', host: 'h', pid: 1, at: new Date().toISOString(), intervalMs: 5000 };
    try {
      await redis.set(`{${ns}:~beacon:old-1}`, JSON.stringify({ ...beacon, stats: { product: counters }, store: {} }));
      const run = await cli('--redis', redisUrl, '--namespace', ns, 'report');
      expect(run.code).toBe(0);
      expect(run.out).toContain('without CacheKit.report()');
      expect(run.out).toMatch(/product\s+90\.0%\s+9\s+1/);
    } finally {
      await redis.del(`{${ns}:~beacon:old-1}`);
      await redis.quit();
    }
  });

  it("report: renders each instance's report() verdicts as its beacon carries them", async () => {
    // A beacon in the shape a core with CacheKit.report() writes (the JSON is the contract).
    const ns = uniqueNamespace();
    const redis = new Redis(redisUrl);
    const report = {
      caches: {
        product: {
          hitRatio: 0.93,
          savedMs: 5400,
          spentMs: 310,
          store: { entries: 120, bytes: 48000 },
          audit: { mismatches: 2 },
          verdict: { kind: 'pays', reason: 'hit ratio 93% over 10 min saves 5.4 s of origin time' },
        },
        rates: {
          hitRatio: 0.03,
          verdict: { kind: 'costs', reason: 'hit ratio 3% over 10 min: this cache costs more than it saves' },
        },
      },
    };
    const beacon = {
      instance: 'api-9',
      host: 'h',
      pid: 1,
      at: new Date().toISOString(),
      intervalMs: 5000,
      stats: {},
      store: {},
      report,
    };
    try {
      await redis.set(`{${ns}:~beacon:api-9}`, JSON.stringify(beacon), 'PX', 10_000);
      const run = await cli('--redis', redisUrl, '--namespace', ns, 'report');
      expect(run.code).toBe(0);
      expect(run.out).toContain('api-9');
      expect(run.out).toMatch(/product\s+pays\s+93\.0%\s+5400\s+310\s+120\s+48000\s+2\s+hit ratio 93%/);
      expect(run.out).toMatch(/rates\s+costs\s+3\.0%.*this cache costs more than it saves/);
      const json = (await cli('--redis', redisUrl, '--namespace', ns, '--json', 'report')).json<unknown[]>();
      expect(json).toEqual([{ instance: 'api-9', report }]);
    } finally {
      await redis.quit();
    }
  });

  it('stats: sums counters over instances and shows the worst p99 where stats() has latency', async () => {
    const ns = uniqueNamespace();
    const redis = new Redis(redisUrl);
    const latency = (p99Ms: number) => ({
      l1Hit: { count: 0, p99Ms: 0 },
      storeHit: { count: 10, p99Ms },
      miss: { count: 2, p99Ms: p99Ms * 10 },
    });
    const counters = { hits: 10, staleHits: 0, misses: 2, joins: 0, loads: 2, loadErrors: 0, refreshes: 0 };
    const more = { refreshErrors: 0, skippedStores: 0, evictions: 1, storeErrors: 0, hitRatio: 0.83 };
    const beacon = (instance: string, p99Ms: number) => ({
      instance,
      host: 'h',
      pid: 1,
      at: new Date().toISOString(),
      intervalMs: 5000,
      stats: { product: { ...counters, ...more, latency: latency(p99Ms), audit: { checks: 3, mismatches: 0 } } },
      store: { kind: 'redis', breaker: { reads: 'closed', writes: 'closed' }, pendingEvictions: 0 },
    });
    try {
      await redis.set(`{${ns}:~beacon:a}`, JSON.stringify(beacon('a', 0.4)), 'PX', 10_000);
      await redis.set(`{${ns}:~beacon:b}`, JSON.stringify(beacon('b', 0.9)), 'PX', 10_000);
      const run = await cli('--redis', redisUrl, '--namespace', ns, 'stats');
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/product\s+20\s+0\s+4\s+4\s+0\s+2\s+0\s+83\.3%\s+-\s+0\.9\s+9/);
      const { totals } = (await cli('--redis', redisUrl, '--namespace', ns, '--json', 'stats')).json<{
        totals: Record<string, Record<string, unknown>>;
      }>();
      expect(totals.product).toMatchObject({ hits: 20, misses: 4, evictions: 2 });
      expect(totals.product.latency).toBeUndefined();
    } finally {
      await redis.quit();
    }
  });

  it('inspect: TTL left, expiry, size and tags current; after evict-tag the entry is no longer servable', async () => {
    await products.product(7, 'fr');
    const run = await cli(
      ...base(),
      '--json',
      'inspect',
      'product',
      '[7,"fr"]',
      '--tag',
      'product:7',
      '--tag',
      'catalog',
    );
    expect(run.code).toBe(0);
    const entry = run.json<Record<string, any>>();
    expect(entry).toMatchObject({ key: `{${namespace}:product:#7:fr}`, found: true, servable: true, leaseHeld: false });
    expect(entry.ttlLeftMs).toBeGreaterThan(9 * 60_000);
    expect(entry.ttlLeftMs).toBeLessThanOrEqual(10 * 60_000);
    expect(Date.parse(entry.expiresAt) - Date.parse(entry.createdAt)).toBe(10 * 60_000);
    expect(entry.freshUntil).toBeUndefined();
    expect(entry.payloadBytes).toBeGreaterThan(32);
    expect(entry.memoryBytes).toBeGreaterThan(entry.payloadBytes);
    expect(entry.tags.map((t: { tag: string; state: string }) => [t.tag, t.state])).toEqual([
      ['~name:product', 'current'],
      ['product:7', 'current'],
      ['catalog', 'current'],
    ]);

    const evicted = await cli(...base(), 'evict-tag', 'product:7');
    expect(evicted.code).toBe(0);
    const after = (await cli(...base(), '--json', 'inspect', 'product', '[7,"fr"]', '--tag', 'product:7')).json<
      Record<string, any>
    >();
    expect(after.servable).toBe(false);
    expect(after.tags[1]).toMatchObject({ tag: 'product:7', state: 'evicted', current: null });
    expect(after.unnamedTagVersions).toHaveLength(1);
    // The app agrees: the entry reads as a miss and is loaded again.
    const loads = products.loads;
    await products.product(7, 'fr');
    expect(products.loads).toBe(loads + 1);
  });

  it('inspect: a miss says so; a bad key or cache name is refused with what to do', async () => {
    const missing = await cli(...base(), 'inspect', 'product', '[404,"en"]');
    expect(missing.code).toBe(0);
    expect(missing.out).toContain('No entry under');
    const badJson = await cli(...base(), 'inspect', 'product', '[7,');
    expect(badJson.code).toBe(1);
    expect(badJson.err).toContain('<key json> must be JSON');
    const badName = await cli(...base(), 'inspect', 'pro*', '7');
    expect(badName.code).toBe(1);
    expect(badName.err).toContain('<cache> must be a cache name');
  });

  it('keys: lists the entry keys of one cache with SCAN', async () => {
    await products.price(1);
    await products.price(2);
    const run = await cli(...base(), '--json', 'keys', 'price');
    expect(run.code).toBe(0);
    const { keys } = run.json<{ keys: string[] }>();
    expect(keys).toEqual(expect.arrayContaining([`{${namespace}:price:#1}`, `{${namespace}:price:#2}`]));
    expect(keys.every((key) => key.startsWith(`{${namespace}:price:`))).toBe(true);
  });

  it('clear: every entry of the cache is gone, others stay; the app loads again', async () => {
    await products.price(3);
    await products.product(3, 'en');
    const run = await cli(...base(), 'clear', 'price');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/price: every entry evicted; \d+ key\(s\) unlinked/);
    const left = (await cli(...base(), '--json', 'keys', 'price')).json<{ matched: number }>();
    expect(left.matched).toBe(0);
    const loads = products.loads;
    await products.price(3);
    await products.product(3, 'en');
    expect(products.loads).toBe(loads + 1); // price reloaded, product still cached
  });

  it('says what is wrong when Redis cannot be reached or the namespace is invalid', async () => {
    const down = await cli('--redis', 'redis://127.0.0.1:1', 'keys');
    expect(down.code).toBe(1);
    expect(down.err).toContain('Could not reach Redis at redis://127.0.0.1:1');
    const bad = await cli('--redis', redisUrl, '--namespace', 'a:b', 'keys');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--namespace must be');
    const none = await cli('--redis', redisUrl, '--namespace', 'nobody-here', 'stats');
    expect(none.err).toContain("No running instance publishes stats in namespace 'nobody-here'");
  });

  it('the beacon disappears when the app shuts down', async () => {
    const ns = uniqueNamespace();
    const other = await bootApp({ redis: redisUrl, namespace: ns, statsBeacon: true }, {});
    const stats = async () => (await cli('--redis', redisUrl, '--namespace', ns, 'stats')).code;
    await expect.poll(stats, { timeout: 5_000 }).toBe(0);
    await other.close();
    expect(await stats()).toBe(1);
  });
});
