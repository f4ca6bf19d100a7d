import type { Subject } from 'rxjs';
import type { CacheEvent } from '../../observability/cache-event.interface.js';
import type { CacheStatsRecorder } from '../../observability/cache-stats.js';
import type { EvictionCause } from '../../observability/eviction-causes.js';
import { NO_TAGS } from '../../keys/key-layout.js';
import type { EntryPlan } from '../entry/entry-plan.js';
import type { LocalInvalidations } from '../local-invalidations.js';
import type { GuardedStore } from '../store-guard/guarded-store.js';
import { Eviction, EvictionOutcomeListener, EvictionRetries, sendEviction } from './eviction-retries.js';

/** Stats name of tag evictions, which span cache names. */
export const TAGS_NAME = '~tags';
const NO_ENTRIES: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * Evictions of entries, tags and whole cache names. One the store does not confirm is retried in
 * the background, and until it lands nothing it names is served from the cache here.
 */
export class Evictor {
  constructor(
    private readonly store: GuardedStore,
    private readonly stats: CacheStatsRecorder,
    private readonly retries: EvictionRetries,
    private readonly invalidations: LocalInvalidations,
    private readonly events$: Subject<CacheEvent>,
  ) {}

  /** Evicts entries of one cache name; true when the store confirmed it (else it is retried). */
  evict(name: string, keys: readonly string[], onOutcome?: EvictionOutcomeListener): Promise<boolean> {
    return this.evictMany(new Map([[name, keys]]), NO_TAGS, onOutcome);
  }

  /** Invalidates every entry carrying one of these tag keys, in O(1) per tag. */
  evictTags(tags: readonly string[], onOutcome?: EvictionOutcomeListener): Promise<boolean> {
    return this.evictMany(NO_ENTRIES, tags, onOutcome);
  }

  /** Evicts entries (keys by cache name) and tags in one go; true when the store confirmed all of it. */
  async evictMany(
    entries: ReadonlyMap<string, readonly string[]>,
    tags: readonly string[],
    onOutcome?: EvictionOutcomeListener,
    orm = false,
  ): Promise<boolean> {
    const keys = entries.size === 1 ? [...entries.values()][0]! : [...entries.values()].flat();
    const ok = await this.#send({ keys, tags }, onOutcome);
    for (const [name, named] of entries) this.#evicted(name, named, ok, named.length, 'key', orm);
    if (tags.length > 0) this.#evicted(TAGS_NAME, tags, ok, tags.length, 'tag', orm);
    return ok;
  }

  /** Invalidates every entry of a cache name in O(1): its generation is an implicit tag of each. */
  async clear(name: string, nameKey: string, onOutcome?: EvictionOutcomeListener): Promise<boolean> {
    const ok = await this.#send({ keys: NO_TAGS, tags: [nameKey] }, onOutcome);
    this.#evicted(name, [nameKey], ok, 1, 'name');
    return ok;
  }

  /** A put the store did not confirm: the old value may still be there, so its eviction is retried. */
  putFailed(plan: EntryPlan): false {
    void this.invalidations.announce({ keys: [plan.key] });
    this.stats.for(plan.name).storeErrors++;
    this.retries.add({ keys: [plan.key], tags: NO_TAGS });
    return false;
  }

  async #send(eviction: Eviction, onOutcome?: EvictionOutcomeListener): Promise<boolean> {
    const { keys, tags } = eviction;
    const sent = this.retries.sending(eviction);
    try {
      const ok = await sendEviction(this.store, eviction);
      // Confirmed only once the other instances' buses have been sent it: a caller told of the
      // eviction finds no instance still joining a load that began before it (one more round trip).
      // Not waited for when the store failed: the bus is most likely down too.
      const published = Promise.all([
        keys.length > 0 && this.invalidations.announce({ keys: [...keys] }),
        tags.length > 0 && this.invalidations.announce({ tags: [...tags] }),
      ]);
      if (ok) await published;
      if (!ok) this.retries.add(eviction, onOutcome);
      return ok;
    } finally {
      sent();
    }
  }

  #evicted(name: string, keys: readonly string[], ok: boolean, count: number, cause: EvictionCause, orm = false): void {
    const stats = this.stats.for(name);
    if (ok) {
      stats.evictions += count;
      this.stats.evicted(name, cause, count, orm);
    } else stats.storeErrors++;
    if (this.events$.observed) for (const key of keys) this.events$.next({ type: 'evict', name, key });
  }
}
