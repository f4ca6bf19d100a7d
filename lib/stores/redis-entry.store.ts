import { Cluster, Redis } from 'ioredis';
import { EntryStore, FillTicket, NO_TAGS, StoredRead } from './entry-store.interface.js';
import { BEGIN, FILL, INVALIDATE, PUT, RELEASE_LEASE } from './redis.scripts.js';
import { mastersOf, scanKeys } from '../redis/scan-keys.js';
import { nextVersion } from './version-nonce.js';
import { WriteCoalescer } from './write-coalescer.js';

const SCAN_BATCH = 500;

export interface RedisEntryStoreTimes {
  /** How long an invalidated entry's fence outlives it; longer than any load is safest. */
  fenceTtlMs: number;
  /** Lifetime of a tag version; entries whose tag version expired are misses (fail closed). */
  tagTtlMs: number;
}

/**
 * Entries in Redis (standalone or Cluster). An entry is one hash `{ns:name:parts}` holding payload
 * and version; a tag is one string `{ns:~tag:tag}` holding its version. Reads are one round trip
 * (HMGET + tag GETs sent together); tag invalidation is one SET per tag.
 */
export class RedisEntryStore implements EntryStore {
  readonly kind = 'redis';
  readonly #isCluster: boolean;
  readonly #reads: WriteCoalescer;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly times: RedisEntryStoreTimes,
  ) {
    this.#isCluster = client instanceof Cluster;
    this.#reads = new WriteCoalescer(client);
  }

  read(key: string, tags: readonly string[]): Promise<StoredRead> {
    // Concurrent hits issue their reads in the same tick: one socket write for all of them.
    this.#reads.sending(tags.length > 0);
    try {
      const entry = this.client.hgetBuffer(key, 'd');
      if (tags.length === 0) return entry.then(this.#untagged, this.#untaggedFailed);
      return this.#taggedRead(entry, tags);
    } catch (error) {
      this.#reads.settled();
      throw error;
    }
  }

  // Built once: an untagged read (the usual hit) allocates no handlers of its own.
  readonly #untagged = (payload: Buffer | null): StoredRead => {
    this.#reads.settled();
    return { payload: payload ?? undefined, tagVersions: NO_TAGS };
  };
  readonly #untaggedFailed = (error: unknown): StoredRead => {
    this.#reads.settled();
    return { payload: foreignIsMiss(error) ?? undefined, tagVersions: NO_TAGS };
  };

  async #taggedRead(entry: Promise<Buffer | null>, tags: readonly string[]): Promise<StoredRead> {
    try {
      const [payload, tagVersions] = await Promise.all([entry.catch(foreignIsMiss), this.#tagVersions(tags)]);
      return { payload: payload ?? undefined, tagVersions };
    } finally {
      this.#reads.settled();
    }
  }

  async begin(key: string, tags: readonly string[]): Promise<FillTicket> {
    const [version, ...tagVersions] = await Promise.all([
      BEGIN.run(this.client, [key], [nextVersion(), this.times.fenceTtlMs]) as Promise<string>,
      // SET NX GET: the existing version, or ours if there was none (never reusing an old one).
      ...tags.map(async (tag) => {
        const fresh = nextVersion();
        const old = await this.client.set(tag, fresh, 'PX', this.times.tagTtlMs, 'NX', 'GET');
        return old ?? fresh;
      }),
    ]);
    return { version, tagVersions };
  }

  async fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number, lease?: string): Promise<boolean> {
    const keys = lease === undefined ? [key] : [key, leaseKey(key)];
    return (await FILL.run(this.client, keys, [ticket.version, toBuffer(payload), ttlMs, lease ?? ''])) === 1;
  }

  async put(key: string, payload: Uint8Array, ttlMs: number): Promise<void> {
    await PUT.run(this.client, [key], [nextVersion(), toBuffer(payload), ttlMs]);
  }

  async invalidate(keys: readonly string[]): Promise<number> {
    const deleted = await Promise.all(
      keys.map((key) => INVALIDATE.run(this.client, [key, leaseKey(key)], [nextVersion(), this.times.fenceTtlMs])),
    );
    return deleted.reduce<number>((sum, n) => sum + Number(n), 0);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    await Promise.all(tags.map((tag) => this.client.set(tag, nextVersion(), 'PX', this.times.tagTtlMs)));
  }

  async invalidatePrefix(prefix: string): Promise<number> {
    let count = 0;
    for (const node of mastersOf(this.client)) {
      for await (const keys of scanKeys(node, `${prefix}*`, SCAN_BATCH)) count += await this.invalidate(keys);
    }
    return count;
  }

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(leaseKey(key), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async releaseLease(key: string, token: string, holdMs = 0): Promise<void> {
    await RELEASE_LEASE.run(this.client, [leaseKey(key)], [token, holdMs]);
  }

  async #tagVersions(tags: readonly string[]): Promise<(string | undefined)[]> {
    if (tags.length === 0) return [];
    // Tags live in different slots, so a cluster gets one GET per tag (sent together).
    const values = this.#isCluster
      ? await Promise.all(tags.map((tag) => this.client.get(tag)))
      : await this.client.mget(...tags);
    return values.map((value) => value ?? undefined);
  }
}

// `{entry}:lease` shares the entry's hash tag, so it lives in the entry's slot.
function leaseKey(key: string): string {
  return `${key}:lease`;
}

// Something else stored under our key (not a hash) is a miss; the next fill replaces it.
function foreignIsMiss(error: unknown): null {
  if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return null;
  throw error;
}

function toBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
