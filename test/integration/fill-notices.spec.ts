import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FillNotices } from '../../lib/bus/fill-notices.js';
import { fillChannel } from '../../lib/keys/key-layout.js';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { uniqueNamespace } from '../support/app.js';

const LONG_WAIT_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A lease waiter in another instance wakes on the holder's fill instead of a poll later: the fill
 * script announces fills that someone waited for. Each wait here would last 10 s without a notice.
 */
describe.each([
  ['Redis', () => new Redis(inject('redisUrl'))],
  ['Redis Cluster', () => new Cluster(inject('clusterNodes'))],
] as const)('fill notices, %s', (_, connect) => {
  let holderClient: Redis | Cluster;
  let waiterClient: Redis | Cluster;
  beforeAll(() => {
    holderClient = connect();
    waiterClient = connect();
  });
  afterAll(async () => {
    await holderClient.quit();
    await waiterClient.quit();
  });

  function instance(client: Redis | Cluster, namespace: string) {
    const store = new RedisEntryStore(client, { fenceTtlMs: 60_000, fillChannel: fillChannel(namespace) });
    return { store, notices: new FillNotices(client, namespace) };
  }

  it('a waiter that lost the lease is woken by the fill, long before its wait ends', async () => {
    const namespace = uniqueNamespace();
    const holder = instance(holderClient, namespace);
    const waiter = instance(waiterClient, namespace);
    const key = `{${namespace}:item:#1}`;
    try {
      const ticket = await holder.store.leaseAndBegin(key, 'holder', 5_000, [], 60_000);
      if (!ticket) throw new Error('the holder did not get the lease');
      expect(await waiter.store.leaseAndBegin(key, 'waiter', 5_000, [], 60_000)).toBe(false);
      // A first wait subscribes; it ends on its own (no fill yet) and the subscription stays.
      await waiter.notices.wait(key, 200);
      const started = performance.now();
      const woken = waiter.notices.wait(key, LONG_WAIT_MS);
      await sleep(20);
      expect(await holder.store.fill(key, ticket, Buffer.from('value'), 60_000)).toBe(true);
      await woken;
      expect(performance.now() - started).toBeLessThan(LONG_WAIT_MS / 2);
    } finally {
      await waiter.notices.stop();
    }
  });

  it('a fill nobody waited for is not announced, and a waiter of another key is not woken', async () => {
    const namespace = uniqueNamespace();
    const holder = instance(holderClient, namespace);
    const waiter = instance(waiterClient, namespace);
    const listener = waiterClient.duplicate();
    const heard: string[] = [];
    listener.on('message', (_channel: string, key: string) => heard.push(key));
    await listener.subscribe(fillChannel(namespace));
    try {
      const quiet = `{${namespace}:item:#2}`;
      const quietTicket = await holder.store.leaseAndBegin(quiet, 'holder', 5_000, [], 60_000);
      if (!quietTicket) throw new Error('the holder did not get the lease');
      expect(await holder.store.fill(quiet, quietTicket, Buffer.from('v'), 60_000)).toBe(true);

      const waited = `{${namespace}:item:#3}`;
      const ticket = await holder.store.leaseAndBegin(waited, 'holder', 5_000, [], 60_000);
      if (!ticket) throw new Error('the holder did not get the lease');
      expect(await waiter.store.leaseAndBegin(waited, 'waiter', 5_000, [], 60_000)).toBe(false);
      await waiter.notices.wait(quiet, 200); // subscribed from here on
      let otherWoken = false;
      const other = waiter.notices.wait(quiet, 1_000).then(() => (otherWoken = true));
      expect(await holder.store.fill(waited, ticket, Buffer.from('v'), 60_000)).toBe(true);
      await sleep(200);
      expect(heard).toEqual([waited]);
      expect(otherWoken).toBe(false);
      await other;
    } finally {
      await waiter.notices.stop();
      await listener.quit();
    }
  });
});
