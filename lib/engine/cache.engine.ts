import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { CacheEvent } from '../observability/cache-event.interface.js';
import { CacheStatsRecorder } from '../observability/cache-stats.js';
import { EntryCodec } from './entry/entry-codec.js';
import { EntryPlan, longestLifeMs, storedLifeMs } from './entry/entry-plan.js';
import { refreshNeed, sameVersions } from './entry/entry-validity.js';
import { GuardedStore } from './store-guard/guarded-store.js';
import { SingleFlight } from './loading/single-flight.js';
import { InvalidationBus, Invalidation } from '../bus/invalidation-bus.js';
import { FillNotices } from '../bus/fill-notices.js';
import { L1Tier } from '../l1/l1-tier.js';
import { FillTicket, StoredRead } from '../stores/entry-store.interface.js';
import { EvictionRetries } from './eviction/eviction-retries.js';
import { Evictor } from './eviction/evictor.js';
import { LocalInvalidations } from './local-invalidations.js';
import { MISS, countRead } from './read-counting.js';
import { NO_TAGS } from '../keys/key-layout.js';

export type { EntryPlan } from './entry/entry-plan.js';
export type { LoadControl, LoadOutcome, ReadResult } from './engine.types.js';
import { Hit, LoadControl, LoadOutcome, ReadResult } from './engine.types.js';
import { loadUnderLease } from './loading/lease-wait.js';
import { loadDeadline } from './loading/load-deadline.js';
import { FailSafe } from './fail-safe/fail-safe.js';
import { FailSafeCandidate } from './fail-safe/fail-safe-candidate.js';
import { waitWithFailSafe } from './fail-safe/fail-safe-wait.js';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import { OutageFallback } from './fallback/outage-fallback.js';
import { BatchBarrier, BatchLoader } from './batch/batch-barrier.js';
import type { RequestMemo } from '../scope/request-memo.js';

/**
 * The read/write path: cache-aside with single-flight in this process and across instances,
 * version-fenced fills, tags, negative caching, SWR classification and size limits. Evictions go
 * through its `evictor`, which shares its invalidations (L1, bus, generation) and events.
 */
export class CacheEngine {
  readonly events$ = new Subject<CacheEvent>();
  /** Evictions of entries, tags and cache names, retried in the background when unconfirmed. */
  readonly evictor: Evictor;
  readonly #flights = new SingleFlight<LoadOutcome>();
  readonly #reads = new Map<string, Promise<StoredRead | undefined>>();
  readonly #invalidations: LocalInvalidations;
  #fillNotices?: FillNotices;
  // Fail-safe values read before the loads running now, by flight key (so an invalidation seen
  // here, which changes the key, hides them), for joiners and for a store failing mid-load.
  readonly #candidates = new Map<string, FailSafeCandidate>();
  readonly #failSafe: FailSafe;
  #closed = false;

  constructor(
    private readonly store: GuardedStore,
    private readonly codec: EntryCodec,
    private readonly stats: CacheStatsRecorder,
    private readonly retries: EvictionRetries,
    private readonly l1?: L1Tier,
    bus?: InvalidationBus,
    log?: RateLimitedLogger,
    private readonly fallback?: OutageFallback,
  ) {
    this.#invalidations = new LocalInvalidations(l1, bus, fallback);
    this.evictor = new Evictor(store, stats, retries, this.#invalidations, this.events$);
    this.#failSafe = new FailSafe(store, codec, {
      stats,
      emit: (event) => this.emit(event),
      log: log ?? DEFAULT_LOG,
      candidateOf: (plan) => this.#candidates.get(this.#flightKey(plan)),
      blocked: (plan) => this.retries.size > 0 && this.retries.blocks(plan.key, plan.tags),
    });
  }

  readonly #leaseSteps = {
    store: this.store,
    lookup: (plan: EntryPlan) => this.#lookup(plan, false),
    loadAndStore: (plan: EntryPlan, load: () => Promise<unknown>, begun?: FillTicket) =>
      this.loadAndStore(plan, load, undefined, begun),
    loadOnly: (plan: EntryPlan, load: () => Promise<unknown>, failed?: boolean) => {
      if (failed) this.stats.for(plan.name).storeErrors++;
      return this.#loadOnly(plan, load);
    },
    waitForFill: (plan: EntryPlan, ms: number) =>
      this.#fillNotices ? this.#fillNotices.wait(plan.key, ms) : new Promise<void>((done) => setTimeout(done, ms)),
  };

  /** Lets lease waiters wake on another instance's fill instead of only polling for it. */
  attachFillNotices(notices: FillNotices): void {
    this.#fillNotices = notices;
  }

  /** Connects the L1 bus (set once the subscriber connection is up). */
  attachBus(bus: InvalidationBus): void {
    this.#invalidations.attachBus(bus);
  }

  /** Connects the per-request memo: an eviction made in a request clears that request's memo. */
  attachMemo(memo: RequestMemo): void {
    this.#invalidations.attachMemo(memo);
  }

  /** Looks an entry up, counting a hit, stale hit or miss. */
  read(plan: EntryPlan): Promise<ReadResult> {
    return this.#lookup(plan, true);
  }

  /**
   * Loads once per key across concurrent callers of this process (and, with a lock, of all
   * instances). With `storeUnavailable` (the lookup just failed) the store is not touched again,
   * so a caller waits out at most one deadline.
   */
  async load(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    storeUnavailable = false,
    stale?: FailSafeCandidate,
  ): Promise<unknown> {
    // The store is down: what this process loaded a moment ago answers, not the origin again.
    const kept = storeUnavailable ? this.fallback?.get(plan.key) : undefined;
    if (kept) {
      this.stats.for(plan.name).outageHits++;
      return this.#revived(plan, this.codec.decodeBody(kept));
    }
    const flightKey = this.#flightKey(plan);
    const { promise, joined } = this.#flights.run(
      flightKey,
      (abandoned) => {
        const control = plan.storeAfterTimeout === false ? abandonedBy(abandoned) : undefined;
        const steps = control ? { ...this.#leaseSteps, loadAndStore: this.#storing(control) } : this.#leaseSteps;
        if (stale) this.#candidates.set(flightKey, stale);
        const work = storeUnavailable
          ? this.#loadOnly(plan, load)
          : plan.lock
            ? loadUnderLease(steps, plan, load, abandoned)
            : this.loadAndStore(plan, load, control);
        return stale ? work.finally(() => this.#candidates.delete(flightKey)) : work;
      },
      loadDeadline(plan),
    );
    if (joined) this.stats.for(plan.name).joins++;
    const candidate = plan.failSafe && (stale ?? this.#candidates.get(flightKey));
    const outcome = candidate ? await waitWithFailSafe(promise, plan, candidate) : await promise;
    if (outcome.failSafe !== undefined) this.#failSafe.served(plan, outcome.failSafe);
    if (!joined && !(outcome.failSafe !== undefined && outcome.value === undefined)) return outcome.value;
    return this.#joinedValue(plan, outcome);
  }

  /**
   * Looks many entries up at once (a batch): L1 first, then the rest in one store round trip;
   * each counted as a hit, stale hit or miss, as `read` counts it.
   */
  async readMany(plans: readonly EntryPlan[]): Promise<ReadResult[]> {
    const results = new Array<ReadResult>(plans.length);
    const fromStore: number[] = [];
    plans.forEach((plan, i) => {
      // As in #lookup: an eviction still on its way blocks the entry, its L1 copy included.
      const blocked = this.retries.blocking && this.retries.blocks(plan.key, plan.tags);
      const local = blocked ? undefined : this.#localHit(plan);
      if (local) {
        results[i] = local;
      } else if (blocked) {
        results[i] = { hit: false, unavailable: true };
        this.stats.for(plan.name).storeErrors++;
      } else fromStore.push(i);
    });
    if (fromStore.length > 0) {
      const epoch = this.l1?.epoch ?? 0;
      const stored = await this.store.readMany(fromStore.map((i) => ({ key: plans[i]!.key, tags: plans[i]!.tags })));
      fromStore.forEach((i, k) => (results[i] = this.#fromStore(plans[i]!, stored?.[k], epoch)));
    }
    return results.map((result, i) => countRead(this.stats, this.events$, plans[i]!, result));
  }

  /**
   * Loads many entries with one call of `loader` (given the indices of the entries it must load):
   * single-flight per entry (one already loading here is joined, not loaded again), each entry
   * fenced by its own `begin` before the call and stored with its own TTL. Batches take no
   * cross-instance lease: another instance may load the same entry meanwhile, fenced all the same.
   */
  loadMany(plans: readonly EntryPlan[], loader: BatchLoader): Promise<unknown[]> {
    const barrier = new BatchBarrier(loader);
    const values = plans.map((plan, i) => {
      const { promise, joined } = this.#flights.run(
        this.#flightKey(plan),
        () => this.loadAndStore(plan, () => barrier.load(i)),
        loadDeadline(plan),
      );
      if (joined) this.stats.for(plan.name).joins++;
      else barrier.expect(i);
      return promise.then((outcome) => (joined ? this.#joinedValue(plan, outcome) : outcome.value));
    });
    barrier.seal();
    return Promise.all(values);
  }

  #joinedValue(plan: EntryPlan, outcome: LoadOutcome): unknown {
    // The L1 took the loaded value deeply frozen (the loading caller has that very object): a
    // joiner gets it too, as the next L1 hit would, instead of decoding a copy of its own.
    const local = this.l1?.get(plan.key);
    if (local?.hasFrozen && local.frozen === outcome.value) return outcome.value;
    const copy = outcome.body ? this.codec.decodeBody(outcome.body) : privateCopy(outcome.value);
    return plan.revive ? plan.revive(copy) : copy;
  }

  #storing(control: LoadControl) {
    return (plan: EntryPlan, load: () => Promise<unknown>) => this.loadAndStore(plan, load, control);
  }

  /** Runs the method without the cache (reads and stores nothing), saying why: e.g. inside a transaction that wrote. */
  bypass(plan: EntryPlan, load: () => Promise<unknown>, reason: string): Promise<unknown> {
    this.stats.for(plan.name).skippedStores++;
    this.emit({ type: 'store-skipped', name: plan.name, key: plan.key, reason });
    return load();
  }

  /** Looks an entry up as a caller would be served, without counting it (the staleness audit's second look). */
  peek(plan: EntryPlan): Promise<ReadResult> {
    return this.#lookup(plan, false);
  }

  /** Joins a running load without reading the store (see `isLoading`), counted as a miss. */
  joinLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    countRead(this.stats, this.events$, plan, MISS);
    return this.load(plan, load);
  }

  /** True when a load of this entry that began after the last invalidation is running (join it, skip the read). */
  isLoading(plan: EntryPlan): boolean {
    return this.#flights.size > 0 && this.#flights.has(this.#flightKey(plan));
  }

  #flightKey(plan: EntryPlan): string {
    return `${this.#invalidations.generation}|${plan.key}`;
  }

  /**
   * Runs `load` and stores its result, fenced by the versions snapshotted before it started
   * (`begun`, when the caller took them already): an invalidation meanwhile makes the fill a no-op.
   */
  async loadAndStore(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    control?: LoadControl,
    begun?: FillTicket,
  ): Promise<LoadOutcome> {
    const epoch = this.l1?.epoch ?? 0;
    const fallbackEpoch = this.fallback?.epoch ?? 0;
    const tagLifeMs = longestLifeMs(plan);
    const ticket = begun ?? (await this.store.begin(plan.key, plan.tags, tagLifeMs));
    let timed: { value: unknown; loadMs: number };
    try {
      timed = await this.#timedLoad(plan, load);
    } catch (error) {
      if (!plan.failSafe || control?.refresh || this.#closed) throw error;
      return this.#failSafe.rescue(plan, error, ticket);
    }
    const { value, loadMs } = timed;
    if (!ticket) {
      this.stats.for(plan.name).storeErrors++;
      this.#keepForOutage(plan, value, fallbackEpoch);
      return { value, storeFailed: true };
    }
    if (this.#closed || control?.abandoned) return { value };
    const entry = this.codec.encode(plan, value, loadMs, ticket.tagVersions);
    if (!entry) return { value };
    if (plan.ttlFor && entry.ttlMs > tagLifeMs) {
      // The value asked for a longer life than the tags were given before the load: extend them,
      // and store only if none changed meanwhile (an eviction during the load fences it, as always).
      const versions = await this.store.tagVersions(plan.tags, entry.ttlMs);
      if (!versions) return { value, storeFailed: true };
      if (!versions.every((version, i) => version === ticket.tagVersions[i])) return { value };
    }
    const storedMs = storedLifeMs(plan, entry.ttlMs, value === null || value === undefined);
    const stored = this.store.fill(plan.key, ticket, entry.payload, storedMs, control?.lease).then((ok) => {
      if (ok) this.l1?.set(plan.key, value, entry.body, entry.freshUntil, plan.tags, entry.ttlMs, epoch);
      return ok;
    });
    // Callers do not wait for their fill (one more round trip): the fill is already written to the
    // connection, and Redis runs one connection's commands in order, so this instance's next read
    // of the entry sees it. With an L1 they do: it holds only what Redis confirmed, and the next
    // caller is served from it. A background refresh has no caller: it reports once stored.
    if (control || this.l1) await stored;
    return { value, body: entry.body };
  }

  /** Stores `value` unconditionally (subject to `unless`, negative caching, size), fencing older loads. */
  async write(plan: EntryPlan, value: unknown): Promise<boolean> {
    // The put replaces the entry's version itself; only tag versions need reading first.
    const tagVersions =
      plan.tags.length === 0 ? [] : await this.store.tagVersions(plan.tags, longestLifeMs(plan, value));
    // The store failed: the old value must not stay, so its eviction waits for a retry.
    if (!tagVersions) return this.evictor.putFailed(plan);
    const entry = this.codec.encode(plan, value, 0, tagVersions);
    if (!entry) return (await this.evictor.evict(plan.name, [plan.key])) && false; // not cacheable: nor is the old value
    const ok = await this.store.put(
      plan.key,
      entry.payload,
      storedLifeMs(plan, entry.ttlMs, value === null || value === undefined),
    );
    if (!ok) return this.evictor.putFailed(plan);
    await this.#invalidations.announce({ keys: [plan.key] });
    return true;
  }

  /** After this, loads still running never write (the Redis client may be closing). */
  close(): void {
    this.#closed = true;
  }

  /** An invalidation seen on another instance (told by the bus): drop it from L1, fence joins. */
  applyInvalidation(what: Invalidation): void {
    this.#invalidations.apply(what);
  }

  emit(event: CacheEvent): void {
    if (this.events$.observed) this.events$.next(event);
  }

  async #loadOnly(plan: EntryPlan, load: () => Promise<unknown>): Promise<LoadOutcome> {
    const epoch = this.fallback?.epoch ?? 0;
    const { value } = await this.#timedLoad(plan, load);
    this.#keepForOutage(plan, value, epoch);
    return { value, storeFailed: true };
  }

  // Only loads that could not use the store are kept: a healthy store never touches the fallback.
  #keepForOutage(plan: EntryPlan, value: unknown, epoch: number): void {
    if (!this.fallback || this.#closed) return;
    const entry = this.codec.encode(plan, value, 0, NO_TAGS);
    if (entry) this.fallback.set(plan.key, entry.body, plan.tags, entry.ttlMs, epoch);
  }

  async #timedLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<{ value: unknown; loadMs: number }> {
    const started = performance.now();
    let value: unknown;
    try {
      value = await load();
      // The loading caller gets the same kind of object as every later caller.
      if (plan.revive) value = plan.revive(value);
    } catch (error) {
      this.stats.for(plan.name).loadErrors++;
      this.emit({ type: 'load-error', name: plan.name, key: plan.key, durationMs: performance.now() - started });
      throw error; // shared by the callers of this flight, never cached
    }
    const loadMs = performance.now() - started;
    const record = this.stats.record(plan.name);
    record.counters.loads++;
    record.timings.load.observe(loadMs);
    this.emit({ type: 'load', name: plan.name, key: plan.key, durationMs: loadMs });
    return { value, loadMs };
  }

  // One async frame for the whole lookup (L1, store, decode, counting): each layer is a promise.
  /**
   * The L1 part of a lookup, without a promise: a counted hit when this instance holds the entry,
   * else undefined (then `read` does the whole lookup). The hottest path, so it allocates nothing
   * more than the result.
   */
  readLocal(plan: EntryPlan): Hit | undefined {
    if (!this.l1 || (this.retries.blocking && this.retries.blocks(plan.key, plan.tags))) return undefined;
    const hit = this.#localHit(plan);
    return hit && (countRead(this.stats, this.events$, plan, hit) as Hit);
  }

  #localHit(plan: EntryPlan): Hit | undefined {
    const local = this.l1?.get(plan.key);
    if (!local) return undefined;
    const value = local.hasFrozen ? local.frozen : this.#revived(plan, this.codec.decodeBody(local.body!));
    return {
      hit: true,
      value,
      refresh: local.freshUntil > 0 && Date.now() >= local.freshUntil ? 'stale' : undefined,
      l1: true,
      body: local.body,
    };
  }

  async #lookup(plan: EntryPlan, counted: boolean): Promise<ReadResult> {
    // An eviction of it is queued or still on its way to the store: use the origin (L1 included).
    const blocked = this.retries.blocking && this.retries.blocks(plan.key, plan.tags);
    const local = blocked ? undefined : this.#localHit(plan);
    let result: ReadResult;
    if (local) {
      result = local;
    } else if (blocked) {
      result = { hit: false, unavailable: true };
      this.stats.for(plan.name).storeErrors++;
    } else {
      const epoch = this.l1?.epoch ?? 0;
      result = this.#fromStore(plan, await this.#sharedRead(plan), epoch);
    }
    return counted ? countRead(this.stats, this.events$, plan, result) : result;
  }

  /**
   * Lookups of one entry made in one burst (the same turn of the event loop, before any reply
   * could arrive) share one store read: such a burst on a hot or cold key sends one command, not
   * one each. A later caller never joins it: Redis may have answered it before an eviction that
   * caller already knows of (confirmed to another instance, over a slow link to this one). Every
   * caller still decodes its own copy.
   */
  #sharedRead(plan: EntryPlan): Promise<StoredRead | undefined> {
    const key = this.#flightKey(plan);
    const running = this.#reads.get(key);
    if (running) return running;
    const read = this.store.read(plan.key, plan.tags);
    this.#reads.set(key, read);
    // No I/O callback runs before the microtasks queued now: only callers of this burst join.
    queueMicrotask(() => {
      if (this.#reads.get(key) === read) this.#reads.delete(key);
    });
    return read;
  }

  #fromStore(plan: EntryPlan, stored: StoredRead | undefined, epoch: number): ReadResult {
    if (!stored) {
      this.stats.for(plan.name).storeErrors++;
      return { hit: false, unavailable: true };
    }
    const envelope = stored?.payload && this.codec.unwrap(stored.payload);
    if (!envelope || !sameVersions(envelope, stored.tagVersions)) return { hit: false };
    const { freshUntil, expiresAt } = envelope.meta;
    // Past its expiry only a fail-safe copy is still stored: a miss, whose value may answer a failed load.
    // An expiry of 0 is not one this codec writes: such an entry lives by its store TTL alone.
    const expired = expiresAt > 0 && expiresAt <= Date.now();
    if (expired && !plan.failSafe) return { hit: false };
    const decoded = this.codec.decode(envelope, plan);
    if (!decoded) return { hit: false };
    if (expired) return { hit: false, stale: { ...decoded, createdAt: envelope.meta.createdAt } };
    const value = this.#revived(plan, decoded.value);
    this.l1?.set(plan.key, value, decoded.body, freshUntil, plan.tags, expiresAt - Date.now(), epoch);
    return {
      hit: true,
      value,
      refresh: refreshNeed(envelope, plan),
      createdAt: envelope.meta.createdAt,
      body: decoded.body,
    };
  }

  #revived(plan: EntryPlan, value: unknown): unknown {
    return plan.revive ? plan.revive(value) : value;
  }
}

const DEFAULT_LOG = new RateLimitedLogger(new Logger('CacheKit'));

/** A control whose `abandoned` follows the flight's signal: set once no caller waits (`timeout.background: false`). */
function abandonedBy(signal: AbortSignal | undefined): LoadControl {
  return {
    get abandoned() {
      return signal?.aborted ?? false;
    },
  };
}

// Joiners of a load whose result was not stored (store down, value not cacheable) still get their
// own copy; what cannot be cloned (functions) is shared as the method returned it.
function privateCopy(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
