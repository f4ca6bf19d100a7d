// @keyv/test-suite (Keyv's own conformance tests: API, values, namespaces, iterator) against the
// adapter over a real standalone Redis and a real 3-master Redis Cluster, and against the
// in-process fallback.
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { Cluster, Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import * as vitest from 'vitest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKitKeyvMemoryStore, CacheKitKeyvStore } from '../../lib/keyv/index.js';
import { uniqueNamespace } from '../support/app.js';
import { freePort } from '../support/redis-server.js';

for (const kind of ['standalone', 'cluster'] as const) {
  describe(`CacheKitKeyvStore on ${kind} Redis: @keyv/test-suite`, () => {
    const cacheNamespace = uniqueNamespace();
    let client: Redis | Cluster;
    const store = () => new CacheKitKeyvStore(client, { cacheNamespace });

    beforeAll(async () => {
      client = kind === 'standalone' ? new Redis(inject('redisUrl')) : new Cluster(inject('clusterNodes'));
      await client.ping();
    });
    afterAll(async () => {
      await new Keyv({ store: store() }).clear();
      await client.quit();
    });

    keyvTestSuite(vitest, Keyv, store);
    keyvIteratorTests(vitest, Keyv, store);

    it('keeps its keys under <cache namespace>:keyv:<keyv namespace>:, with Redis expiry', async () => {
      const keyv = new Keyv({ store: store(), namespace: 'http' });
      await keyv.set('/products/1', { id: 1 }, 60_000);
      const key = `${cacheNamespace}:keyv:http:/products/1`;
      expect(JSON.parse((await client.get(key))!)).toMatchObject({ value: { id: 1 } });
      expect(await client.pttl(key)).toBeGreaterThan(55_000);
      await keyv.set('forever', 1);
      expect(await client.pttl(`${cacheNamespace}:keyv:http:forever`)).toBe(-1);
    });

    it('disconnect() leaves the shared client open', async () => {
      const keyv = new Keyv({ store: store() });
      await keyv.disconnect();
      expect(await client.ping()).toBe('PONG');
      expect(await keyv.set('after', 'disconnect')).toBe(true);
      expect(await keyv.get('after')).toBe('disconnect');
    });

    it('setMany / hasMany / getMany / deleteMany across slots', async () => {
      const keyv = new Keyv({ store: store(), namespace: 'many' });
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      expect(await keyv.setMany(keys.map((key, i) => ({ key, value: i, ttl: i % 2 ? 60_000 : undefined })))).toEqual(
        keys.map(() => true),
      );
      expect(await keyv.getMany(keys)).toEqual(keys.map((_, i) => i));
      expect(await keyv.hasMany([...keys, 'absent'])).toEqual([...keys.map(() => true), false]);
      expect(await keyv.deleteMany(keys)).toBe(true);
      expect(await keyv.hasMany(keys)).toEqual(keys.map(() => false));
      expect(await keyv.deleteMany(keys)).toBe(false);
    });
  });
}

describe('CacheKitKeyvMemoryStore (no Redis): @keyv/test-suite', () => {
  // One LRU shared by every adapter, like one Redis, so namespaces really share a store.
  const entries = new LRUCache<string, string | Buffer>({ max: 1_000 });
  const store = () => new CacheKitKeyvMemoryStore(entries);

  keyvTestSuite(vitest, Keyv, store);

  it('is bounded: the least recently used entries go first', async () => {
    const keyv = new Keyv({ store: new CacheKitKeyvMemoryStore(3) });
    for (const key of ['a', 'b', 'c']) await keyv.set(key, key);
    await keyv.get('a');
    await keyv.set('d', 'd');
    expect(await keyv.getMany(['a', 'b', 'c', 'd'])).toEqual(['a', undefined, 'c', 'd']);
  });
});

describe('CacheKitKeyvStore when Redis is unreachable', () => {
  it('emits every error through Keyv and answers a miss; throwOnErrors rethrows', async () => {
    const client = new Redis({
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      const errors: unknown[] = [];
      const keyv = new Keyv({ store: new CacheKitKeyvStore(client, { cacheNamespace: 'down' }) });
      keyv.on('error', (error: unknown) => errors.push(error));
      expect(await keyv.get('a')).toBeUndefined();
      expect(await keyv.set('a', 1)).toBe(false);
      expect(await keyv.has('a')).toBe(false);
      expect(await keyv.delete('a')).toBe(false);
      expect(await keyv.getMany(['a', 'b'])).toEqual([undefined, undefined]);
      await keyv.clear();
      expect(errors).toHaveLength(6);
      expect(errors.every((error) => error instanceof Error)).toBe(true);

      const strict = new CacheKitKeyvStore(client, { cacheNamespace: 'down', throwOnErrors: true });
      await expect(strict.get('a')).rejects.toThrow();
    } finally {
      client.disconnect();
    }
  });

  it('rejects a client that is not ioredis and a namespace the module would reject', () => {
    expect(() => new CacheKitKeyvStore({} as Redis, { cacheNamespace: 'ok' })).toThrow(/ioredis/);
    const client = new Redis({ lazyConnect: true });
    expect(() => new CacheKitKeyvStore(client, { cacheNamespace: '{shop}' })).toThrow(/cacheNamespace/);
    expect(() => new CacheKitKeyvStore(client, { cacheNamespace: 'shop', clearBatchSize: 0 })).toThrow(
      /clearBatchSize/,
    );
    client.disconnect();
  });
});
