import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { CacheEvent } from '../observability/cache-event.interface.js';
import { CacheStatsRecorder } from '../observability/cache-stats.js';
import { EntryCodec } from './entry/entry-codec.js';
import { EntryPlan } from './entry/entry-plan.js';
import { GuardedStore } from './store-guard/guarded-store.js';
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
import { FailSafe } from './fail-safe/fail-safe.js';
import { FailSafeCandidate } from './fail-safe/fail-safe-candidate.js';
import { LoadCoordinator } from './loading/load-coordinator.js';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import { OutageFallback } from './fallback/outage-fallback.js';
import type { BatchLoader } from './batch/batch-barrier.js';
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
  readonly #reader: EntryReader;
  readonly #filler: EntryFiller;
  readonly #loads: LoadCoordinator;
  readonly #invalidations: LocalInvalidations;
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
    const context = { stats, events$: this.events$, generation: () => this.#invalidations.generation };
    this.#reader = new EntryReader(store, codec, retries, context, l1);
    this.evictor = new Evictor(store, stats, retries, this.#invalidations, this.events$);
    const failSafe = new FailSafe(store, codec, {
      stats,
      emit: (event) => this.emit(event),
      log: log ?? DEFAULT_LOG,
      candidateOf: (plan) => this.#loads.candidateOf(plan),
      blocked: (plan) => this.retries.size > 0 && this.retries.blocks(plan.key, plan.tags),
    });
    this.#filler = new EntryFiller(
      store,
      codec,
      stats,
      {
        failSafe,
        evictor: this.evictor,
        closed: () => this.#closed,
        emit: (event) => this.emit(event),
        announce: (what) => this.#invalidations.announce(what),
      },
      l1,
      fallback,
    );
    this.#loads = new LoadCoordinator({
      store,
      codec,
      stats,
      filler: this.#filler,
      failSafe,
      lookup: (plan) => this.#reader.read(plan, false),
      flightKey: (plan) => this.#flightKey(plan),
      l1,
      fallback,
    });
  }

  /** Lets lease waiters wake on another instance's fill instead of only polling for it. */
  attachFillNotices(notices: FillNotices): void {
    this.#loads.attachFillNotices(notices);
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
  load(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    storeUnavailable = false,
    stale?: FailSafeCandidate,
  ): Promise<unknown> {
    return this.#loads.load(plan, load, storeUnavailable, stale);
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
    return this.#loads.loadMany(plans, loader);
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
    return this.#loads.isLoading(plan);
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
