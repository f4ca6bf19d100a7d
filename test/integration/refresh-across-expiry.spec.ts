import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EntryStore } from '../../lib/stores/entry-store.interface.js';
import { MemoryEntryStore } from '../../lib/stores/memory-entry.store.js';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';
import { engineOver, planFor } from '../support/engine.js';

const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };
const LOCK = { waitMs: 3_000, leaseMs: 2_000 };
const TTL_MS = 300;

/**
 * A background refresh (early refresh here; SWR past its hard expiry is the same) that is still
 * loading when its entry expires: its result is what the callers after expiry wait for, unless an
 * eviction or an empty store says the result may be stale.
 */
describe.each(['redis', 'cluster', 'memory'])('a refresh that outlives its entry (%s)', (kind) => {
  let client: Redis | Cluster | undefined;
  const newStore = (): EntryStore =>
    client ? new RedisEntryStore(client, TIMES) : new MemoryEntryStore(1_000, 60_000);
  beforeAll(() => {
    if (kind === 'redis') client = new Redis(inject('redisUrl'));
    if (kind === 'cluster') client = new Cluster(inject('clusterNodes'));
  });
  afterAll(() => client?.quit());

  /**
   * v1 is stored with a 300 ms TTL; a hit at 150 ms starts an early refresh (beta is huge) whose
   * loader takes 300 ms, so the entry expires at 300 ms while the refresh runs until ~450 ms.
   */
  async function refreshOverExpiry() {
    const cache = engineOver(newStore());
    const key = `{${uniqueNamespace()}:early:1}`;
    const plan = planFor(key, [], { ttlMs: TTL_MS, earlyRefreshBeta: 1e6, lock: LOCK });
    let loads = 0;
    const load = async () => {
      loads++;
      // XFetch weighs the recorded load time: the first load must take some.
      await sleep(loads === 2 ? 300 : 10);
      return `v${loads}`;
    };
    expect(await cache.getOrLoad(plan, load)).toBe('v1');
    await sleep(150);
    expect(await cache.getOrLoad(plan, load)).toBe('v1'); // a hit, which starts the refresh
    await sleep(20); // the refresh takes its lease, then loads
    expect(loads).toBe(2);
    await sleep(TTL_MS - 170 + 60); // the entry has expired; the refresh is still loading
    return { cache, plan, load, key, loads: () => loads };
  }

  it('stores its result, and a caller after expiry waits for it instead of loading again', async () => {
    const { cache, plan, load, loads } = await refreshOverExpiry();
    expect(await cache.read(plan)).toEqual({ hit: false });
    expect(await cache.getOrLoad(plan, load)).toBe('v2');
    expect(loads()).toBe(2);
    expect(await cache.read(plan)).toEqual({ hit: true, value: 'v2' });
  });

  it('stores nothing when the entry is evicted after it expired', async () => {
    const { cache, plan, load, loads } = await refreshOverExpiry();
    await cache.evict('race', [plan.key]);
    await sleep(200); // the refresh ends and tries to store v2
    expect(loads()).toBe(2);
    expect(await cache.read(plan)).toEqual({ hit: false });
    expect(await cache.getOrLoad(plan, load)).toBe('v3');
  });

  it.skipIf(kind === 'memory')(
    "stores nothing when the eviction's fence is dropped (maxmemory) before it ends",
    async () => {
      const { cache, plan, key, loads } = await refreshOverExpiry();
      await cache.evict('race', [plan.key]);
      await client!.del(key); // Redis may evict the fence (it has a TTL) under memory pressure
      await sleep(200);
      expect(loads()).toBe(2);
      expect(await cache.read(plan)).toEqual({ hit: false });
    },
  );

  it.skipIf(kind === 'memory')('stores nothing when the store lost the entry and the lease (a restart)', async () => {
    const { cache, plan, key, loads } = await refreshOverExpiry();
    await client!.del(`${key}:lease`); // what an empty restart does to the keys of this entry
    await sleep(200);
    expect(loads()).toBe(2);
    expect(await cache.read(plan)).toEqual({ hit: false });
  });
});
