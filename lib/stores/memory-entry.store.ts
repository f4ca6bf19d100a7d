import { LRUCache } from 'lru-cache';
import { EntryStore, FillTicket, StoredRead } from './entry-store.interface.js';
import { nextVersion } from './version-nonce.js';

interface MemoryEntry {
  payload?: Uint8Array;
  version: string;
  /** Store keys of the tags the value added. */
  valueTags?: readonly string[];
}

/**
 * The embedded store used without a `redis` option: a bounded in-process LRU with the same
 * fencing as Redis. It keeps serialized payloads, so callers never share objects with the cache.
 */
export class MemoryEntryStore implements EntryStore {
  readonly kind = 'memory';
  readonly #entries: LRUCache<string, MemoryEntry>;
  // A dropped tag version makes its entries misses (fail closed), so bounding it is safe.
  readonly #tags: LRUCache<string, string>;
  readonly #leases = new Map<string, { token: string; until: number }>();
  // Loads and tag evictions are ordered by this counter (this store's clock); a tag's mark says
  // when it was last evicted. A mark dropped for room raises the floor: loads begun before fail closed.
  #clock = 0;
  #markFloor = 0;
  readonly #evictedAt: LRUCache<string, number>;

  constructor(
    maxEntries: number,
    private readonly fenceTtlMs: number,
  ) {
    this.#entries = new LRUCache({ max: maxEntries });
    this.#tags = new LRUCache({ max: maxEntries * 4 });
    this.#evictedAt = new LRUCache({
      max: maxEntries,
      ttl: fenceTtlMs,
      dispose: (at, _tag, reason) => {
        if (reason === 'evict') this.#markFloor = Math.max(this.#markFloor, at);
      },
    });
  }

  async read(key: string, tags: readonly string[]): Promise<StoredRead> {
    const entry = this.#entries.get(key);
    const tagVersions = tags.map((tag) => this.#tags.get(tag));
    const valueTags = entry?.valueTags;
    if (valueTags) for (const tag of valueTags) tagVersions.push(this.#tags.get(tag));
    return { payload: entry?.payload, tagVersions, valueTags };
  }

  async begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket> {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { version: nextVersion() };
      this.#entries.set(key, entry, { ttl: this.fenceTtlMs });
    }
    return { version: entry.version, tagVersions: await this.tagVersions(tags, tagLifeMs), startedAt: ++this.#clock };
  }

  async valueTagVersions(
    tags: readonly string[],
    tagLifeMs: number,
    ticket: FillTicket,
  ): Promise<string[] | undefined> {
    const startedAt = ticket.startedAt ?? 0;
    if (startedAt <= this.#markFloor) return undefined;
    if (tags.some((tag) => (this.#evictedAt.get(tag) ?? 0) > startedAt)) return undefined;
    return this.tagVersions(tags, tagLifeMs);
  }

  async tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[]> {
    return tags.map((tag) => {
      let version = this.#tags.get(tag);
      if (version === undefined) this.#tags.set(tag, (version = nextVersion()), { ttl: tagLifeMs + this.fenceTtlMs });
      return version;
    });
  }

  async fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number): Promise<boolean> {
    const entry = this.#entries.get(key);
    const held = ticket.lease !== undefined && this.#holds(key, ticket.lease);
    if (held) this.#leases.delete(key);
    if (entry?.version !== ticket.version && !(held && !entry)) return false;
    this.#entries.set(key, { payload, version: ticket.version, valueTags: ticket.valueTags }, { ttl: ttlMs });
    return true;
  }

  async put(key: string, payload: Uint8Array, ttlMs: number, valueTags?: readonly string[]): Promise<void> {
    this.#entries.set(key, { payload, version: nextVersion(), valueTags }, { ttl: ttlMs });
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.#entries.delete(key);
      this.#leases.delete(key); // its holder can no longer store; the next caller loads
    }
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      this.#tags.delete(tag);
      this.#evictedAt.set(tag, ++this.#clock);
    }
  }

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.#leases.get(key);
    if (held && held.until > now) return false;
    this.#leases.set(key, { token, until: now + ttlMs });
    return true;
  }

  #holds(key: string, token: string): boolean {
    const held = this.#leases.get(key);
    return held?.token === token && held.until > Date.now();
  }

  /**
   * The stored entries, most recently used first, without touching their recency (for report()'s
   * bounded sample); `size` counts fences of running loads too.
   */
  *storedEntries(): Generator<{ key: string; bytes: number; ttlMs: number }> {
    for (const [key, entry] of this.#entries.entries())
      if (entry.payload) yield { key, bytes: entry.payload.byteLength, ttlMs: this.#entries.getRemainingTTL(key) };
  }

  /** Entries held, fences of running loads included. */
  get size(): number {
    return this.#entries.size;
  }

  async probe(): Promise<void> {}

  async releaseLease(key: string, token: string, holdMs = 0): Promise<void> {
    const held = this.#leases.get(key);
    if (held?.token !== token) return;
    if (holdMs > 0) held.until = Date.now() + holdMs;
    else this.#leases.delete(key);
  }
}
