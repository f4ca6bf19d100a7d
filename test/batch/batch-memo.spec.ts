import { INestApplicationContext } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { ItemModule, ItemService, itemById } from './batch.fixture.js';

const STORES: [string, () => CacheKitModuleOptions][] = [
  ['standalone Redis', () => ({ redis: inject('redisUrl') })],
  ['Redis Cluster', () => ({ redis: { cluster: inject('clusterNodes') } })],
];

// Deleting an entry straight in Redis (no eviction through the cache) tells a memo hit from a store hit.
describe.each(STORES)('batched loads and the request memo on %s', (_, options) => {
  let app: INestApplicationContext;
  let service: ItemService;
  let cache: CacheKit;
  let redis: Redis | Cluster;
  let namespace: string;
  afterEach(() => app?.close());

  async function boot(requestMemo = true): Promise<void> {
    namespace = uniqueNamespace();
    app = await bootApp({ ...options(), namespace, requestMemo }, { imports: [ItemModule] });
    service = app.get(ItemService);
    cache = app.get(CacheKit);
    redis = app.get<Redis | Cluster>(CACHEKIT_REDIS);
  }
  const dropFromRedis = (...ids: number[]) => Promise.all(ids.map((id) => redis.del(`{${namespace}:item:#${id}}`)));

  it('a batch serves an id the request already read from the memo, and loads only the others', async () => {
    await boot();
    await cache.withRequestMemo(async () => {
      await service.findOne(1);
      await dropFromRedis(1);
      const found = await service.findByIds([1, 2]);
      expect([...found.values()]).toEqual([
        { id: 1, name: 'item 1' },
        { id: 2, name: 'item 2' },
      ]);
    });
    expect(service.batchCalls).toEqual([[2]]);
  });

  it("a batch's values feed the memo for later single calls, each caller getting its own copy", async () => {
    await boot();
    await cache.withRequestMemo(async () => {
      const found = await service.findByIds([1, 2]);
      await dropFromRedis(1, 2);
      const one = await service.findOne(2);
      expect(one).toEqual({ id: 2, name: 'item 2' });
      expect(one).not.toBe(found.get(2));
      const again = await service.findByIds([2, 1]);
      expect([...again.keys()]).toEqual([2, 1]);
    });
    expect(service.singleLoads).toBe(0);
    expect(service.batchCalls).toEqual([[1, 2]]);
  });

  it('an eviction made in the request clears what the batch put in the memo', async () => {
    await boot();
    await cache.withRequestMemo(async () => {
      await service.findByIds([1, 2]);
      await cache.evict(itemById, 1);
      await dropFromRedis(2);
      await service.findOne(1);
      await service.findByIds([2]);
    });
    expect(service.singleLoads).toBe(1);
    expect(service.batchCalls).toEqual([[1, 2], [2]]);
  });

  it('without the memo, batches read the store as before', async () => {
    await boot(false);
    await cache.withRequestMemo(async () => {
      await service.findOne(1);
      await dropFromRedis(1);
      await service.findByIds([1, 2]);
    });
    expect(service.batchCalls).toEqual([[1, 2]]);
  });
});
