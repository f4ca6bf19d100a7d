import { LRUCache } from 'lru-cache';
import { CacheStore } from './cache-store.interface.js';

/**
 * The embedded store used when no `redis` option is given: a bounded in-process LRU that keeps
 * serialized payloads, so callers never share object references with the cache.
 */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  readonly #entries: LRUCache<string, Uint8Array>;

  constructor(maxEntries: number) {
    this.#entries = new LRUCache({ max: maxEntries, ttlAutopurge: false, allowStale: false });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#entries.get(key);
  }

  async set(key: string, payload: Uint8Array, ttlMs: number): Promise<void> {
    this.#entries.set(key, payload, { ttl: ttlMs });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    let count = 0;
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix) && this.#entries.delete(key)) count++;
    }
    return count;
  }
}
