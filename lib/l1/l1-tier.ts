import { LRUCache } from 'lru-cache';
import { deepFreeze } from './deep-freeze.js';
import { estimateBytes } from './size-estimate.js';

// What an entry costs beyond its value: the record, its LRU slots and its tag index entries.
const ENTRY_OVERHEAD_BYTES = 64;

/** One in-process entry: a frozen value served as is, or a serialized body decoded per hit. */
export interface L1Entry {
  frozen?: unknown;
  body?: Uint8Array;
  hasFrozen: boolean;
  /** Epoch ms after which the value is stale (0: none), as in the store. */
  freshUntil: number;
  tags: readonly string[];
  /** Epoch ms the value was written to the store (the staleness audit reports the entry's age from it). */
  createdAt: number;
  /** What the entry counts against `maxBytes`, fixed at insert. */
  bytes: number;
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
      ...(settings.maxBytes ? { maxSize: settings.maxBytes, sizeCalculation: (entry) => entry.bytes } : {}),
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
   * possible (the caller gets the same frozen object). Returns the value to hand out. The entry
   * counts against `maxBytes` by `body`'s length (the serialized value, a proxy for a frozen one
   * too), or without a body by an estimate of the value; a value that cannot be frozen needs a body.
   * `createdAt` defaults to now: a fill inserts what it has just stored.
   */
  set(
    key: string,
    value: unknown,
    body: Uint8Array | undefined,
    freshUntil: number,
    tags: readonly string[],
    ttlMs: number,
    epochAtStart: number,
    createdAt = Date.now(),
  ): unknown {
    if (epochAtStart !== this.#epoch || ttlMs <= 0) return value;
    const frozen = deepFreeze(value);
    if (!frozen && !body) return value;
    const bytes = this.#bytes(key, value, body, tags);
    const entry: L1Entry = frozen
      ? { frozen: value, hasFrozen: true, freshUntil, tags, createdAt, bytes }
      : { body, hasFrozen: false, freshUntil, tags, createdAt, bytes };
    this.#entries.set(key, entry, { ttl: Math.min(ttlMs, this.settings.ttlMs) });
    // An entry larger than maxBytes is refused: indexing its tags would leave index entries behind.
    if (tags.length === 0 || !this.#entries.has(key)) return value;
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

  // Computed only under a byte bound: without one, nothing reads it.
  #bytes(key: string, value: unknown, body: Uint8Array | undefined, tags: readonly string[]): number {
    if (!this.settings.maxBytes) return 0;
    let bytes = ENTRY_OVERHEAD_BYTES + key.length + (body ? body.byteLength : estimateBytes(value));
    for (const tag of tags) bytes += tag.length;
    return bytes;
  }

  #unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#byTag.delete(tag);
    }
  }
}
