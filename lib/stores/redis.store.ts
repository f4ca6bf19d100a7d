import { Cluster, Redis } from 'ioredis';
import { CacheStore } from './cache-store.interface.js';

const SCAN_BATCH = 500;

/** Entries in Redis (standalone or Cluster); values are raw bytes, TTLs in milliseconds. */
export class RedisStore implements CacheStore {
  readonly kind = 'redis';

  constructor(private readonly client: Redis | Cluster) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.client.getBuffer(key)) ?? undefined;
  }

  async set(key: string, payload: Uint8Array, ttlMs: number): Promise<void> {
    await this.client.set(key, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), 'PX', ttlMs);
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    // Every key is its own cluster slot, so a multi-key UNLINK would be CROSSSLOT on a cluster.
    if (this.client instanceof Cluster) await Promise.all(keys.map((key) => this.client.unlink(key)));
    else await this.client.unlink(...keys);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const nodes = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    let count = 0;
    for (const node of nodes) {
      // SCAN in batches, never KEYS: other clients are never blocked for long.
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', SCAN_BATCH);
        cursor = next;
        for (const key of keys) count += await node.unlink(key);
      } while (cursor !== '0');
    }
    return count;
  }
}
