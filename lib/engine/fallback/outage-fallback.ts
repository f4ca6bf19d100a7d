import { LRUCache } from 'lru-cache';
import type { Invalidation } from '../../bus/invalidation-bus.js';

/** Size and staleness bound of the outage fallback, in ms. */
export interface OutageFallbackSettings {
  maxEntries: number;
  stalenessMs: number;
}

interface KeptEntry {
  /** The serialized value: every caller decodes its own copy. */
  body: Uint8Array;
  tags: readonly string[];
}

/**
 * What this process loaded while the store was unavailable, kept serialized for a short while
 * (`staleness`, or the entry's ttl when shorter) in a bounded LRU, so an outage of the store sends
 * the origin about one load per key per window instead of one per call. It is read only when the
 * store is unavailable; evictions seen here (made here, or told by the bus) drop what they name at
 * once, and a load that began before one of them never goes in.
 */
export class OutageFallback {
  readonly #entries: LRUCache<string, KeptEntry>;
  readonly #byTag = new Map<string, Set<string>>();
  #epoch = 0;

  constructor(readonly settings: OutageFallbackSettings) {
    this.#entries = new LRUCache<string, KeptEntry>({
      max: settings.maxEntries,
      ttl: settings.stalenessMs,
      dispose: (entry, key) => this.#unindex(key, entry.tags),
    });
  }

  /** Changes on every invalidation: a load that began before one must not keep what it loaded. */
  get epoch(): number {
    return this.#epoch;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The body kept for this key, if within its window. */
  get(key: string): Uint8Array | undefined {
    return this.#entries.get(key)?.body;
  }

  /** Keeps a body for at most `staleness` (or `ttlMs` when shorter), unless an invalidation happened since `epochAtStart`. */
  set(key: string, body: Uint8Array, tags: readonly string[], ttlMs: number, epochAtStart: number): void {
    if (epochAtStart !== this.#epoch) return;
    this.#entries.set(key, { body, tags }, { ttl: Math.min(ttlMs, this.settings.stalenessMs) });
    for (const tag of tags) {
      let keys = this.#byTag.get(tag);
      if (!keys) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Drops what an invalidation names (entries, tags, or every key under a prefix). */
  apply(what: Invalidation): void {
    this.#epoch++;
    if (this.#entries.size === 0) return;
    if ('keys' in what) for (const key of what.keys) this.#entries.delete(key);
    else if ('tags' in what) {
      for (const tag of what.tags) for (const key of [...(this.#byTag.get(tag) ?? [])]) this.#entries.delete(key);
    } else for (const key of [...this.#entries.keys()]) if (key.startsWith(what.prefix)) this.#entries.delete(key);
  }

  #unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#byTag.delete(tag);
    }
  }
}
