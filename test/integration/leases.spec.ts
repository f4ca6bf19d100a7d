import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';
import { engineOver, planFor } from '../support/engine.js';

const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };
const LOCK = { waitMs: 3_000, leaseMs: 2_000 };

/** Load leases on standalone Redis and on the cluster: several instances, one load per key. */
describe.each(['redis', 'cluster'])('load leases (%s)', (kind) => {
  let clients: (Redis | Cluster)[];
  beforeAll(() => {
    clients = [0, 1, 2].map(() =>
      kind === 'redis' ? new Redis(inject('redisUrl')) : new Cluster(inject('clusterNodes')),
    );
  });
  afterAll(() => Promise.all(clients.map((c) => c.quit())));

  it('three instances missing 40 keys at once run each loader once', async () => {
    const instances = clients.map((client) => engineOver(new RedisEntryStore(client, TIMES)));
    const ns = uniqueNamespace();
    const loads = new Map<number, number>();
    await Promise.all(
      instances.flatMap((instance) =>
        Array.from({ length: 40 }, async (_, i) => {
          const plan = planFor(`{${ns}:lease:${i}}`, [`{${ns}:~tag:t${i % 3}}`], { lock: LOCK });
          const value = await instance.getOrLoad(plan, async () => {
            loads.set(i, (loads.get(i) ?? 0) + 1);
            await sleep(30);
            return `v${i}`;
          });
          expect(value).toBe(`v${i}`);
        }),
      ),
    );
    expect([...loads.values()]).toEqual(Array(40).fill(1));
  });

  it('waiters load themselves when the lease holder fails', async () => {
    const [first, second] = clients.map((client) => engineOver(new RedisEntryStore(client, TIMES)));
    const plan = planFor(`{${uniqueNamespace()}:lease:failing}`, [], { lock: LOCK });
    const failing = first.getOrLoad(plan, async () => {
      await sleep(50);
      throw new Error('origin down');
    });
    await sleep(10);
    const waiting = second.getOrLoad(plan, async () => 'from the waiter');
    await expect(failing).rejects.toThrow('origin down');
    expect(await waiting).toBe('from the waiter');
  });
});
