import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { SUBSCRIBER_TAG } from '../support/fault-proxy.js';
import { ClusterProxies, masterPortsOf, startClusterProxies } from '../support/cluster-proxies.js';
import { Apps, Origin, itemById, scenarioOptions } from './reliability.helpers.js';

/**
 * The suite's shared 3-master cluster, reached by the instance under test through one fault proxy
 * per node (ioredis `natMap` rewrites the ports the cluster announces); a second instance reaches
 * the nodes directly and stays healthy, to evict while the first one's network misbehaves.
 */
describe('a Redis Cluster behind a fault proxy per node', () => {
  const seed = inject('clusterNodes')[0]!;
  let proxies: ClusterProxies;
  const apps = new Apps();
  beforeAll(async () => {
    proxies = await startClusterProxies(seed, [SUBSCRIBER_TAG]);
  });
  afterAll(() => proxies?.stop());
  afterEach(async () => {
    await apps.close();
    await proxies.clear();
  });

  const proxied = (namespace: string, extra: CacheKitModuleOptions = {}): CacheKitModuleOptions => ({
    ...scenarioOptions('unused', namespace, extra),
    redis: { cluster: proxies.seeds, options: { natMap: proxies.natMap } },
  });
  const entryKey = (namespace: string, id: number) => `{${namespace}:item:${itemById.keyOf([id])}}`;

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
    const proxyPorts = proxies.seeds.map((address) => address.port);
    const connected = client.nodes('all').map((node) => node.options.port);
    expect(connected.length).toBeGreaterThanOrEqual(3);
    for (const port of connected) expect(proxyPorts).toContain(port);
    for (const { announced, proxy } of proxies.nodes.filter((node) => owners.includes(node.announced.port))) {
      const bytes = (await proxy.connections()).reduce((sum, c) => sum + c.bytesUp, 0);
      expect(bytes, `bytes sent to the master on ${announced.port} through its proxy`).toBeGreaterThan(0);
    }
    const tags = (await Promise.all(proxies.nodes.map((node) => node.proxy.connections()))).flat().map((c) => c.tag);
    expect(tags).toContain(SUBSCRIBER_TAG.name);
  });
});
