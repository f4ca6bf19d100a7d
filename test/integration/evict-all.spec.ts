import { INestApplicationContext } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheDefinitionError, CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const ENTRIES = 3_000;
const item = defineCache({ name: 'item', key: (id: number) => id, ttl: '5m' });
const other = defineCache({ name: 'item.other', key: (id: number) => id, ttl: '5m' });

const targets: [string, () => CacheKitModuleOptions['redis']][] = [
  ['standalone Redis', () => inject('redisUrl')],
  ['a 3-master Redis Cluster', () => ({ cluster: inject('clusterNodes') })],
];

/** Every entry of a cache name goes at once, whatever else lives under the name's keys. */
describe.each(targets)('clearing every entry of a cache on %s', (_, redis) => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  const boot = async () => {
    app = await bootApp({ redis: redis(), namespace: uniqueNamespace() });
    return app.get(CacheKit);
  };

  const fill = async (cache: CacheKit, count: number, value: string) => {
    for (let start = 0; start < count; start += 500) {
      const ids = Array.from({ length: Math.min(500, count - start) }, (_, i) => start + i);
      await Promise.all(ids.map((id) => cache.set(item, [id], `${value}-${id}`)));
    }
  };

  const served = async (cache: CacheKit, count: number) => {
    let hits = 0;
    for (let start = 0; start < count; start += 500) {
      const ids = Array.from({ length: Math.min(500, count - start) }, (_, i) => start + i);
      const values = await Promise.all(ids.map((id) => cache.get(item, id)));
      hits += values.filter((value) => value !== undefined).length;
    }
    return hits;
  };

  it('evicts all of them while a load of the same cache holds its lease', async () => {
    const cache = await boot();
    await fill(cache, ENTRIES, 'old');
    await cache.set(other, [1], 'kept');
    let release!: () => void;
    const loading = cache.getOrSet(item, [ENTRIES + 1], () => new Promise<string>((r) => (release = () => r('late'))));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the load holds its lease now

    await cache.clear(item);

    expect(await served(cache, ENTRIES)).toBe(0);
    release();
    expect(await loading).toBe('late');
    // The load began before the clear: its result is never served from the cache.
    expect(await cache.get(item, ENTRIES + 1)).toBeUndefined();
    expect(await cache.get(other, 1)).toBe('kept');
    // A miss after the clear loads at once (no wait on a lease turned into something else).
    const started = Date.now();
    expect(await cache.getOrSet(item, [5], async () => 'new-5')).toBe('new-5');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await cache.get(item, 5)).toBe('new-5');
  });

  it('refuses a name no definition could have, so nothing beyond one cache is reached', async () => {
    const cache = await boot();
    await cache.set(item, [1], 'one');
    for (const name of ['*', 'item*', '{item}', 'item:1', '']) {
      await expect(cache.clear(name)).rejects.toThrow(CacheDefinitionError);
    }
    expect(await cache.get(item, 1)).toBe('one');
  });

  it('sends a constant number of commands whatever the number of entries', async () => {
    const cache = await boot();
    const client = app.get<Redis | Cluster>(CACHEKIT_REDIS);
    await fill(cache, ENTRIES, 'old');
    const before = await processed(client);
    await cache.clear(item);
    const sent = (await processed(client)) - before;
    expect(await served(cache, 100)).toBe(0);
    expect(sent).toBeLessThan(20); // SCAN over 3,000 keys plus one script per key would be thousands
  });
});

/** Commands processed by every master (INFO stats), including the INFO calls themselves. */
async function processed(client: Redis | Cluster): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const infos = await Promise.all(nodes.map((node) => node.info('stats')));
  return infos.reduce((sum, info) => sum + Number(/total_commands_processed:(\d+)/.exec(info)![1]), 0);
}
