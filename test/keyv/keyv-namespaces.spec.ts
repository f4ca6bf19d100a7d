// Keyv namespaces sharing one store are apart: clear() and iterator() of namespace 'a' touch 'a'
// only, never 'a:b' (whose keys also start with 'a:'), a Keyv without namespace, or a namespace
// that a glob character in 'a' would match. Real standalone Redis, real Cluster, and the in-process store.
import { Cluster, Redis } from 'ioredis';
import { Keyv, KeyvStoreAdapter } from 'keyv';
import { LRUCache } from 'lru-cache';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKitKeyvMemoryStore, CacheKitKeyvStore } from '../../lib/keyv/index.js';
import { uniqueNamespace } from '../support/app.js';

/** Sets `key` -> `${namespace}/${key}` in each namespace (undefined: a Keyv without namespace). */
async function fill(keyvs: Map<string | undefined, Keyv>, keys: string[]): Promise<void> {
  for (const [namespace, keyv] of keyvs) {
    for (const key of keys) expect(await keyv.set(key, `${namespace}/${key}`)).toBe(true);
  }
}

async function present(keyv: Keyv, keys: string[]): Promise<string[]> {
  const values = await keyv.getMany<string>(keys);
  return keys.filter((_, i) => values[i] !== undefined);
}

/** Every [key, value] `keyv.iterator()` yields, sorted by value. */
async function entriesOf(keyv: Keyv): Promise<[string, unknown][]> {
  const entries: [string, unknown][] = [];
  // Keyv's iterator takes its namespace from the store; the argument is unused.
  for await (const entry of keyv.iterator!(undefined)) entries.push(entry as [string, unknown]);
  return entries.sort(([, a], [, b]) => String(a).localeCompare(String(b)));
}

function keyvsOn(store: () => KeyvStoreAdapter, namespaces: (string | undefined)[]): Map<string | undefined, Keyv> {
  return new Map(namespaces.map((namespace) => [namespace, new Keyv({ store: store(), namespace })]));
}

const KEYS = ['k1', 'z:k2', 'x'];

function namespaceCases(store: () => KeyvStoreAdapter, iterates: boolean) {
  it("clear() of namespace 'a' leaves 'a:b', 'a:b:c' and a Keyv without namespace alone", async () => {
    const keyvs = keyvsOn(store, ['a', 'a:b', 'a:b:c', undefined]);
    await fill(keyvs, KEYS);
    // Keys of the Keyv without namespace that look like keys of namespace 'a'.
    await keyvs.get(undefined)!.set('a:k1', 'no namespace');
    await keyvs.get('a')!.clear();
    expect(await present(keyvs.get('a')!, KEYS)).toEqual([]);
    expect(await present(keyvs.get('a:b')!, KEYS)).toEqual(KEYS);
    expect(await present(keyvs.get('a:b:c')!, KEYS)).toEqual(KEYS);
    expect(await present(keyvs.get(undefined)!, [...KEYS, 'a:k1'])).toEqual([...KEYS, 'a:k1']);
    expect(await keyvs.get('a:b')!.get('k1')).toBe('a:b/k1');

    await keyvs.get('a:b')!.clear();
    expect(await present(keyvs.get('a:b')!, KEYS)).toEqual([]);
    expect(await present(keyvs.get('a:b:c')!, KEYS)).toEqual(KEYS);
    for (const keyv of keyvs.values()) await keyv.clear();
  });

  it.each([
    ['a*', ['ab', 'a', 'a*b']],
    ['a?', ['ab', 'a']],
    ['[ab]', ['a', 'b']],
    ['a\\', ['a', 'a\\b']],
    ['*', ['a', 'b']],
  ])('a glob character in namespace %j cannot widen its clear(): %j stay', async (namespace, others) => {
    const keyvs = keyvsOn(store, [namespace, ...others]);
    await fill(keyvs, KEYS);
    await keyvs.get(namespace)!.clear();
    expect(await present(keyvs.get(namespace)!, KEYS)).toEqual([]);
    for (const other of others) expect(await present(keyvs.get(other)!, KEYS)).toEqual(KEYS);
    for (const keyv of keyvs.values()) await keyv.clear();
  });

  it('a Keyv without namespace clears every Keyv entry of the store', async () => {
    const keyvs = keyvsOn(store, ['a', 'a:b', undefined]);
    await fill(keyvs, KEYS);
    await keyvs.get(undefined)!.clear();
    for (const keyv of keyvs.values()) expect(await present(keyv, KEYS)).toEqual([]);
  });

  // The in-process store has no iterator: Keyv offers none over it.
  if (!iterates) return;
  it("iterator() of namespace 'a' yields 'a''s entries only", async () => {
    const keyvs = keyvsOn(store, ['a', 'a:b', undefined]);
    await fill(keyvs, KEYS);
    await keyvs.get(undefined)!.set('a:k9', 'no namespace');
    expect(await entriesOf(keyvs.get('a')!)).toEqual([
      ['k1', 'a/k1'],
      ['x', 'a/x'],
      ['z:k2', 'a/z:k2'],
    ]);
    // Keyv itself strips only the first segment of a yielded key, so for 'a:b' compare the values.
    const nested = await entriesOf(keyvs.get('a:b')!);
    expect(nested.map(([, value]) => value)).toEqual(['a:b/k1', 'a:b/x', 'a:b/z:k2']);
    await keyvs.get(undefined)!.clear();
  });
}

for (const kind of ['standalone', 'cluster'] as const) {
  describe(`Keyv namespaces on one CacheKitKeyvStore key space (${kind} Redis)`, () => {
    const cacheNamespace = uniqueNamespace();
    let client: Redis | Cluster;
    const store = () => new CacheKitKeyvStore(client, { cacheNamespace, clearBatchSize: 2 });

    beforeAll(async () => {
      client = kind === 'standalone' ? new Redis(inject('redisUrl')) : new Cluster(inject('clusterNodes'));
      await client.ping();
    });
    afterAll(async () => {
      await new Keyv({ store: store(), namespace: undefined }).clear();
      await client.quit();
    });

    namespaceCases(store, true);

    it("files keys under the encoded Keyv namespace: 'a:b' is 'a%3Ab', none is ''", async () => {
      const keyvs = keyvsOn(store, ['http', 'a:b', '100%', undefined]);
      await fill(keyvs, ['k1']);
      for (const part of ['http', 'a%3Ab', '100%25', '']) {
        expect(await client.exists(`${cacheNamespace}:keyv:${part}:k1`)).toBe(1);
      }
      await keyvs.get(undefined)!.clear();
    });
  });
}

describe('Keyv namespaces on one CacheKitKeyvMemoryStore (no Redis)', () => {
  const entries = new LRUCache<string, string | Buffer>({ max: 1_000 });
  namespaceCases(() => new CacheKitKeyvMemoryStore(entries), false);
});
