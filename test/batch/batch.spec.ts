import { INestApplicationContext } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKeyError, CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { ItemModule, ItemService, itemById } from './batch.fixture.js';

const STORES: [string, () => CacheKitModuleOptions][] = [
  ['standalone Redis', () => ({ redis: inject('redisUrl') })],
  ['Redis Cluster', () => ({ redis: { cluster: inject('clusterNodes') } })],
];

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error('waited 5 s for the loader to be called');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(STORES)('batched loads on %s', (_, options) => {
  let app: INestApplicationContext;
  let service: ItemService;
  afterEach(() => app?.close());

  async function boot(extra: Partial<CacheKitModuleOptions> = {}): Promise<ItemService> {
    app = await bootApp({ ...options(), namespace: uniqueNamespace(), ...extra }, { imports: [ItemModule] });
    return (service = app.get(ItemService));
  }

  it('shares entries with the single-id method, and sends only the misses to the loader, in one call', async () => {
    await boot();
    await service.findOne(1);
    const found = await service.findByIds([1, 2, 3]);
    expect([...found.keys()]).toEqual([1, 2, 3]);
    expect(found.get(2)).toEqual({ id: 2, name: 'item 2' });
    expect(service.batchCalls).toEqual([[2, 3]]);
    await service.findOne(3); // stored by the batch: a hit
    expect(service.singleLoads).toBe(1);
    await service.findByIds([3, 2, 1]);
    expect(service.batchCalls).toHaveLength(1); // all hits: no loader call
  });

  it('all hits: no loader call, values in the order asked for', async () => {
    await boot();
    await service.findByIds(range(1, 100));
    const again = await service.findByIds(range(1, 100).reverse());
    expect([...again.keys()]).toEqual(range(1, 100).reverse());
    expect(service.batchCalls).toHaveLength(1);
  });

  it('duplicate ids are read and loaded once', async () => {
    await boot();
    const found = await service.findByIds([5, 5, 6, 5, 6]);
    expect([...found.keys()]).toEqual([5, 6]);
    expect(service.batchCalls).toEqual([[5, 6]]);
  });

  it('an empty list sends nothing to Redis and calls no loader', async () => {
    await boot();
    const client = app.get<Redis | Cluster>(CACHEKIT_REDIS);
    let commands = 0;
    const send = client.sendCommand.bind(client) as (...args: unknown[]) => unknown;
    client.sendCommand = ((...args: unknown[]) => (commands++, send(...args))) as typeof client.sendCommand;
    expect((await service.findByIds([])).size).toBe(0);
    expect(commands).toBe(0);
    expect(service.batchCalls).toEqual([]);
  });

  it('a non-keyable id fails the call naming its index, before any load', async () => {
    await boot();
    await expect(service.findByIds([1, (() => 2) as never])).rejects.toThrow(CacheKeyError);
    await expect(service.findByIds([1, Symbol('x') as never])).rejects.toThrow(/ItemService#findByIds \(ids\[1\]\)/);
    expect(service.batchCalls).toEqual([]);
  });

  it('10,000 ids are loaded in chunks of at most 500, then served from the cache', async () => {
    // Counts, not timing: 10,000 fills at once can outlast the default deadline on a busy machine
    // (test/integration/burst-deadline.spec.ts), and a fill timed out is a value loaded again.
    await boot({ operationTimeout: '5s' });
    const ids = range(1, 10_000);
    const found = await service.findByIds(ids);
    expect(found.size).toBe(10_000);
    expect(found.get(9_999)?.name).toBe('item 9999');
    expect(service.batchCalls).toHaveLength(20);
    expect(Math.max(...service.batchCalls.map((call) => call.length))).toBe(500);
    expect((await service.findByIds(ids)).size).toBe(10_000);
    expect(service.batchCalls).toHaveLength(20);
  });

  it('ids the loader adds are ignored, not cached', async () => {
    await boot();
    service.extra = [77];
    await service.findByIds([1]);
    await service.findOne(77);
    expect(service.singleLoads).toBe(1);
  });

  it('unknown ids are left out; with cacheNull they are negative-cached', async () => {
    await boot();
    expect([...(await service.findByIds([1, 30_000])).keys()]).toEqual([1]);
    await service.findByIds([30_000]);
    expect(service.batchCalls).toEqual([[1, 30_000], [30_000]]); // not cached without cacheNull
    await service.findMaybe([2, 30_001]);
    expect([...(await service.findMaybe([2, 30_001])).keys()]).toEqual([2]);
    expect(service.batchCalls.slice(2)).toEqual([[2, 30_001]]); // cached as null
  });

  it('overlapping batches load each id once (single-flight per id)', async () => {
    await boot();
    service.delayMs = 100;
    const first = service.findByIds([1, 2, 3]);
    await until(() => service.batchCalls.length === 1); // loading: the second batch finds 2 and 3 in flight
    const [a, b] = await Promise.all([first, service.findByIds([2, 3, 4])]);
    expect([...a.keys()]).toEqual([1, 2, 3]);
    expect([...b.keys()]).toEqual([2, 3, 4]);
    expect(b.get(2)).toEqual({ id: 2, name: 'item 2' });
    expect(b.get(2)).not.toBe(a.get(2)); // each caller its own copy
    expect(service.idsLoaded).toBe(4);
  });

  it('a loader that throws: every waiting caller gets the error, nothing is cached', async () => {
    await boot();
    service.delayMs = 100;
    service.failNext = true;
    const first = service.findByIds([1, 2]);
    await until(() => service.batchCalls.length === 1);
    const overlapping = service.findByIds([2]);
    const single = service.findOne(1);
    const outcomes = await Promise.allSettled([first, overlapping, single]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes)
      expect((outcome as PromiseRejectedResult).reason.message).toBe('database unavailable for 2 ids');
    service.delayMs = 0;
    await service.findByIds([1, 2]);
    expect(service.batchCalls.at(-1)).toEqual([1, 2]);
  });

  it('a value evicted while the loader ran is not stored (fenced per entry)', async () => {
    await boot();
    const cacheKit = app.get(CacheKit);
    service.delayMs = 150;
    const batch = service.findByIds([1, 2, 3]);
    await until(() => service.batchCalls.length === 1); // every entry has its fence: the loader runs
    await cacheKit.evict(itemById, 1);
    await cacheKit.evictTags(['item:2']);
    await batch;
    service.delayMs = 0;
    await service.findByIds([1, 2, 3]);
    expect(service.batchCalls.at(-1)).toEqual([1, 2]);
  });

  it('a tag eviction evicts what a batch stored, for the single-id method too', async () => {
    await boot();
    await service.findByIds([1, 2]);
    await app.get(CacheKit).evictTags(['item:1']);
    await service.findOne(1);
    await service.findOne(2);
    expect(service.singleLoads).toBe(1);
  });

  it('the array form returns the values in the order asked for', async () => {
    await boot();
    await service.findOne(2);
    const items = await service.listByIds([3, 2, 30_000, 1], '!');
    expect(items.map((item) => item.id)).toEqual([3, 2, 1]);
    expect(items[1]!.name).toBe('item 2'); // the cached entry, shared with findOne
    expect(service.batchCalls).toEqual([[3, 30_000, 1]]);
  });

  it('CacheKit.getMany uses the same entries', async () => {
    await boot();
    await service.findByIds([1, 2]);
    const loaded: number[][] = [];
    const found = await app.get(CacheKit).getMany(itemById, [1, 2, 3], async (ids) => {
      loaded.push(ids);
      return ids.map((id) => [id, { id, name: `loaded ${id}` }] as const);
    });
    expect(loaded).toEqual([[3]]);
    expect(found.get(1)).toEqual({ id: 1, name: 'item 1' });
    expect(found.get(3)).toEqual({ id: 3, name: 'loaded 3' });
  });

  it('with an L1, hits come from it and a batch fills it', async () => {
    await boot({ l1: { maxEntries: 1_000 } });
    await service.findByIds([1, 2]);
    const found = await service.findByIds([1, 2]);
    expect(found.get(1)).toEqual({ id: 1, name: 'item 1' });
    expect(app.get(CacheKit).stats().item?.hits).toBe(2);
  });
});

describe('batched loads without Redis', () => {
  it('work on the memory store', async () => {
    const app = await bootApp({}, { imports: [ItemModule] });
    const service = app.get(ItemService);
    await service.findByIds([1, 2]);
    expect((await service.findByIds([1, 2, 3])).size).toBe(3);
    expect(service.batchCalls).toEqual([[1, 2], [3]]);
    await app.close();
  });
});
