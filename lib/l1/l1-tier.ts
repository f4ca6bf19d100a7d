import { LRUCache } from 'lru-cache';
import { deepFreeze } from './deep-freeze.js';

/** One in-process entry: a frozen value served as is, or a serialized body decoded per hit. */
export interface L1Entry {
  frozen?: unknown;
  body?: Uint8Array;
  hasFrozen: boolean;
  /** Epoch ms after which the value is stale (0: none), as in the store. */
  freshUntil: number;
  tags: readonly string[];
}

export interface L1Settings {
  maxEntries: number;
  maxBytes?: number;
  ttlMs: number;
}

/**
 * The optional in-process tier in front of the store. Values are deeply frozen once at insert so a
 * hit costs a lookup, not a parse or a clone, and no caller can change what the next one gets;
 * values holding Dates, Maps or Sets (which freezing cannot protect) are kept serialized and
 * decoded per hit. Every entry has a TTL cap: invalidation messages are at-most-once.
 */
export class L1Tier {
  readonly #entries: LRUCache<string, L1Entry>;
  readonly #byTag = new Map<string, Set<string>>();
  #epoch = 0;

  constructor(private readonly settings: L1Settings) {
    this.#entries = new LRUCache<string, L1Entry>({
      max: settings.maxEntries,
      ...(settings.maxBytes
        ? { maxSize: settings.maxBytes, sizeCalculation: (entry) => Math.max(1, entry.body?.byteLength ?? 0) }
        : {}),
      ttl: settings.ttlMs,
      dispose: (entry, key) => this.#unindex(key, entry.tags),
    });
  }

  /** Changes on every invalidation: a read that began before one must not insert what it read. */
  get epoch(): number {
    return this.#epoch;
  }

  get(key: string): L1Entry | undefined {
    return this.#entries.get(key);
  }

  /**
   * Inserts unless an invalidation happened since `epochAtStart`; `value` is frozen in place when
   * possible (the caller gets the same frozen object). Returns the value to hand out.
   */
  set(
    key: string,
    value: unknown,
    body: Uint8Array,
    freshUntil: number,
    tags: readonly string[],
    ttlMs: number,
    epochAtStart: number,
  ): unknown {
    if (epochAtStart !== this.#epoch || ttlMs <= 0) return value;
    const frozen = deepFreeze(value);
    const entry: L1Entry = frozen
      ? { frozen: value, hasFrozen: true, freshUntil, tags }
      : { body, hasFrozen: false, freshUntil, tags };
    this.#entries.set(key, entry, { ttl: Math.min(ttlMs, this.settings.ttlMs) });
    for (const tag of tags) {
      let keys = this.#byTag.get(tag);
      if (!keys) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return value;
  }

  deleteKeys(keys: readonly string[]): void {
    this.#epoch++;
    for (const key of keys) this.#entries.delete(key);
  }

  deleteTags(tags: readonly string[]): void {
    this.#epoch++;
    for (const tag of tags) for (const key of [...(this.#byTag.get(tag) ?? [])]) this.#entries.delete(key);
  }

  deletePrefix(prefix: string): void {
    this.#epoch++;
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** How many tags the tag index holds (each with the keys carrying it). */
  get indexedTags(): number {
    return this.#byTag.size;
  }

  #unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#byTag.delete(tag);
    }
  }
}
