import { Cluster, Redis } from 'ioredis';
import { NO_TAGS, leaseKey, leaseWaitersKey, probeKey, tagEvictionKey } from '../keys/key-layout.js';
import { CheckedPut, EntryStore, FillTicket, StoredRead } from './entry-store.interface.js';
import {
  BEGIN,
  EVICT_TAG,
  FILL,
  LEASE_BEGIN,
  PUT_CHECKED,
  RELEASE_LEASE,
  TAG_VERSION,
  VALUE_TAG_VERSION,
  loadScripts,
} from './redis.scripts.js';
import { foreignIsMiss, parseStoredEntry, storedEntry } from './stored-entry.js';
import { nextVersion } from './version-nonce.js';
import { WriteCoalescer, writableStream } from './write-coalescer.js';
import { EntryRead, readMany, readTagVersions } from './redis-batch-read.js';
import { KnownTagVersions } from './known-tag-versions.js';
import { ReadAnswer } from './read-answer.js';

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
  /**
   * How far apart the clocks of two Cluster nodes may be: a load is ordered after a tag eviction by
   * the entry's node's clock at `begin` and the tag's node's at the eviction, so an eviction up to
   * this long before a load began still fences it. Default: 0 standalone (one clock), 250 on a Cluster.
   */
  clockSkewMs?: number;
}

/** How far apart Cluster nodes' clocks may be by default (NTP keeps them within a few ms). */
const CLUSTER_CLOCK_SKEW_MS = 250;

/**
 * Entries in Redis (standalone or Cluster). An entry is one string `{ns:name:parts}` holding its
 * version, the tags its value added and its payload (stored-entry.ts); a tag (and a cache name's
 * generation) is one string holding its version, living as long as the longest entry that carries
 * it. A read is one MGET of the entry and its tags' versions (a Cluster: one GET each, sent
 * together); invalidating entries or tags is one DEL per key: a missing tag version matches no
 * entry (versions are never reused), so entries carrying it are misses.
 */
export class RedisEntryStore implements EntryStore {
  readonly kind = 'redis';
  readonly #isCluster: boolean;
  readonly #coalescer: WriteCoalescer;
  readonly #known = new KnownTagVersions();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly times: RedisEntryStoreTimes,
  ) {
    this.#isCluster = client instanceof Cluster;
    this.#coalescer = new WriteCoalescer(client);
    // Loading fails only with the connection (EVALSHA then falls back to EVAL): nothing to report.
    const load = () => void loadScripts(client).catch(() => undefined);
    client.on('ready', load);
    if (client.status === 'ready') load();
  }

  read(key: string, tags: readonly string[]): Promise<StoredRead> {
    // Concurrent hits issue their reads in the same tick: one socket write for all of them.
    this.#coalescer.sending();
    // Only raw keys (CacheKit.get/set) have no tags, and they have no value tags either.
    if (tags.length === 0) return this.client.getBuffer(key).then(this.#untagged, this.#untaggedFailed);
    if (this.#isCluster) return this.#clusterRead(key, tags);
    // The usual hit: one command and one handler, no async frame (each holds a promise and a
    // context for the whole round trip, which a busy hit path pays for in young collections).
    return this.client.mgetBuffer(key, ...tags).then((replies) => this.#standaloneAnswer(tags, replies));
  }

  readMany(reads: readonly EntryRead[]): Promise<StoredRead[]> {
    this.#coalescer.sending();
    return readMany(this.client, reads);
  }

  // Built once: an untagged read (the usual raw key hit) allocates no handlers of its own.
  readonly #untagged = (raw: Buffer | null): StoredRead => {
    return new ReadAnswer(parseStoredEntry(raw).payload, NO_TAGS);
  };
  readonly #untaggedFailed = (error: unknown): StoredRead => {
    foreignIsMiss(error);
    return new ReadAnswer(undefined, NO_TAGS);
  };

  // The entry and its tags' versions: one MGET standalone; on a Cluster they live in other slots,
  // one GET each, sent together. Plain commands, not a script: Redis runs them in about a tenth of
  // the time of a script doing the same (Lua's call and the payload's copy through it), and on a
  // small machine Redis's CPU bounds the hits per second. Not atomic, and need not be: the versions
  // are read with or after the entry, so an eviction before the entry's read changed them
  // (versions are never reused) and an eviction after it is later. MGET answers nil for a key of
  // another type (an older layout's hash): a miss, as it should be.
  #standaloneAnswer(tags: readonly string[], replies: (Buffer | null)[]): StoredRead | Promise<StoredRead> {
    const tagVersions = new Array<string | undefined>(tags.length);
    for (let i = 0; i < tags.length; i++) tagVersions[i] = replies[i + 1]?.toString('latin1');
    return this.#answer(tags, replies[0], tagVersions);
  }

  async #clusterRead(key: string, tags: readonly string[]): Promise<StoredRead> {
    const [raw, tagVersions] = await Promise.all([
      this.client.getBuffer(key).catch(foreignIsMiss),
      readTagVersions(this.client, tags),
    ]);
    return this.#answer(tags, raw, tagVersions);
  }

  // The tags a value added are known only from the entry: their versions cost a second round trip.
  #answer(
    tags: readonly string[],
    raw: Buffer | null | undefined,
    tagVersions: (string | undefined)[],
  ): StoredRead | Promise<StoredRead> {
    this.#known.saw(tags, tagVersions);
    const { payload, valueTags } = parseStoredEntry(raw);
    if (!valueTags) return new ReadAnswer(payload, tagVersions);
    return readTagVersions(this.client, valueTags).then(
      (own) => new ReadAnswer(payload, [...tagVersions, ...own], valueTags),
    );
  }

  async begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket> {
    this.#coalescer.sending();
    const [[version, startedAt], tagVersions] = await Promise.all([
      BEGIN.run(this.client, [key], [nextVersion(), this.times.fenceTtlMs]) as Promise<[string, number]>,
      this.tagVersions(tags, tagLifeMs),
    ]);
    return { version, tagVersions, startedAt };
  }

  async tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[]> {
    this.#coalescer.sending();
    // An entry is stored a load's time after its tags' versions were taken: they live that much longer.
    const life = tagLifeMs + this.times.fenceTtlMs;
    const versions = await Promise.all(
      tags.map((tag) => TAG_VERSION.run(this.client, [tag], [nextVersion(), life]) as Promise<string>),
    );
    this.#known.saw(tags, versions);
    return versions;
  }

  async valueTagVersions(
    tags: readonly string[],
    tagLifeMs: number,
    ticket: FillTicket,
  ): Promise<string[] | undefined> {
    this.#coalescer.sending();
    // A ticket without a time (taken by an older instance's script) cannot be ordered: not stored.
    if (ticket.startedAt === undefined) return undefined;
    const since = ticket.startedAt - (this.times.clockSkewMs ?? (this.#isCluster ? CLUSTER_CLOCK_SKEW_MS : 0));
    const life = tagLifeMs + this.times.fenceTtlMs;
    const versions = await Promise.all(
      tags.map(
        (tag) =>
          VALUE_TAG_VERSION.run(this.client, [tag, tagEvictionKey(tag)], [nextVersion(), life, since]) as Promise<
            string | null
          >,
      ),
    );
    return versions.includes(null) ? undefined : (versions as string[]);
  }

  async fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number): Promise<boolean> {
    this.#coalescer.sending();
    const keys = [key, leaseKey(key), leaseWaitersKey(key)];
    const entry = storedEntry(ticket.version, ticket.valueTags, payload);
    const args = [ticket.version, entry, ttlMs, ticket.lease ?? '', this.times.fillChannel ?? ''];
    return (await FILL.run(this.client, keys, args)) === 1;
  }

  async put(key: string, payload: Uint8Array, ttlMs: number, valueTags?: readonly string[]): Promise<void> {
    this.#coalescer.sending();
    // A new version: a load that began before this put cannot store over it.
    await this.client.set(key, storedEntry(nextVersion(), valueTags, payload), 'PX', ttlMs);
  }

  knownTagVersions(tags: readonly string[]): string[] | undefined {
    return this.#isCluster ? undefined : this.#known.of(tags);
  }

  async putChecked(put: CheckedPut): Promise<boolean> {
    this.#coalescer.sending();
    const life = put.tagLifeMs + this.times.fenceTtlMs;
    const args = [storedEntry(nextVersion(), put.valueTags, put.payload), put.ttlMs, life, ...put.tagVersions];
    const stored = (await PUT_CHECKED.run(this.client, [put.key, ...put.tags], args)) === 1;
    if (!stored) this.#known.forget(put.tags);
    return stored;
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    this.#coalescer.sending();
    // The entry and its lease share a hash tag (one slot): one DEL each entry, sent together.
    await Promise.all(keys.map((key) => this.client.del(key, leaseKey(key))));
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    this.#coalescer.sending();
    // Tags live in different slots, so one script per tag (sent together) works on a cluster too.
    const markLife = [this.times.fenceTtlMs];
    this.#known.forget(tags);
    await Promise.all(tags.map((tag) => EVICT_TAG.run(this.client, [tag, tagEvictionKey(tag)], markLife)));
  }

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    this.#coalescer.sending();
    return (await this.client.set(leaseKey(key), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async leaseAndBegin(
    key: string,
    token: string,
    ttlMs: number,
    tags: readonly string[],
    tagLifeMs: number,
  ): Promise<FillTicket | false> {
    this.#coalescer.sending();
    // The lease, the entry's version (only for the holder) and the tags' versions, sent together.
    const keys = [key, leaseKey(key), leaseWaitersKey(key)];
    const [begun, tagVersions] = await Promise.all([
      LEASE_BEGIN.run(this.client, keys, [token, ttlMs, nextVersion(), this.times.fenceTtlMs]) as Promise<
        [string, number] | null
      >,
      this.tagVersions(tags, tagLifeMs),
    ]);
    return begun === null ? false : { version: begun[0], tagVersions, startedAt: begun[1], lease: token };
  }

  corked(send: () => void): void {
    // A Cluster routes each command to a node connection of its own: nothing to hold together.
    const stream = writableStream(this.client);
    if (!stream) return send();
    stream.cork();
    try {
      send();
    } finally {
      stream.uncork();
    }
  }

  async probe(): Promise<void> {
    await this.client.set(this.times.probeKey ?? probeKey('cachekit'), '1', 'PX', 1_000);
  }

  async releaseLease(key: string, token: string, holdMs = 0): Promise<void> {
    this.#coalescer.sending();
    await RELEASE_LEASE.run(this.client, [leaseKey(key)], [token, holdMs]);
  }
}
