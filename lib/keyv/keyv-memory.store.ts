import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';
import { LRUCache } from 'lru-cache';
import { CacheKitOptionsError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { toPx } from './keyv-ttl.js';
import { entryKey, namespacePrefix } from './keyv-key-layout.js';

/**
 * A bounded in-process Keyv store (least recently used entries go first), used by
 * `cacheKitKeyvStores` when the cache module has no Redis. Unlike Keyv's default `Map`, it cannot
 * grow without bound (an HTTP cache keyed by URL would), and expired entries are dropped by their
 * TTL, not only when read again. Keys are filed under the Keyv namespace like the Redis store's
 * (keyv-key-layout.ts), so adapters sharing one LRUCache clear only their own namespace.
 */
export class CacheKitKeyvMemoryStore extends EventEmitter implements KeyvStoreAdapter {
  /** Set by Keyv: the Keyv namespace this adapter serves (scopes `clear()`). */
  namespace?: string;
  readonly opts: { maxEntries: number };
  readonly #entries: LRUCache<string, string | Buffer>;

  /** `maxEntries` bounds a new cache; pass an LRUCache to share one between adapters. */
  constructor(maxEntriesOrCache: number | LRUCache<string, string | Buffer>) {
    super();
    if (maxEntriesOrCache instanceof LRUCache) {
      this.#entries = maxEntriesOrCache;
    } else {
      if (!Number.isInteger(maxEntriesOrCache) || maxEntriesOrCache < 1) {
        throw new CacheKitOptionsError(
          messages.invalidPositiveInt('CacheKitKeyvMemoryStore maxEntries', maxEntriesOrCache),
        );
      }
      this.#entries = new LRUCache({ max: maxEntriesOrCache });
    }
    this.opts = { maxEntries: this.#entries.max };
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    return this.#entries.get(entryKey(this.namespace, key)) as Value | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.#entries.set(entryKey(this.namespace, key), value as string | Buffer, { ttl: toPx(ttl) ?? 0 });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.#entries.delete(entryKey(this.namespace, key));
  }

  async has(key: string): Promise<boolean> {
    return this.#entries.has(entryKey(this.namespace, key));
  }

  /** Deletes the entries of this store's Keyv namespace (every entry when Keyv has none). */
  async clear(): Promise<void> {
    if (!this.namespace) return this.#entries.clear();
    const prefix = namespacePrefix(this.namespace);
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  async disconnect(): Promise<void> {}
}
