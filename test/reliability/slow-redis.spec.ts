import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CacheKit } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import {
  Apps,
  BREAKER_COOLDOWN_MS,
  BREAKER_FAILURES,
  DEADLINE_MS,
  MARGIN_MS,
  ORIGIN_MS,
  Origin,
  itemById,
  scenarioOptions,
  sleep,
  timed,
  until,
} from './reliability.helpers.js';

/**
 * Instance A reaches Redis through a fault proxy (its own process, so its clock is not ours);
 * instance B reaches it directly and stays healthy, to evict while A's network misbehaves.
 */
describe('a slow or blackholed network between one instance and Redis', () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  const apps = new Apps();
  let origin: Origin;
  let a: CacheKit;
  let b: CacheKit;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());
  afterEach(async () => {
    await apps.close();
    await proxy.stop();
  });

  async function boot(): Promise<void> {
    proxy = await startFaultProxyProcess({ target: { port: server.port } });
    const namespace = uniqueNamespace();
    origin = new Origin();
    a = await apps.boot(scenarioOptions(proxy.url, namespace));
    b = await apps.boot(scenarioOptions(server.url, namespace));
  }

  /** Calls through A while the fault lasts: each returns the origin's current row within one deadline. */
  async function callsDuringFault(id: number, calls: number): Promise<{ added: number[]; openedAfter?: number }> {
    const added: number[] = [];
    let openedAfter: number | undefined;
    for (let call = 1; call <= calls; call++) {
      const { value, ms } = await timed(() => a.getOrSet(itemById, [id], origin.load(id)));
      expect(value).toEqual({ id, version: origin.version });
      expect(ms, `call ${call} took ${ms.toFixed(0)} ms`).toBeLessThan(ORIGIN_MS + DEADLINE_MS + MARGIN_MS);
      added.push(ms - ORIGIN_MS);
      if (openedAfter === undefined && a.storeStats().breaker.reads === 'open') openedAfter = call;
    }
    return { added, openedAfter };
  }

  /** After the fault is lifted: how long until A serves a hit again (a call that loads nothing). */
  async function recovery(id: number): Promise<number> {
    return until(async () => {
      const before = origin.loads;
      const value = await a.getOrSet(itemById, [id], origin.load(id));
      expect(value).toEqual({ id, version: origin.version });
      return origin.loads === before;
    }, BREAKER_COOLDOWN_MS + 2_000);
  }

  it('500 ms latency each way: bounded calls, the breaker opens, the cache is used again once lifted', async () => {
    await boot();
    expect(await a.getOrSet(itemById, [1], origin.load(1))).toEqual({ id: 1, version: 1 });
    await proxy.set(faults.latency(500, 20));
    origin.version = 2;
    expect(await b.evict(itemById, 1)).toBe(true);

    const { added, openedAfter } = await callsDuringFault(1, 8);
    expect(openedAfter).toBeLessThanOrEqual(BREAKER_FAILURES);
    expect(origin.loads).toBe(1 + 8); // nothing was served from the cache during the fault
    console.log(
      `[faults] latency 500 ms: added per call ${added.map((ms) => ms.toFixed(0)).join(', ')} ms; breaker open after ${openedAfter} calls`,
    );

    await proxy.clear();
    const recoveredMs = await recovery(1);
    console.log(
      `[faults] latency lifted: hits again after ${recoveredMs.toFixed(0)} ms (cooldown ${BREAKER_COOLDOWN_MS})`,
    );
    expect(recoveredMs).toBeLessThan(BREAKER_COOLDOWN_MS + MARGIN_MS * 3);
    expect(a.storeStats().breaker).toEqual({ reads: 'closed', writes: 'closed' });
    expect(await b.get(itemById, 1)).toEqual({ id: 1, version: 2 });
  });

  it('late replies: a read answered before an eviction but delivered after it is never served', async () => {
    await boot();
    await a.getOrSet(itemById, [3], origin.load(3));
    // Commands reach Redis at once; their replies (the old row) come back 600 ms late.
    await proxy.set(faults.latency(600), { direction: 'down' });
    const reading = timed(() => a.getOrSet(itemById, [3], origin.load(3)));
    await sleep(20); // the read has reached Redis and found version 1
    origin.version = 2;
    expect(await b.evict(itemById, 3)).toBe(true);
    const { value, ms } = await reading;
    expect(value).toEqual({ id: 3, version: 2 });
    expect(ms).toBeLessThan(ORIGIN_MS + DEADLINE_MS + MARGIN_MS);
    await sleep(700); // the late reply has arrived and been dropped
    await proxy.clear();
    await recovery(3);
    expect(await a.get(itemById, 3)).toEqual({ id: 3, version: 2 });
  });

  it('blackholed: a fill sent before an eviction and delivered after it never resurrects the old row', async () => {
    await boot();
    // A misses, takes its snapshot, reads version 1 from the origin, and is held there.
    const release = origin.hold();
    const loading = a.getOrSet(itemById, [2], origin.load(2));
    await until(async () => origin.loads === 1, 2_000, 5);
    await sleep(ORIGIN_MS + 20);
    await proxy.set(faults.blackhole());
    const started = performance.now();
    release(); // its fill goes out now, into the blackhole
    expect(await loading).toEqual({ id: 2, version: 1 }); // its own caller gets what it loaded
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS + MARGIN_MS);

    // The writer commits and evicts through the healthy instance, after the fill was sent.
    origin.version = 2;
    expect(await b.evict(itemById, 2)).toBe(true);
    const { openedAfter } = await callsDuringFault(2, 6);
    expect(openedAfter).toBeLessThanOrEqual(BREAKER_FAILURES);

    const before = (await proxy.connections()).reduce((sum, c) => sum + c.bytesUp, 0);
    await proxy.clear(); // everything held reaches Redis now, the fill last of all but after the eviction
    await sleep(200);
    expect((await proxy.connections()).some((c) => c.open)).toBe(true); // the same connection, not a reconnect
    expect(await b.get(itemById, 2)).toBeUndefined();
    await recovery(2);
    expect(await a.get(itemById, 2)).toEqual({ id: 2, version: 2 });
    expect(await b.get(itemById, 2)).toEqual({ id: 2, version: 2 });
    expect(before).toBeGreaterThan(0);
  });

  // A miss costs the read, then one round trip that takes the lease and the fence together (the
  // entry's snapshot and a check for a fill by another instance); the fill does not hold the caller.
  it('a round trip just under the deadline: a miss still costs at most the origin plus one deadline', async () => {
    // Each store call answers in time (250 ms of a 300 ms deadline), so nothing times out and no
    // breaker opens; what a caller waits for is the sum of the calls on its path.
    const deadlineMs = 300;
    proxy = await startFaultProxyProcess({ target: { port: server.port } });
    origin = new Origin();
    a = await apps.boot(scenarioOptions(proxy.url, uniqueNamespace(), { operationTimeout: deadlineMs }));
    await a.getOrSet(itemById, [9], origin.load(9)); // connected and warm
    await proxy.set(faults.latency(125));
    const misses: number[] = [];
    for (const id of [10, 11, 12]) {
      const { value, ms } = await timed(() => a.getOrSet(itemById, [id], origin.load(id)));
      expect(value).toEqual({ id, version: 1 });
      misses.push(ms);
    }
    console.log(
      `[faults] 250 ms round trips, ${deadlineMs} ms deadline: misses took ${misses.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    expect(Math.max(...misses)).toBeLessThan(ORIGIN_MS + deadlineMs + MARGIN_MS);
  });
});
