import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { CallLoop, hitRatio } from '../support/call-loop.js';
import { masterPortsOf } from '../support/cluster-proxies.js';
import { SUBSCRIBER_TAG, faults } from '../support/fault-proxy.js';
import {
  BOUND_MS,
  BreakerSamples,
  VictimHolds,
  entryKey,
  hitsAgain,
  slowest,
  staleAfter,
  useClusterProxies,
} from './cluster-proxy.scenario.js';
import { BREAKER_COOLDOWN_MS, MARGIN_MS, Origin, itemById, sleep } from './reliability.helpers.js';

describe('a Redis Cluster behind a fault proxy per node: routing, and one master blackholed', () => {
  const cluster = useClusterProxies();
  const { seed, apps, proxied, scenario } = cluster;

  it('natMap reaches the module’s client: every node is reached through its proxy, and the cache works', async () => {
    const namespace = uniqueNamespace();
    // With an L1 tier, so the invalidation bus opens its subscriber connection (a duplicate client) too.
    const app = await apps.bootContext(proxied(namespace, { l1: { maxEntries: 100, ttl: '5s' } }));
    const cache = app.get(CacheKit);
    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    const owners = await masterPortsOf(
      seed,
      ids.map((id) => entryKey(namespace, id)),
    );
    expect(new Set(owners).size).toBe(3); // the ids cover every master

    const origin = new Origin();
    await Promise.all(ids.map((id) => cache.getOrSet(itemById, [id], origin.load(id))));
    await Promise.all(ids.map((id) => cache.getOrSet(itemById, [id], origin.load(id))));
    expect(origin.loads).toBe(ids.length); // the second pass was all hits

    const client = app.get<Cluster>(CACHEKIT_REDIS);
    const proxyPorts = cluster.proxies.seeds.map((address) => address.port);
    const connected = client.nodes('all').map((node) => node.options.port);
    expect(connected.length).toBeGreaterThanOrEqual(3);
    for (const port of connected) expect(proxyPorts).toContain(port);
    for (const { announced, proxy } of cluster.proxies.nodes.filter((node) => owners.includes(node.announced.port))) {
      const bytes = (await proxy.connections()).reduce((sum, c) => sum + c.bytesUp, 0);
      expect(bytes, `bytes sent to the master on ${announced.port} through its proxy`).toBeGreaterThan(0);
    }
    const tags = (await Promise.all(cluster.proxies.nodes.map((node) => node.proxy.connections())))
      .flat()
      .map((c) => c.tag);
    expect(tags).toContain(SUBSCRIBER_TAG.name);
  });

  /**
   * One master blackholed for 1.5 s under steady traffic (4 callers), a writer evicting rows of
   * both kinds meanwhile, then the fault lifted: what the blackhole held (reads, fills sent before
   * the eviction) reaches Redis late.
   */
  async function blackholed(victimHolds: VictimHolds) {
    const { a, b, on, off, origin, call, proxy } = await scenario(victimHolds);
    const breaker = new BreakerSamples(a);
    await proxy.set(faults.blackhole());
    const faultAt = performance.now();
    const loop = CallLoop.start([...on, ...off], 4, call, breaker.sample);
    await sleep(400);
    origin.version = 2;
    const evicted = [...on.slice(0, 4), ...off.slice(0, 4)];
    expect(await b.evictMany({ keys: evicted.map((id) => ({ definition: itemById, args: [id] })) })).toBe(true);
    const evictedAt = performance.now();
    await sleep(1_100);
    await proxy.clear();
    const clearedAt = performance.now();
    const recoveredMs = await hitsAgain(loop, on, 'hits on the blackholed master after the fault');
    await sleep(300);
    const records = await loop.stop();
    const during = loop.between(faultAt, clearedAt);
    const result = {
      a,
      b,
      origin,
      records,
      evicted,
      evictedAt,
      recoveredMs,
      breaker,
      during,
      // Calls wholly inside the fault: one begun just before the clear may be answered after it.
      onDuring: loop.within(faultAt, clearedAt).filter((r) => on.includes(r.id)),
      offDuring: loop.within(faultAt, clearedAt).filter((r) => off.includes(r.id)),
      // Rows nobody evicted, once the fault is gone and the breaker closed.
      keptAfter: loop.between(clearedAt + recoveredMs + 100).filter((r) => !evicted.includes(r.id)),
    };
    console.log(
      `[faults] cluster master (holding ${victimHolds}) blackholed 1.5 s through its proxy: ${during.length} calls, ` +
        `slowest ${slowest(result.onDuring).toFixed(0)} ms (its keys) / ${slowest(result.offDuring).toFixed(0)} ms (others); ` +
        `hit ratio ${hitRatio(result.onDuring).toFixed(2)} (its keys) / ${hitRatio(result.offDuring).toFixed(2)} (others); ` +
        `${breaker}; ` +
        `hits again ${recoveredMs.toFixed(0)} ms after the fault; after: ${result.keptAfter.length} calls of rows not ` +
        `evicted, hit ratio ${hitRatio(result.keptAfter).toFixed(2)}`,
    );
    return result;
  }

  it.each(['entries only', 'generation'] as const)(
    'one master (holding %s) blackholed: calls answer within the bound, the breaker opens, the cache works again after, nothing evicted is served',
    async (victimHolds) => {
      const run = await blackholed(victimHolds);
      expect(run.records.filter((r) => r.error !== undefined)).toEqual([]);
      expect(slowest(run.during)).toBeLessThan(BOUND_MS);
      // Its keys reached the blackhole (no hit, no call stuck in it): the client goes through the proxy.
      expect(run.onDuring.length).toBeGreaterThan(0);
      expect(hitRatio(run.onDuring)).toBe(0);
      expect(run.breaker.readsOpen + run.breaker.writesOpen).toBeGreaterThan(0);
      expect(run.recoveredMs).toBeLessThan(BREAKER_COOLDOWN_MS + MARGIN_MS * 3);
      expect(staleAfter(run.records, run.evicted, run.evictedAt)).toEqual([]);
      // Rows nobody evicted were not lost on any master: all hits again once the fault is gone.
      expect(run.keptAfter.length).toBeGreaterThan(0);
      expect(hitRatio(run.keptAfter)).toBe(1);
      for (const id of run.evicted)
        expect([undefined, { id, version: 2 }]).toContainEqual(await run.b.get(itemById, id));
      for (const id of run.evicted) {
        expect(await run.a.getOrSet(itemById, [id], run.origin.load(id))).toEqual({ id, version: 2 });
      }
    },
  );

  // Known defect: the breakers are module-wide, so one unreachable master (holding no generation)
  // sends most calls to the origin, the healthy masters' hits included (0.00-0.19 observed). Marked as
  // failing until the breaker is per node; it turns red once the healthy masters keep their hits.
  it.fails('one master blackholed: the other masters keep serving their entries from the cache meanwhile', async () => {
    const run = await blackholed('entries only');
    expect(run.offDuring.length).toBeGreaterThan(20);
    expect(hitRatio(run.offDuring)).toBeGreaterThan(0.8);
  });
});
