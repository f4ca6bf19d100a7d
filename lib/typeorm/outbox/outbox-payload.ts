import type { CacheDefinition } from '../../definitions/cache-definition.js';
import type { EvictionTargets } from '../eviction-targets.js';

/** What one outbox row holds: the transaction's tags and entries, the entries as cache name + key text. */
export interface OutboxPayload {
  tags: string[];
  /** `[cache name, canonical key text]` pairs. */
  keys: [string, string][];
}

/** The JSON text of one row: de-duplicated tags and entries (EvictionTargets already de-duplicates). */
export function encodePayload(targets: EvictionTargets): string {
  const keys = targets.entries.map(({ definition, args }) => [definition.name, definition.keyOf(args, 'outbox')]);
  return JSON.stringify({ v: 1, t: targets.tags, k: keys });
}

/** The payload of one row, or undefined for text this module did not write. */
export function decodePayload(text: unknown): OutboxPayload | undefined {
  try {
    const parsed = JSON.parse(String(text)) as { v?: unknown; t?: unknown; k?: unknown };
    if (parsed.v !== 1 || !Array.isArray(parsed.t) || !Array.isArray(parsed.k)) return undefined;
    const tags = parsed.t.filter((tag): tag is string => typeof tag === 'string' && tag !== '');
    const keys = parsed.k.filter(
      (pair): pair is [string, string] =>
        Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string',
    );
    return { tags, keys };
  } catch {
    return undefined;
  }
}

const DEFINITION = Symbol.for('nestjs-cachekit.definition');

/**
 * Definitions that name an entry by its stored key text. A replaying process (often one that just
 * restarted) has neither the original definition objects nor arguments that survive JSON, but the
 * key text is all CacheKit.evictMany needs: the entry's store key is the name's prefix plus that text.
 */
export class ReplayDefinitions {
  readonly #byName = new Map<string, CacheDefinition<[string]>>();

  /** Entries of CacheKit.evictMany for stored `[name, key text]` pairs. */
  entries(keys: readonly [string, string][]): { definition: CacheDefinition; args: [string] }[] {
    return keys.map(([name, key]) => ({ definition: this.#of(name), args: [key] }));
  }

  #of(name: string): CacheDefinition<[string]> {
    let definition = this.#byName.get(name);
    if (!definition) {
      definition = Object.freeze({
        name,
        keyOf: ([key]: [string]) => key,
        tagsOf: () => [],
        [DEFINITION]: true as const,
      }) as unknown as CacheDefinition<[string]>;
      this.#byName.set(name, definition);
    }
    return definition;
  }
}
