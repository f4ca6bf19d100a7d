import { isCacheDefinition } from '../definitions/cache-definition.js';
import type { CacheEntryRef, EvictionEntry } from './entity-change.interface.js';
import { InvalidationRuleError } from './typeorm.errors.js';
import { typeormMessages } from './typeorm.messages.js';

/** A de-duplicated set of tags and cache entries to evict together. */
export class EvictionTargets {
  readonly #tags = new Set<string>();
  // Keyed by `name:key` (the canonical key text), so the same entry named twice is sent once.
  readonly #entries = new Map<string, CacheEntryRef>();

  /** Validates and adds what a rule returned; throws InvalidationRuleError naming `where` on a bad entry. */
  addEntries(entries: Iterable<EvictionEntry>, where: string): this {
    if (entries === null || typeof entries !== 'object' || !(Symbol.iterator in entries)) {
      throw new InvalidationRuleError(typeormMessages.invalidEntry(where, entries));
    }
    const staged = new EvictionTargets();
    for (const entry of entries) {
      if (entry === null || entry === undefined || entry === false) continue;
      if (typeof entry === 'string' && entry !== '') staged.#tags.add(entry);
      else if (isEntryRef(entry))
        staged.#entries.set(describe(entry, where), { definition: entry.definition, args: [...entry.args] });
      else throw new InvalidationRuleError(typeormMessages.invalidEntry(where, entry));
    }
    return this.merge(staged);
  }

  merge(other: EvictionTargets): this {
    for (const tag of other.#tags) this.#tags.add(tag);
    for (const [id, entry] of other.#entries) this.#entries.set(id, entry);
    return this;
  }

  get size(): number {
    return this.#tags.size + this.#entries.size;
  }

  get tags(): string[] {
    return [...this.#tags];
  }

  get entries(): CacheEntryRef[] {
    return [...this.#entries.values()];
  }

  /** Entries as `name:key` texts (without the namespace), for events and logs. */
  get keys(): string[] {
    return [...this.#entries.keys()];
  }
}

function isEntryRef(value: unknown): value is CacheEntryRef {
  if (typeof value !== 'object' || value === null) return false;
  const { definition, args } = value as Partial<CacheEntryRef>;
  return isCacheDefinition(definition) && Array.isArray(args);
}

// Building the key here checks the arguments against the key function while the change is at hand.
function describe(entry: CacheEntryRef, where: string): string {
  return `${entry.definition.name}:${entry.definition.keyOf(entry.args, where)}`;
}
