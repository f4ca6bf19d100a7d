import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CacheKit } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { FaultProxy, SUBSCRIBER_TAG, faults, startFaultProxyProcess } from '../support/fault-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { Apps, MARGIN_MS, itemById, scenarioOptions, sleep, until } from './reliability.helpers.js';

const OLD = { id: 1, version: 1 };

/**
 * Instance B keeps an L1 and reaches Redis through the fault proxy; only its bus connection (the
 * one that sends SUBSCRIBE) is cut, while its command connection and instance A stay healthy.
 */
describe('the L1 bus connection alone partitioned while another instance evicts', () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  const apps = new Apps();
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());
  afterEach(async () => {
    await apps.close();
    await proxy.stop();
  });

  async function boot(l1TtlMs: number): Promise<{ a: CacheKit; b: CacheKit; subscriber: number }> {
    proxy = await startFaultProxyProcess({ target: { port: server.port }, tags: [SUBSCRIBER_TAG] });
    const namespace = uniqueNamespace();
    const l1 = { l1: { ttl: l1TtlMs } };
    const a = await apps.boot(scenarioOptions(server.url, namespace, l1));
    const b = await apps.boot(scenarioOptions(proxy.url, namespace, l1));
    const subscribers = (await proxy.connections()).filter((c) => c.open && c.tag === SUBSCRIBER_TAG.name);
    expect(subscribers).toHaveLength(1); // the fault below really targets B's bus connection
    return { a, b, subscriber: subscribers[0].id };
  }

  /** A writes the row, B reads it into its L1, the bus is cut, A evicts (confirmed by Redis). */
  async function staleInL1(a: CacheKit, b: CacheKit): Promise<number> {
    await a.set(itemById, [1], OLD);
    // A's write tells B to drop key 1; a read of B racing that message rightly skips its L1.
    await sleep(100);
    expect(await b.get(itemById, 1)).toEqual(OLD);
    const cachedAt = performance.now();
    await proxy.set(faults.blackhole(), { tag: SUBSCRIBER_TAG.name });
    expect(await a.evict(itemById, 1)).toBe(true);
    await sleep(150);
    // The partition really kept the message from B (otherwise this scenario proves nothing).
    expect(await b.get(itemById, 1)).toEqual(OLD);
    return cachedAt;
  }

  it('serves its L1 copy at most the L1 TTL after caching it', async () => {
    const L1_TTL_MS = 1_500;
    const { a, b } = await boot(L1_TTL_MS);
    const cachedAt = await staleInL1(a, b);
    await until(async () => (await b.get(itemById, 1)) === undefined, L1_TTL_MS + 2_000, 10, 'the L1 copy expires');
    const servedStaleMs = performance.now() - cachedAt;
    console.log(
      `[faults] bus partitioned: the evicted value was served from L1 for ${servedStaleMs.toFixed(0)} ms (L1 ttl ${L1_TTL_MS})`,
    );
    expect(servedStaleMs).toBeLessThan(L1_TTL_MS + MARGIN_MS);
  });

  it.each([
    ['the connection drops and reconnects', 'reset'],
    ['the held messages arrive late', 'heal'],
  ])('flushes the stale copy when the bus comes back: %s', async (_, how) => {
    const { a, b, subscriber } = await boot(60_000);
    await staleInL1(a, b);
    const liftedAt = performance.now();
    if (how === 'reset') {
      await proxy.set(faults.reset(), { connection: subscriber }); // the held messages die with it
      await proxy.clear({ tag: SUBSCRIBER_TAG.name });
    } else {
      await proxy.clear();
    }
    await until(async () => (await b.get(itemById, 1)) === undefined, 5_000, 10, 'the stale L1 copy goes');
    const flushedMs = performance.now() - liftedAt;
    console.log(`[faults] bus back (${how}): the stale L1 copy went after ${flushedMs.toFixed(0)} ms`);
    // Reconnect backoff starts at 100 ms (the L1 TTL here is a minute: it plays no part).
    expect(flushedMs).toBeLessThan(1_000 + MARGIN_MS);
    if (how === 'reset') {
      const reconnected = (await proxy.connections()).filter((c) => c.open && c.tag === SUBSCRIBER_TAG.name);
      expect(reconnected.map((c) => c.id)).not.toContain(subscriber);
    }
  });
});
