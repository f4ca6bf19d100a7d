import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { CacheEvent } from '../observability/cache-event.interface.js';
import { CacheStatsRecorder } from '../observability/cache-stats.js';
import { EntryCodec } from './entry/entry-codec.js';
import { EntryPlan, revived } from './entry/entry-plan.js';
import { GuardedStore } from './store-guard/guarded-store.js';
import { SingleFlight } from './loading/single-flight.js';
import { InvalidationBus, Invalidation } from '../bus/invalidation-bus.js';
import { FillNotices } from '../bus/fill-notices.js';
import { L1Tier } from '../l1/l1-tier.js';
import { FillTicket } from '../stores/entry-store.interface.js';
import { EvictionRetries } from './eviction/eviction-retries.js';
import { Evictor } from './eviction/evictor.js';
import { LocalInvalidations } from './local-invalidations.js';
import { MISS, countRead } from './read-counting.js';

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
import { EntryReader } from './reading/entry-reader.js';
import { EntryFiller } from './filling/entry-filler.js';

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
  readonly #reader: EntryReader;
  readonly #filler: EntryFiller;
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
    const context = { stats, events$: this.events$, flightKey: (plan: EntryPlan) => this.#flightKey(plan) };
    this.#reader = new EntryReader(store, codec, retries, context, l1);
    this.evictor = new Evictor(store, stats, retries, this.#invalidations, this.events$);
    this.#failSafe = new FailSafe(store, codec, {
      stats,
      emit: (event) => this.emit(event),
      log: log ?? DEFAULT_LOG,
      candidateOf: (plan) => this.#candidates.get(this.#flightKey(plan)),
      blocked: (plan) => this.retries.size > 0 && this.retries.blocks(plan.key, plan.tags),
    });
    this.#filler = new EntryFiller(
      store,
      codec,
      stats,
      {
        failSafe: this.#failSafe,
        evictor: this.evictor,
        closed: () => this.#closed,
        emit: (event) => this.emit(event),
        announce: (what) => this.#invalidations.announce(what),
      },
      l1,
      fallback,
    );
  }

  readonly #leaseSteps = {
    store: this.store,
    lookup: (plan: EntryPlan) => this.#reader.read(plan, false),
    loadAndStore: (plan: EntryPlan, load: () => Promise<unknown>, begun?: FillTicket) =>
      this.loadAndStore(plan, load, undefined, begun),
    loadOnly: (plan: EntryPlan, load: () => Promise<unknown>, failed?: boolean) => {
      if (failed) this.stats.for(plan.name).storeErrors++;
      return this.#filler.loadOnly(plan, load);
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
    return this.#reader.read(plan, true);
  }

  /**
   * The L1 part of a lookup, without a promise: a counted hit when this instance holds the entry,
   * else undefined (then `read` does the whole lookup).
   */
  readLocal(plan: EntryPlan): Hit | undefined {
    return this.#reader.readLocal(plan);
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
      return revived(plan, this.codec.decodeBody(kept));
    }
    const flightKey = this.#flightKey(plan);
    const { promise, joined } = this.#flights.run(
      flightKey,
      (abandoned) => {
        const control = plan.storeAfterTimeout === false ? abandonedBy(abandoned) : undefined;
        const steps = control ? { ...this.#leaseSteps, loadAndStore: this.#storing(control) } : this.#leaseSteps;
        if (stale) this.#candidates.set(flightKey, stale);
        const work = storeUnavailable
          ? this.#filler.loadOnly(plan, load)
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
  readMany(plans: readonly EntryPlan[]): Promise<ReadResult[]> {
    return this.#reader.readMany(plans);
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
    return revived(plan, copy);
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
    return this.#reader.read(plan, false);
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
  loadAndStore(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    control?: LoadControl,
    begun?: FillTicket,
  ): Promise<LoadOutcome> {
    return this.#filler.loadAndStore(plan, load, control, begun);
  }

  /** Stores `value` unconditionally (subject to `unless`, negative caching, size), fencing older loads. */
  write(plan: EntryPlan, value: unknown): Promise<boolean> {
    return this.#filler.write(plan, value);
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
