import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { CacheDefinition, isCacheDefinition } from './definitions/cache-definition.js';
import { isCacheName } from './keys/key-layout.js';
import { CacheDefinitionError } from './errors/cachekit.errors.js';
import { messages } from './errors/messages.js';
import { Duration, parseDuration } from './definitions/duration.js';
import { CacheKitRuntime } from './cachekit.runtime.js';
import { EntryPlan } from './engine/cache.engine.js';
import { CacheEvent, StoreStats } from './observability/cache-event.interface.js';
import type {
  CacheNameStats,
  CacheReport,
  LatencyBuckets,
  ReportOptions,
} from './observability/observability.interface.js';
import type { LoadedById } from './engine/batch/id-batch.js';
import { isOutsideScope } from './scope/outside-scope.js';

/** What `CacheKit.evictMany` evicts: entries (a definition and the arguments readers use) and tags. */
export interface EvictionTargets {
  keys?: readonly { definition: CacheDefinition; args: readonly unknown[] }[];
  tags?: readonly string[];
}

/** Options of `CacheKit.evictMany`. */
export interface EvictManyOptions {
  /** Told what became of an eviction the store did not confirm at once: 'retried' (it landed) or 'dropped'. */
  onOutcome?: (outcome: 'retried' | 'dropped') => void;
  /** Who asks, for the evictions by cause of `report()`: 'orm' for the ORM bridge. Default: 'app'. */
  source?: 'app' | 'orm';
}

/** Settings for a raw string key. */
export interface RawEntryOptions {
  /** Default: the module's defaultTtl. */
  ttl?: Duration;
  /** Store null/undefined for this long. Default: not stored. */
  cacheNull?: Duration;
}

/**
 * The cache, programmatically: the same operations as the decorators, on a definition plus
 * arguments (same keys as the decorated methods) or on a raw string key.
 * @example const product = await cacheKit.getOrSet(productById, [id], () => repo.findOneBy({ id }));
 */
@Injectable()
export class CacheKit {
  constructor(@Inject(CacheKitRuntime) private readonly runtime: CacheKitRuntime) {}

  /** Everything the cache does (hit, miss, load, evict, ...), as it happens. */
  get events$(): Observable<CacheEvent> {
    return this.runtime.engine.events$.asObservable();
  }

  /** Returns the cached value or loads, stores and returns it (single-flighted per key). */
  getOrSet<A extends unknown[], R>(definition: CacheDefinition<A, R>, args: A, load: () => Promise<R>): Promise<R>;
  getOrSet<R>(key: string, load: () => Promise<R>, options?: RawEntryOptions): Promise<R>;
  getOrSet(target: CacheDefinition | string, a: unknown, b?: unknown): Promise<unknown> {
    if (isCacheDefinition(target)) {
      const plan = this.#scopedPlan(target, a as unknown[]);
      const load = b as () => Promise<unknown>;
      if (!plan) return load(); // outside any scope: uncached
      // Audited as decorated reads are: a sampled hit re-runs the loader given here, in the background.
      const audited = this.runtime.audit.sample(target);
      if (!audited) return this.runtime.readThrough.getOrLoad(plan, load);
      const tags = () => target.tagsOf(a as unknown[], plan.where);
      return this.runtime.readThrough.getOrLoad(plan, load, (hit) =>
        this.runtime.audit.check(hit, { plan, load, tags }, audited),
      );
    }
    return this.runtime.readThrough.getOrLoad(
      this.#rawPlan(target, b as RawEntryOptions | undefined),
      a as () => Promise<unknown>,
    );
  }

  /**
   * Many ids of a single-id definition at once, from the same entries `getOrSet(definition, [id])`
   * and `@Cacheable(definition)` use: the hits in one round trip, the misses with one call of
   * `loadMissing` (each missing id once; ids loading already are joined). Resolves to the ids that
   * have a value, in the order asked for. See docs/batched-loads.md.
   * @example const products = await cacheKit.getMany(productById, [1, 2, 3], (ids) => repo.findByIds(ids));
   */
  getMany<I, R>(
    definition: CacheDefinition<[I], R>,
    ids: readonly I[],
    loadMissing: (ids: I[]) => Promise<LoadedById<I, R>>,
  ): Promise<Map<I, NonNullable<R>>> {
    return this.runtime.batches.getMany(
      definition,
      ids,
      `CacheKit.getMany(${definition.name})`,
      loadMissing,
    ) as Promise<Map<I, NonNullable<R>>>;
  }

  /**
   * Runs `fn` with a per-request memo (module option `requestMemo: true`; otherwise just runs it):
   * repeated cached calls with the same key inside it read the store once; an eviction inside it
   * clears the memo. For code outside HTTP (jobs, consumers); HTTP apps use `CacheKitRequestMemo`.
   * @example await cacheKit.withRequestMemo(() => this.report.build());
   */
  withRequestMemo<T>(fn: () => Promise<T>): Promise<T> {
    return this.runWithRequestMemo(fn);
  }

  /** As `withRequestMemo`, for a synchronous start (a middleware's `next`). */
  runWithRequestMemo<T>(fn: () => T): T {
    return this.runtime.memo ? this.runtime.memo.run(fn) : fn();
  }

  /** The cached value, or undefined on a miss (or when the store is unavailable). */
  get<A extends unknown[], R>(definition: CacheDefinition<A, R>, ...args: A): Promise<R | undefined>;
  get<R = unknown>(key: string): Promise<R | undefined>;
  async get(target: CacheDefinition | string, ...args: unknown[]): Promise<unknown> {
    const plan = isCacheDefinition(target) ? this.#scopedPlan(target, args) : this.#rawPlan(target);
    if (!plan) return undefined; // outside any scope: nothing to read
    const result = await this.runtime.engine.read(plan);
    return result.hit ? result.value : undefined;
  }

  /** Stores a value; resolves true when the store confirmed it. */
  set<A extends unknown[], R>(definition: CacheDefinition<A, R>, args: A, value: R): Promise<boolean>;
  set(key: string, value: unknown, options?: RawEntryOptions): Promise<boolean>;
  set(target: CacheDefinition | string, a: unknown, b?: unknown): Promise<boolean> {
    if (isCacheDefinition(target)) {
      const plan = this.#scopedPlan(target, a as unknown[]);
      return plan ? this.runtime.engine.write(plan, b) : this.#clearEveryScope(target).then(() => false);
    }
    return this.runtime.engine.write(this.#rawPlan(target, b as RawEntryOptions | undefined), a);
  }

  /** Evicts one entry; resolves true when the store confirmed it. */
  evict<A extends unknown[], R>(definition: CacheDefinition<A, R>, ...args: A): Promise<boolean>;
  evict(key: string): Promise<boolean>;
  evict(target: CacheDefinition | string, ...args: unknown[]): Promise<boolean> {
    const plan = isCacheDefinition(target) ? this.#scopedPlan(target, args) : this.#rawPlan(target);
    if (!plan) return this.#clearEveryScope(target as CacheDefinition); // the entry's scope is unknown
    return this.runtime.engine.evictor.evict(plan.name, [plan.key]);
  }

  /**
   * Evicts entries (definition + arguments, keyed as the readers key them) and tags together: the
   * store calls are sent at once, not one after another. Resolves true when the store confirmed all
   * of it; otherwise the eviction is retried in the background (see the `evictionRetry` option) and
   * `onOutcome` learns whether a retry landed ('retried') or it was given up ('dropped').
   * @example await cacheKit.evictMany({ keys: [{ definition: productById, args: [7] }], tags: ['category:3'] });
   */
  async evictMany(targets: EvictionTargets, options: EvictManyOptions = {}): Promise<boolean> {
    const byName = new Map<string, Set<string>>();
    const cleared = new Map<string, string>();
    for (const { definition, args } of targets.keys ?? []) {
      let key: string;
      try {
        key = this.runtime.planner.key(definition, [...args], `CacheKit(${definition.name})`);
      } catch (error) {
        if (!isOutsideScope(error)) throw error;
        // Outside any scope (a job, a bridge without the request's context): every scope's entries go.
        cleared.set(definition.name, this.runtime.planner.nameKey(definition.name));
        continue;
      }
      byName.set(definition.name, (byName.get(definition.name) ?? new Set()).add(key));
    }
    const entries = new Map([...byName].map(([name, keys]) => [name, [...keys]]));
    const tags = [
      ...this.runtime.planner.tagKeys([...new Set(targets.tags ?? [])], 'CacheKit.evictMany'),
      ...cleared.values(),
    ];
    return this.runtime.engine.evictor.evictMany(entries, tags, options.onOutcome, options.source === 'orm');
  }

  /**
   * Evicts every entry of a cache in O(1), whatever their number; loads already running never
   * store. Resolves true when the store confirmed it. Raw string keys have no cache name to clear.
   * @example await cacheKit.clear(productById);
   */
  async clear(definitionOrName: CacheDefinition | string): Promise<boolean> {
    const name = typeof definitionOrName === 'string' ? definitionOrName : definitionOrName.name;
    // A name reaches the store inside a key: one no definition could have ('*', '{x}') is refused.
    if (!isCacheName(name)) throw new CacheDefinitionError(messages.invalidName(`CacheKit.clear(name)`, name));
    const key =
      typeof definitionOrName === 'string'
        ? this.runtime.planner.nameKey(name)
        : this.runtime.planner.clearKey(definitionOrName, `CacheKit.clear(${name})`);
    return this.runtime.engine.evictor.clear(name, key);
  }

  /** Invalidates every entry carrying any of these tags, in O(1) per tag; loads already running never store. */
  evictTags(tags: readonly string[]): Promise<boolean> {
    return this.runtime.engine.evictor.evictTags(this.runtime.planner.tagKeys(tags, 'CacheKit.evictTags'));
  }

  /**
   * Retries now the evictions waiting for the store (see `evictionRetry`), waiting at most `waitMs`;
   * resolves with how many entries and tags still wait. Useful before a planned shutdown.
   * @example await cacheKit.flushEvictions(500);
   */
  async flushEvictions(waitMs = 1_000): Promise<number> {
    await this.runtime.flushEvictions(waitMs);
    return this.runtime.storeSnapshot().pendingEvictions;
  }

  /**
   * The store's health: failures and timeouts of reads and writes, breaker states, evictions waiting
   * for a retry (not served from the cache meanwhile) and evictions given up.
   * @example if (cacheKit.storeStats().breaker.writes === 'open') alert('cache store refuses writes');
   */
  storeStats(): StoreStats {
    return this.runtime.storeSnapshot();
  }

  /**
   * Registers a check run before every cached read (decorated or `getOrSet`): while it returns a
   * reason, calls read the origin and store nothing (counted as skipped stores, with the reason).
   * Returns a function that removes it. The TypeORM bridge uses it for reads inside a transaction.
   * @example const remove = cacheKit.bypassReadsWhen(() => (inTransaction() ? 'inside a transaction' : undefined));
   */
  bypassReadsWhen(check: () => string | undefined): () => void {
    return this.runtime.readThrough.bypassWhen(check);
  }

  /**
   * Counters per cache name, with the hit ratio, latency by outcome (p50/p95/p99 of L1 hits, store
   * hits, stale hits, misses and loads) and what the staleness audit found.
   * @example const { p99Ms } = cacheKit.stats().product.latency.storeHit;
   */
  stats(): Record<string, CacheNameStats> {
    return this.runtime.stats.snapshot();
  }

  /**
   * Does each cache earn its keep? Per cache name over the sliding window (module option `report`,
   * default the last 10 min): hit ratio, origin time saved against time spent in the cache,
   * entries, bytes and TTLs in the store (a bounded SCAN), evictions by cause, audit findings and
   * a verdict with its reason.
   * @example for (const [name, { verdict }] of Object.entries((await cacheKit.report()).caches)) log(name, verdict.reason);
   */
  report(options?: ReportOptions): Promise<CacheReport> {
    return this.runtime.reporter.report(options);
  }

  /**
   * The raw latency histograms behind `stats().latency`, per cache name and outcome, for exporters.
   * @example const { boundsMs, caches } = cacheKit.latencyBuckets();
   */
  latencyBuckets(): LatencyBuckets {
    return this.runtime.stats.buckets();
  }

  // Undefined for a scoped definition outside any scope.
  #scopedPlan(definition: CacheDefinition, args: unknown[]): EntryPlan | undefined {
    try {
      return this.runtime.planner.plan(definition, args, `CacheKit(${definition.name})`);
    } catch (error) {
      if (isOutsideScope(error)) return undefined;
      throw error;
    }
  }

  #clearEveryScope(definition: CacheDefinition): Promise<boolean> {
    return this.runtime.engine.evictor.clear(definition.name, this.runtime.planner.nameKey(definition.name));
  }

  #rawPlan(key: string, options?: RawEntryOptions): EntryPlan {
    return this.runtime.planner.rawPlan(
      key,
      options?.ttl === undefined ? undefined : parseDuration(options.ttl, `CacheKit option 'ttl'`),
      options?.cacheNull === undefined ? undefined : parseDuration(options.cacheNull, `CacheKit option 'cacheNull'`),
    );
  }
}
