import type { Subject } from 'rxjs';
import type { CacheEvent } from '../../observability/cache-event.interface.js';
import type { CacheStatsRecorder } from '../../observability/cache-stats.js';
import type { L1Tier } from '../../l1/l1-tier.js';
import type { StoredRead } from '../../stores/entry-store.interface.js';
import type { EntryCodec } from '../entry/entry-codec.js';
import { EntryPlan, revived } from '../entry/entry-plan.js';
import { refreshNeed, sameVersions } from '../entry/entry-validity.js';
import type { EvictionRetries } from '../eviction/eviction-retries.js';
import type { GuardedStore } from '../store-guard/guarded-store.js';
import type { Hit, ReadResult } from '../engine.types.js';
import { countRead } from '../read-counting.js';

/** What a lookup needs besides the store: where counts and events go, and the key of shared reads. */
export interface ReaderContext {
  stats: CacheStatsRecorder;
  events$: Subject<CacheEvent>;
  /** The current invalidation generation: shared reads never outlive one. */
  generation(): number;
}

/**
 * The lookup side of the engine: L1, then the store, validated against tag versions and expiry,
 * decoded into each caller's own copy and put into L1. An eviction still on its way (queued for a
 * retry or being sent) blocks the entry, its L1 copy included.
 */
export class EntryReader {
  // Store reads of the current burst by entry key, and the invalidation generation they belong to.
  // Replaced, never cleared: a cleared Map keeps its old table linked to the new one, so from a
  // long-lived Map every burst's reads (their payloads included) stay reachable through the chain
  // until a full collection, and the young collections promote all of them.
  #reads = new Map<string, Promise<StoredRead | undefined>>();
  #readsGeneration = 0;
  readonly #endBurst = (): void => {
    this.#reads = new Map();
  };

  constructor(
    private readonly store: GuardedStore,
    private readonly codec: EntryCodec,
    private readonly retries: EvictionRetries,
    private readonly context: ReaderContext,
    private readonly l1?: L1Tier,
  ) {}

  /**
   * The L1 part of a lookup, without a promise: a counted hit when this instance holds the entry,
   * else undefined (then `read` does the whole lookup). The hottest path, so it allocates nothing
   * more than the result.
   */
  readLocal(plan: EntryPlan): Hit | undefined {
    if (!this.l1 || this.#blocked(plan.key, plan.tags)) return undefined;
    const hit = this.#localHit(plan);
    return hit && (countRead(this.context.stats, this.context.events$, plan, hit) as Hit);
  }

  /**
   * Looks an entry up; `counted`: as a hit, stale hit or miss (not for internal second looks). Not
   * an async function: a store read is one handler on the read's promise, no frame held meanwhile.
   */
  read(plan: EntryPlan, counted: boolean): Promise<ReadResult> {
    try {
      const blocked = this.#blocked(plan.key, plan.tags);
      const local = blocked ? undefined : this.#localHit(plan);
      if (local || blocked) return Promise.resolve(this.#counted(plan, local ?? this.#unavailable(plan), counted));
      const epoch = this.l1?.epoch ?? 0;
      return this.#sharedRead(plan).then((stored) =>
        this.#counted(plan, this.#fromStore(plan, stored, epoch), counted),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #counted(plan: EntryPlan, result: ReadResult, counted: boolean): ReadResult {
    return counted ? countRead(this.context.stats, this.context.events$, plan, result) : result;
  }

  /** Many entries at once (a batch): L1 first, then the rest in one store round trip, each counted. */
  async readMany(plans: readonly EntryPlan[]): Promise<ReadResult[]> {
    const results = new Array<ReadResult>(plans.length);
    const fromStore: number[] = [];
    plans.forEach((plan, i) => {
      const blocked = this.#blocked(plan.key, plan.tags);
      const local = blocked ? undefined : this.#localHit(plan);
      if (local) results[i] = local;
      else if (blocked) results[i] = this.#unavailable(plan);
      else fromStore.push(i);
    });
    if (fromStore.length > 0) {
      const epoch = this.l1?.epoch ?? 0;
      const stored = await this.store.readMany(fromStore.map((i) => ({ key: plans[i]!.key, tags: plans[i]!.tags })));
      fromStore.forEach((i, k) => (results[i] = this.#fromStore(plans[i]!, stored?.[k], epoch)));
    }
    return results.map((result, i) => countRead(this.context.stats, this.context.events$, plans[i]!, result));
  }

  #localHit(plan: EntryPlan): Hit | undefined {
    const local = this.l1?.get(plan.key);
    if (!local) return undefined;
    const value = local.hasFrozen ? local.frozen : revived(plan, this.codec.decodeBody(local.body!));
    return {
      hit: true,
      value,
      refresh: local.freshUntil > 0 && Date.now() >= local.freshUntil ? 'stale' : undefined,
      l1: true,
      createdAt: local.createdAt,
      body: local.body,
    };
  }

  /**
   * Lookups of one entry made in one burst (the same turn of the event loop, before any reply
   * could arrive) share one store read: such a burst on a hot or cold key sends one command, not
   * one each. A later caller never joins it: Redis may have answered it before an eviction that
   * caller already knows of (confirmed to another instance, over a slow link to this one). Every
   * caller still decodes its own copy.
   */
  #sharedRead(plan: EntryPlan): Promise<StoredRead | undefined> {
    const generation = this.context.generation();
    if (generation !== this.#readsGeneration) {
      this.#endBurst(); // an invalidation since: no later caller joins a read sent before it
      this.#readsGeneration = generation;
    }
    const running = this.#reads.get(plan.key);
    if (running) return running;
    const read = this.store.read(plan.key, plan.tags);
    // No I/O callback runs before the microtasks queued now: only callers of this burst join. One
    // new map per burst, not a delete per read (deleted entries are kept until the map rehashes).
    if (this.#reads.size === 0) queueMicrotask(this.#endBurst);
    this.#reads.set(plan.key, read);
    return read;
  }

  #fromStore(plan: EntryPlan, stored: StoredRead | undefined, epoch: number): ReadResult {
    if (!stored) return this.#unavailable(plan);
    // Tags the value added are known only now: an eviction of one still on its way blocks it too.
    const valueTags = stored.valueTags;
    if (valueTags && this.#blocked(plan.key, valueTags)) return this.#unavailable(plan);
    const envelope = stored.payload && this.codec.unwrap(stored.payload);
    if (!envelope || !sameVersions(envelope, stored.tagVersions)) return { hit: false };
    const { freshUntil, expiresAt } = envelope.meta;
    // Past its expiry only a fail-safe copy is still stored: a miss, whose value may answer a failed load.
    // An expiry of 0 is not one this codec writes: such an entry lives by its store TTL alone.
    const expired = expiresAt > 0 && expiresAt <= Date.now();
    if (expired && !plan.failSafe) return { hit: false };
    const decoded = this.codec.decode(envelope, plan);
    if (!decoded) return { hit: false };
    if (expired) return { hit: false, stale: { ...decoded, createdAt: envelope.meta.createdAt } };
    const value = revived(plan, decoded.value);
    const tags = valueTags ? [...plan.tags, ...valueTags] : plan.tags;
    const { createdAt } = envelope.meta;
    this.l1?.set(plan.key, value, decoded.body, freshUntil, tags, expiresAt - Date.now(), epoch, createdAt);
    return {
      hit: true,
      value,
      refresh: refreshNeed(envelope, plan),
      createdAt,
      body: decoded.body,
    };
  }

  // An eviction of the entry or of one of these tags is queued or on its way to the store.
  #blocked(key: string, tags: readonly string[]): boolean {
    return this.retries.blocking && this.retries.blocks(key, tags);
  }

  // The store failed, or an eviction of the entry is on its way: the caller uses the origin.
  #unavailable(plan: EntryPlan): ReadResult {
    this.context.stats.for(plan.name).storeErrors++;
    return { hit: false, unavailable: true };
  }
}
