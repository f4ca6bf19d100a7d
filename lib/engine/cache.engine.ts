import { Subject } from 'rxjs';
import { CacheEvent } from '../observability/cache-event.interface.js';
import { CacheStatsRecorder } from '../observability/cache-stats.js';
import { EntryCodec } from './entry/entry-codec.js';
import { EntryPlan, longestLifeMs } from './entry/entry-plan.js';
import { refreshNeed, sameVersions } from './entry/entry-validity.js';
import { GuardedStore } from './store-guard/guarded-store.js';
import { SingleFlight } from './loading/single-flight.js';
import { InvalidationBus, Invalidation } from '../bus/invalidation-bus.js';
import { L1Tier } from '../l1/l1-tier.js';
import { NO_TAGS, StoredRead } from '../stores/entry-store.interface.js';
import { Eviction, EvictionOutcomeListener, EvictionRetries } from './eviction/eviction-retries.js';

export type { EntryPlan } from './entry/entry-plan.js';
export type { LoadControl, LoadOutcome, ReadResult } from './engine.types.js';
import { LoadControl, LoadOutcome, ReadResult } from './engine.types.js';
import { loadUnderLease } from './loading/lease-wait.js';
import { loadDeadline } from './loading/load-deadline.js';

/** Stats name of tag evictions, which span cache names. */
export const TAGS_NAME = '~tags';
const NO_ENTRIES: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * The read/write path: cache-aside with single-flight in this process and across instances,
 * version-fenced fills, tags, negative caching, SWR classification and size limits. An eviction
 * (or put) the store does not confirm is retried in the background, and until it lands nothing it
 * names is served from the cache here.
 */
export class CacheEngine {
  readonly events$ = new Subject<CacheEvent>();
  readonly #flights = new SingleFlight<LoadOutcome>();
  readonly #reads = new Map<string, Promise<StoredRead | undefined>>();
  #closed = false;
  // Bumped by every invalidation seen here; part of the single-flight key, so a caller never joins
  // a load that began before an invalidation it could have observed.
  #generation = 0;

  constructor(
    readonly store: GuardedStore,
    readonly codec: EntryCodec,
    readonly stats: CacheStatsRecorder,
    private readonly retries: EvictionRetries,
    private readonly l1?: L1Tier,
    private bus?: InvalidationBus,
  ) {}

  readonly #leaseSteps = {
    store: this.store,
    lookup: (plan: EntryPlan) => this.#lookup(plan, false),
    loadAndStore: (plan: EntryPlan, load: () => Promise<unknown>) => this.loadAndStore(plan, load),
    loadOnly: (plan: EntryPlan, load: () => Promise<unknown>, failed?: boolean) => {
      if (failed) this.stats.for(plan.name).storeErrors++;
      return this.#loadOnly(plan, load);
    },
  };

  /** Connects the L1 bus (set once the subscriber connection is up). */
  attachBus(bus: InvalidationBus): void {
    this.bus = bus;
  }

  /** Looks an entry up, counting a hit, stale hit or miss. */
  read(plan: EntryPlan): Promise<ReadResult> {
    return this.#lookup(plan, true);
  }

  #count(plan: EntryPlan, result: ReadResult): ReadResult {
    const stats = this.stats.for(plan.name);
    // Events are built only when someone listens: a hit allocates nothing for them.
    const observed = this.events$.observed;
    if (!result.hit) {
      stats.misses++;
      if (observed) this.emit({ type: 'miss', name: plan.name, key: plan.key });
    } else if (result.refresh === 'stale') {
      stats.staleHits++;
      if (observed) this.emit({ type: 'stale-hit', name: plan.name, key: plan.key });
    } else {
      stats.hits++;
      if (observed) this.emit({ type: 'hit', name: plan.name, key: plan.key });
    }
    return result;
  }

  /**
   * Loads once per key across concurrent callers of this process (and, with a lock, of all
   * instances). With `storeUnavailable` (the lookup just failed) the store is not touched again,
   * so a caller waits out at most one deadline.
   */
  async load(plan: EntryPlan, load: () => Promise<unknown>, storeUnavailable = false): Promise<unknown> {
    const { promise, joined } = this.#flights.run(
      this.#flightKey(plan),
      (abandoned) =>
        storeUnavailable
          ? this.#loadOnly(plan, load)
          : plan.lock
            ? loadUnderLease(this.#leaseSteps, plan, load, abandoned)
            : this.loadAndStore(plan, load),
      loadDeadline(plan),
    );
    if (joined) this.stats.for(plan.name).joins++;
    const outcome = await promise;
    if (!joined) return outcome.value;
    return outcome.body ? this.codec.decodeBody(outcome.body) : privateCopy(outcome.value);
  }

  /** Joins a running load without reading the store (see `isLoading`), counted as a miss. */
  joinLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    this.#count(plan, MISS);
    return this.load(plan, load);
  }

  /** True when a load of this entry that began after the last invalidation is running (join it, skip the read). */
  isLoading(plan: EntryPlan): boolean {
    return this.#flights.size > 0 && this.#flights.has(this.#flightKey(plan));
  }

  #flightKey(plan: EntryPlan): string {
    return `${this.#generation}|${plan.key}`;
  }

  /**
   * Runs `load` and stores its result, fenced by the versions snapshotted before it started: an
   * invalidation meanwhile makes the fill a no-op.
   */
  async loadAndStore(plan: EntryPlan, load: () => Promise<unknown>, control?: LoadControl): Promise<LoadOutcome> {
    const epoch = this.l1?.epoch ?? 0;
    const ticket = await this.store.begin(plan.key, plan.tags, longestLifeMs(plan));
    const { value, loadMs } = await this.#timedLoad(plan, load);
    if (!ticket) {
      this.stats.for(plan.name).storeErrors++;
      return { value, storeFailed: true };
    }
    if (this.#closed || control?.abandoned) return { value };
    const entry = this.codec.encode(plan, value, loadMs, ticket.tagVersions);
    if (!entry) return { value };
    const stored = await this.store.fill(plan.key, ticket, entry.payload, entry.ttlMs, control?.lease);
    if (stored !== true) return { value, storeFailed: stored === undefined };
    this.l1?.set(plan.key, value, entry.body, entry.freshUntil, plan.tags, entry.ttlMs, epoch);
    return { value, body: entry.body };
  }

  /** Stores `value` unconditionally (subject to `unless`, negative caching, size), fencing older loads. */
  async write(plan: EntryPlan, value: unknown): Promise<boolean> {
    // The put replaces the entry's version itself; only tag versions need reading first.
    const tagVersions = plan.tags.length === 0 ? [] : await this.store.tagVersions(plan.tags, longestLifeMs(plan));
    // The store failed: the old value must not stay, so its eviction waits for a retry.
    if (!tagVersions) return this.#putFailed(plan);
    const entry = this.codec.encode(plan, value, 0, tagVersions);
    if (!entry) return (await this.evict(plan.name, [plan.key])) && false; // not cacheable: nor is the old value
    const ok = await this.store.put(plan.key, entry.payload, entry.ttlMs);
    if (!ok) return this.#putFailed(plan);
    this.#invalidated({ keys: [plan.key] });
    return true;
  }

  // The old value may still be in the store: evicting it is what the retries are for.
  #putFailed(plan: EntryPlan): false {
    this.#invalidated({ keys: [plan.key] });
    this.stats.for(plan.name).storeErrors++;
    this.retries.add({ keys: [plan.key], tags: NO_TAGS });
    return false;
  }

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
  ): Promise<boolean> {
    const keys = entries.size === 1 ? [...entries.values()][0]! : [...entries.values()].flat();
    const ok = await this.#send({ keys, tags }, onOutcome);
    for (const [name, named] of entries) this.#evicted(name, named, ok);
    if (tags.length > 0) this.#evicted(TAGS_NAME, tags, ok);
    return ok;
  }

  /** Invalidates every entry of a cache name in O(1): its generation is an implicit tag of each. */
  async clear(name: string, nameKey: string, onOutcome?: EvictionOutcomeListener): Promise<boolean> {
    const ok = await this.#send({ keys: NO_TAGS, tags: [nameKey] }, onOutcome);
    this.#evicted(name, [nameKey], ok, 1);
    return ok;
  }

  async #send(eviction: Eviction, onOutcome?: EvictionOutcomeListener): Promise<boolean> {
    const { keys, tags } = eviction;
    const [evicted, untagged] = await Promise.all([
      keys.length === 0 || this.store.invalidate(keys),
      tags.length === 0 || this.store.invalidateTags(tags),
    ]);
    if (keys.length > 0) this.#invalidated({ keys: [...keys] });
    if (tags.length > 0) this.#invalidated({ tags: [...tags] });
    const ok = evicted && untagged;
    if (!ok) this.retries.add(eviction, onOutcome);
    return ok;
  }

  #evicted(name: string, keys: readonly string[], ok: boolean, count = keys.length): void {
    const stats = this.stats.for(name);
    if (ok) stats.evictions += count;
    else stats.storeErrors++;
    if (this.events$.observed) for (const key of keys) this.emit({ type: 'evict', name, key });
  }

  /** After this, loads still running never write (the Redis client may be closing). */
  close(): void {
    this.#closed = true;
  }

  /**
   * An invalidation happened (here, or on another instance as told by the bus): drop it from L1,
   * and let no new caller join a load that began before it.
   */
  applyInvalidation(what: Invalidation): void {
    this.#generation++;
    if (!this.l1) return;
    if ('keys' in what) this.l1.deleteKeys(what.keys);
    else if ('tags' in what) this.l1.deleteTags(what.tags);
    else this.l1.deletePrefix(what.prefix);
  }

  // After the store write, never before: a local read between the two would re-insert the old value.
  #invalidated(what: Invalidation): void {
    this.applyInvalidation(what);
    if (this.l1) this.bus?.publish(what);
  }

  emit(event: CacheEvent): void {
    if (this.events$.observed) this.events$.next(event);
  }

  async #loadOnly(plan: EntryPlan, load: () => Promise<unknown>): Promise<LoadOutcome> {
    return { value: (await this.#timedLoad(plan, load)).value, storeFailed: true };
  }

  async #timedLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<{ value: unknown; loadMs: number }> {
    const started = performance.now();
    let value: unknown;
    try {
      value = await load();
    } catch (error) {
      this.stats.for(plan.name).loadErrors++;
      this.emit({ type: 'load-error', name: plan.name, key: plan.key, durationMs: performance.now() - started });
      throw error; // shared by the callers of this flight, never cached
    }
    const loadMs = performance.now() - started;
    this.stats.for(plan.name).loads++;
    this.emit({ type: 'load', name: plan.name, key: plan.key, durationMs: loadMs });
    return { value, loadMs };
  }

  // One async frame for the whole lookup (L1, store, decode, counting): each layer is a promise.
  async #lookup(plan: EntryPlan, counted: boolean): Promise<ReadResult> {
    const local = this.l1?.get(plan.key);
    let result: ReadResult;
    if (local) {
      const value = local.hasFrozen ? local.frozen : this.codec.decodeBody(local.body!);
      result = {
        hit: true,
        value,
        refresh: local.freshUntil > 0 && Date.now() >= local.freshUntil ? 'stale' : undefined,
      };
    } else if (this.retries.size > 0 && this.retries.blocks(plan.key, plan.tags)) {
      result = { hit: false, unavailable: true }; // an eviction of it has not landed yet: use the origin
      this.stats.for(plan.name).storeErrors++;
    } else {
      const epoch = this.l1?.epoch ?? 0;
      result = this.#fromStore(plan, await this.#sharedRead(plan), epoch);
    }
    return counted ? this.#count(plan, result) : result;
  }

  /**
   * Concurrent lookups of one entry in this process share one store read: a burst of callers on a
   * hot or cold key sends one command, not one each. Every caller still decodes its own copy. Keyed
   * like loads, so no lookup joins a read that began before an invalidation seen here.
   */
  #sharedRead(plan: EntryPlan): Promise<StoredRead | undefined> {
    const key = this.#flightKey(plan);
    const running = this.#reads.get(key);
    if (running) return running;
    const read = this.store.read(plan.key, plan.tags);
    this.#reads.set(key, read);
    const forget = () => {
      if (this.#reads.get(key) === read) this.#reads.delete(key);
    };
    read.then(forget, forget);
    return read;
  }

  #fromStore(plan: EntryPlan, stored: StoredRead | undefined, epoch: number): ReadResult {
    if (!stored) {
      this.stats.for(plan.name).storeErrors++;
      return { hit: false, unavailable: true };
    }
    const envelope = stored?.payload && this.codec.unwrap(stored.payload);
    if (!envelope || !sameVersions(envelope, stored.tagVersions)) return { hit: false };
    const decoded = this.codec.decode(envelope, plan);
    if (!decoded) return { hit: false };
    const { freshUntil, expiresAt } = envelope.meta;
    this.l1?.set(plan.key, decoded.value, decoded.body, freshUntil, plan.tags, expiresAt - Date.now(), epoch);
    return { hit: true, value: decoded.value, refresh: refreshNeed(envelope, plan) };
  }
}

const MISS: ReadResult = { hit: false };

// Joiners of a load whose result was not stored (store down, value not cacheable) still get their
// own copy; what cannot be cloned (functions) is shared as the method returned it.
function privateCopy(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
