import { describe, expect, it } from 'vitest';
import { CallLoop, hitRatio } from '../support/call-loop.js';
import { faults } from '../support/fault-proxy.js';
import {
  BOUND_MS,
  BreakerSamples,
  hitsAgain,
  slowest,
  staleAfter,
  useClusterProxies,
} from './cluster-proxy.scenario.js';
import {
  BREAKER_COOLDOWN_MS,
  DEADLINE_MS,
  MARGIN_MS,
  ORIGIN_MS,
  itemById,
  sleep,
  until,
} from './reliability.helpers.js';

describe('a Redis Cluster behind a fault proxy per node: one master slow, or its connections reset', () => {
  const { scenario } = useClusterProxies();

  it('500 ms latency on one master: every call adds at most about one deadline, and the cache works again once lifted', async () => {
    const { a, on, off, call, proxy } = await scenario('entries only');
    const breaker = new BreakerSamples(a);
    await proxy.set(faults.latency(500, 20));
    const faultAt = performance.now();
    const loop = CallLoop.start([...on, ...off], 4, call, breaker.sample);
    await sleep(1_200);
    await proxy.clear();
    const clearedAt = performance.now();
    const recoveredMs = await hitsAgain(loop, on, 'hits on the slow master after the fault');
    const records = await loop.stop();
    const during = loop.between(faultAt, clearedAt);
    // What the fault costs a call beyond its own work: a miss waits for the origin anyway.
    const added = during.map((r) => r.ms - (r.loaded ? ORIGIN_MS : 0));
    // Calls wholly inside the fault: one begun just before the clear may be answered after it.
    const onDuring = loop.within(faultAt, clearedAt).filter((r) => on.includes(r.id));
    console.log(
      `[faults] cluster master 500 ms slower through its proxy: ${during.length} calls, added at most ` +
        `${Math.max(...added).toFixed(0)} ms (its keys: slowest ${slowest(onDuring).toFixed(0)} ms); ` +
        `${breaker}; hits again ${recoveredMs.toFixed(0)} ms after the fault`,
    );
    expect(records.filter((r) => r.error !== undefined)).toEqual([]);
    expect(records.every((r) => r.version === 1)).toBe(true);
    expect(onDuring.length).toBeGreaterThan(0);
    expect(hitRatio(onDuring)).toBe(0); // no read of the slow master answered within the deadline
    expect(Math.max(...added)).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    expect(recoveredMs).toBeLessThan(BREAKER_COOLDOWN_MS + MARGIN_MS * 3);
  });

  it('500 ms latency on one master: a late reply and a late fill never bring back a row evicted meanwhile', async () => {
    const { a, b, on, origin, proxy } = await scenario('entries only');
    const [read, filled] = [on[0]!, on[1]!];

    // A late reply: the read reaches Redis at once and finds version 1; its answer comes back 600 ms late.
    await proxy.set(faults.latency(600), { direction: 'down' });
    const started = performance.now();
    const reading = a.getOrSet(itemById, [read], origin.load(read));
    await sleep(20);
    origin.version = 2;
    expect(await b.evict(itemById, read)).toBe(true);
    expect(await reading).toEqual({ id: read, version: 2 });
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    await sleep(700); // the late reply has arrived, and was dropped
    await proxy.clear();

    // A late fill: sent with the old row before the eviction, delivered 500 ms after it.
    expect(await b.evict(itemById, filled)).toBe(true); // a miss, so a loads and fills
    origin.version = 1;
    const release = origin.hold();
    const before = origin.loads;
    const loading = a.getOrSet(itemById, [filled], origin.load(filled));
    await until(async () => origin.loads === before + 1, 2_000, 5);
    await sleep(ORIGIN_MS + 20); // a has taken its ticket and read version 1
    await proxy.set(faults.latency(500), { direction: 'up' });
    release();
    expect(await loading).toEqual({ id: filled, version: 1 }); // its caller gets what it loaded
    origin.version = 2;
    expect(await b.evict(itemById, filled)).toBe(true); // lands at once: b is not behind the proxy
    await sleep(700); // the fill has reached Redis, after the eviction
    expect(await b.get(itemById, filled)).toBeUndefined();
    await proxy.clear();

    await until(async () => a.storeStats().breaker.reads === 'closed', BREAKER_COOLDOWN_MS + 3_000);
    for (const id of [read, filled]) {
      expect([undefined, { id, version: 2 }]).toContainEqual(await b.get(itemById, id));
      expect(await a.getOrSet(itemById, [id], origin.load(id))).toEqual({ id, version: 2 });
    }
  });

  it('the connections to one master reset (RST) twice under load: no call fails, values stay right, hits resume', async () => {
    const { a, b, on, off, origin, call, proxy } = await scenario('entries only');
    const loop = CallLoop.start([...on, ...off], 4, call);
    await sleep(300);
    const faultAt = performance.now();
    await proxy.set(faults.reset()); // now, and every connection that opens meanwhile
    await sleep(300);
    await proxy.clear();
    await sleep(400);
    // The second time a writer evicts rows of both kinds while the connections are down.
    await proxy.set(faults.reset());
    origin.version = 2;
    const evicted = [...on.slice(0, 4), ...off.slice(0, 4)];
    expect(await b.evictMany({ keys: evicted.map((id) => ({ definition: itemById, args: [id] })) })).toBe(true);
    const evictedAt = performance.now();
    await sleep(300);
    await proxy.clear();
    const clearedAt = performance.now();
    const recoveredMs = await hitsAgain(loop, on, 'hits on the reset master after the fault');
    await sleep(300);
    const records = await loop.stop();
    const during = loop.between(faultAt, clearedAt);
    const resets = (await proxy.connections()).length;
    console.log(
      `[faults] cluster master's connections reset twice (300 ms each) through its proxy: ${records.length} calls, ` +
        `${records.filter((r) => r.error !== undefined).length} failed, slowest ${slowest(during).toFixed(0)} ms, ` +
        `${resets} connections opened to it; hits again ${recoveredMs.toFixed(0)} ms after the fault, ` +
        `${origin.loads} origin loads`,
    );
    expect(records.filter((r) => r.error !== undefined)).toEqual([]);
    expect(slowest(during)).toBeLessThan(BOUND_MS);
    expect(staleAfter(records, evicted, evictedAt)).toEqual([]);
    expect(recoveredMs).toBeLessThan(BREAKER_COOLDOWN_MS + MARGIN_MS * 3);
    for (const id of evicted) expect(await a.getOrSet(itemById, [id], origin.load(id))).toEqual({ id, version: 2 });
  });
});
