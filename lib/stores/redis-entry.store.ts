import { Cluster, Redis } from 'ioredis';
import { NO_TAGS, leaseKey, leaseWaitersKey, probeKey } from '../keys/key-layout.js';
import { EntryStore, FillTicket, StoredRead } from './entry-store.interface.js';
import { BEGIN, FILL, LEASE_BEGIN, PUT, READ, RELEASE_LEASE, TAG_VERSION, loadScripts } from './redis.scripts.js';
import { nextVersion } from './version-nonce.js';
import { WriteCoalescer } from './write-coalescer.js';
import { EntryRead, readMany } from './redis-batch-read.js';

export interface RedisEntryStoreTimes {
  /**
   * How long the version of an entry whose load began outlives the load; longer than any load is
   * safest. Also added to a tag version's life, since an entry is stored a load's time after it.
   */
  fenceTtlMs: number;
  /** Key of the write probe sent while writes are failing. Default: '{cachekit:~probe}'. */
  probeKey?: string;
  /** Channel on which fills that other instances wait for are announced (see FillNotices). Default: none. */
  fillChannel?: string;
}

/**
 * Entries in Redis (standalone or Cluster). An entry is one hash `{ns:name:parts}` holding payload
 * and version; a tag (and a cache name's generation) is one string holding its version, living as
 * long as the longest entry that carries it. Reads are one round trip (HGET + tag GETs sent
 * together); invalidating entries or tags is one DEL per key: a missing tag version matches no
 * entry (versions are never reused), so entries carrying it are misses.
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
    // Loading fails only with the connection (EVALSHA then falls back to EVAL): nothing to report.
    const load = () => void loadScripts(client).catch(() => undefined);
    client.on('ready', load);
    if (client.status === 'ready') load();
  }

  read(key: string, tags: readonly string[]): Promise<StoredRead> {
    // Concurrent hits issue their reads in the same tick: one socket write for all of them.
    const scripted = tags.length > 0 && !this.#isCluster;
    this.#reads.sending(tags.length > 0 && !scripted);
    try {
      if (scripted) return READ.runBuffer(this.client, [key, ...tags]).then(this.#scripted, this.#scriptFailed);
      const entry = this.client.hgetBuffer(key, 'd');
      if (tags.length === 0) return entry.then(this.#untagged, this.#untaggedFailed);
      return this.#taggedRead(entry, tags);
    } catch (error) {
      this.#reads.settled();
      throw error;
    }
  }

  readMany(reads: readonly EntryRead[]): Promise<StoredRead[]> {
    return readMany(this.client, reads);
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

  readonly #scripted = (reply: unknown): StoredRead => {
    this.#reads.settled();
    const [payload, ...versions] = reply as (Buffer | null)[];
    return { payload: payload ?? undefined, tagVersions: versions.map((v) => v?.toString('latin1')) };
  };
  readonly #scriptFailed = (error: unknown): never => {
    this.#reads.settled();
    throw error;
  };

  // A cluster: the entry and its tags live in different slots, so one command each, sent together.
  async #taggedRead(entry: Promise<Buffer | null>, tags: readonly string[]): Promise<StoredRead> {
    try {
      const [payload, tagVersions] = await Promise.all([entry.catch(foreignIsMiss), this.#tagVersions(tags)]);
      return { payload: payload ?? undefined, tagVersions };
    } finally {
      this.#reads.settled();
    }
  }

  async begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket> {
    const [version, tagVersions] = await Promise.all([
      BEGIN.run(this.client, [key], [nextVersion(), this.times.fenceTtlMs]) as Promise<string>,
      this.tagVersions(tags, tagLifeMs),
    ]);
    return { version, tagVersions };
  }

  tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[]> {
    // An entry is stored a load's time after its tags' versions were taken: they live that much longer.
    const life = tagLifeMs + this.times.fenceTtlMs;
    return Promise.all(
      tags.map((tag) => TAG_VERSION.run(this.client, [tag], [nextVersion(), life]) as Promise<string>),
    );
  }

  async fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number, lease?: string): Promise<boolean> {
    const keys = [key, leaseKey(key), leaseWaitersKey(key)];
    const args = [ticket.version, toBuffer(payload), ttlMs, lease ?? '', this.times.fillChannel ?? ''];
    return (await FILL.run(this.client, keys, args)) === 1;
  }

  async put(key: string, payload: Uint8Array, ttlMs: number): Promise<void> {
    await PUT.run(this.client, [key], [nextVersion(), toBuffer(payload), ttlMs]);
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    // The entry and its lease share a hash tag (one slot): one DEL each entry, sent together.
    await Promise.all(keys.map((key) => this.client.del(key, leaseKey(key))));
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    // Tags live in different slots, so one DEL per tag (sent together) works on a cluster too.
    await Promise.all(tags.map((tag) => this.client.del(tag)));
  }

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(leaseKey(key), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async leaseAndBegin(
    key: string,
    token: string,
    ttlMs: number,
    tags: readonly string[],
    tagLifeMs: number,
  ): Promise<FillTicket | false> {
    // The lease, the entry's version (only for the holder) and the tags' versions, sent together.
    const keys = [key, leaseKey(key), leaseWaitersKey(key)];
    const [version, tagVersions] = await Promise.all([
      LEASE_BEGIN.run(this.client, keys, [token, ttlMs, nextVersion(), this.times.fenceTtlMs]) as Promise<
        string | null
      >,
      this.tagVersions(tags, tagLifeMs),
    ]);
    return version === null ? false : { version, tagVersions };
  }

  async probe(): Promise<void> {
    await this.client.set(this.times.probeKey ?? probeKey('cachekit'), '1', 'PX', 1_000);
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

// Something else stored under our key (not a hash) is a miss; the next fill replaces it.
function foreignIsMiss(error: unknown): null {
  if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return null;
  throw error;
}

function toBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
