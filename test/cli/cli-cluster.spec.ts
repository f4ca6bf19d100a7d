import { INestApplicationContext } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { cli } from './cli-runner.js';
import { ProductService } from './cli.fixture.js';

const COUNT = 3_000;
const PRICES = 40;

const namespace = uniqueNamespace();
let app: INestApplicationContext;
let products: ProductService;
let cluster: Cluster;
let base: string[];

/** Entry keys of a cache on each master, counted by SCAN (independently of the CLI). */
async function perMaster(cache: string): Promise<number[]> {
  return Promise.all(
    cluster.nodes('master').map(async (node) => {
      let count = 0;
      for await (const keys of node.scanStream({ match: `{${namespace}:${cache}:*`, count: 1000 }))
        count += (keys as string[]).length;
      return count;
    }),
  );
}

beforeAll(async () => {
  const nodes = inject('clusterNodes');
  base = ['--cluster', nodes.map(({ host, port }) => `${host}:${port}`).join(','), '--namespace', namespace];
  // With an L1 (kept coherent by the bus, which the CLI's evictions must reach) and a stats beacon.
  app = await bootApp(
    {
      redis: { cluster: nodes },
      namespace,
      // Counts, not timing: a lease whose release timed out on a busy machine would be one key more.
      operationTimeout: 2_000,
      l1: { maxEntries: 10_000, ttl: '5m' },
      statsBeacon: { interval: '200ms', instance: 'api-c1' },
    },
    { providers: [ProductService] },
  );
  products = app.get(ProductService);
  cluster = new Cluster(nodes);
  for (let start = 0; start < COUNT; start += 250)
    await Promise.all(Array.from({ length: 250 }, (_, i) => products.product(start + i, 'en')));
  await Promise.all(Array.from({ length: PRICES }, (_, i) => products.price(i)));
}, 60_000);
afterAll(async () => {
  await cluster?.quit();
  await app?.close();
});

describe('cachekit CLI against a 3-master Redis Cluster', () => {
  it('the entries are spread over every master (so one SCAN alone would miss most of them)', async () => {
    const counts = await perMaster('product');
    expect(counts).toHaveLength(3);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(COUNT);
    for (const count of counts) expect(count).toBeGreaterThan(COUNT / 10);
  });

  it("stats and report: read the beacon from whichever master holds it; report shows the instance's report()", async () => {
    type Stats = { instances: { instance: string }[]; totals: Record<string, { misses: number; loads: number }> };
    // A beacon written before the last loads shows fewer (a miss is counted at its lookup, its load
    // when the loader returned, a round trip later): wait for one written after them.
    let stats: Stats | undefined;
    const counts = async () => {
      stats = (await cli(...base, '--json', 'stats')).json<Stats>();
      const { product, price } = stats.totals ?? {};
      return [product?.misses, product?.loads, price?.misses, price?.loads];
    };
    await expect.poll(counts, { timeout: 5_000 }).toEqual([COUNT, COUNT, PRICES, PRICES]);
    expect(stats!.instances.map((i) => i.instance)).toEqual(['api-c1']);
    // report: the instance's own report(), carried by its beacon (its store sample is report.spec's
    // concern: on a busy machine the one taken at boot may run out of budget).
    type Reports = { instance: string; report: { store: { kind: string; masters: number; sampled: boolean } } }[];
    await expect
      .poll(async () => (await cli(...base, '--json', 'report')).json<Reports>()[0]?.report?.store, { timeout: 5_000 })
      .toMatchObject({ kind: 'redis' });
    const text = await cli(...base, 'report');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^api-c1\ncache +verdict +hit ratio/);
  });

  it('keys: SCANs every master and counts every entry of the cache', async () => {
    const run = await cli(...base, '--json', 'keys', 'product', '--limit', '5');
    expect(run.err).not.toContain('cachekit:');
    expect(run.code).toBe(0);
    const { pattern, matched, keys } = run.json<{ pattern: string; matched: number; keys: string[] }>();
    expect(pattern).toBe(`{${namespace}:product:*`);
    expect(matched).toBe(COUNT);
    expect(keys).toHaveLength(5);
    for (const key of keys) expect(key).toMatch(new RegExp(`^\\{${namespace}:product:#\\d+:en\\}$`));
    const all = (await cli(...base, '--json', 'keys', '--limit', '1')).json<{ matched: number }>();
    expect(all.matched).toBeGreaterThanOrEqual(COUNT + PRICES); // entries, plus tags and generations
  });

  it('inspect: an entry on whichever master holds its slot, with its size and tags', async () => {
    const run = await cli(
      ...base,
      '--json',
      'inspect',
      'product',
      '[2718,"en"]',
      '--tag',
      'product:2718',
      '--tag',
      'catalog',
    );
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const entry = run.json<Record<string, any>>();
    expect(entry).toMatchObject({
      key: `{${namespace}:product:#2718:en}`,
      found: true,
      servable: true,
      leaseHeld: false,
    });
    expect(entry.ttlLeftMs).toBeGreaterThan(9 * 60_000);
    expect(entry.payloadBytes).toBeGreaterThan(16);
    expect(entry.memoryBytes).toBeGreaterThan(entry.payloadBytes);
    expect(entry.tags.map((t: { tag: string; state: string }) => [t.tag, t.state])).toEqual([
      ['~name:product', 'current'],
      ['product:2718', 'current'],
      ['catalog', 'current'],
    ]);
  });

  it('evict-tag: tags in different slots are evicted, and the app reads those entries as misses', async () => {
    const run = await cli(...base, '--json', 'evict-tag', 'product:2718', 'product:5', 'never-used');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual([
      { tag: 'product:2718', key: expect.any(String), hadVersion: true },
      { tag: 'product:5', key: expect.any(String), hadVersion: true },
      { tag: 'never-used', key: expect.any(String), hadVersion: false },
    ]);
    const after = (await cli(...base, '--json', 'inspect', 'product', '[2718,"en"]', '--tag', 'product:2718')).json<
      Record<string, any>
    >();
    expect(after).toMatchObject({ found: true, servable: false });
    const loads = products.loads;
    await products.product(2718, 'en');
    await products.product(5, 'en');
    await products.product(6, 'en'); // untouched: a hit
    expect(products.loads).toBe(loads + 2);
  });

  it('clear: evicts the cache and unlinks its keys on every master, with progress, leaving other caches', async () => {
    const run = await cli(...base, '--json', 'clear', 'product');
    expect(run.err).not.toContain('cachekit:');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ cache: 'product', generation: 'evicted', unlinked: COUNT });
    const bar = run.err.split('\n').filter((line) => line.startsWith('clear product'));
    expect(bar.at(-1)).toMatch(new RegExp(`100% \\| (\\d+)/\\1 keys examined \\| ${COUNT} matched$`));
    expect(await perMaster('product')).toEqual([0, 0, 0]);
    expect((await cli(...base, '--json', 'keys', 'product')).json<{ matched: number }>().matched).toBe(0);
    expect((await cli(...base, '--json', 'keys', 'price')).json<{ matched: number }>().matched).toBe(PRICES);
    const loads = products.loads;
    await products.product(1, 'en');
    expect(products.loads).toBe(loads + 1);
  });
});
