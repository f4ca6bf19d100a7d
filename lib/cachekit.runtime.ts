import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { InvalidationBus } from './bus/invalidation-bus.js';
import { FillNotices } from './bus/fill-notices.js';
import { L1Tier } from './l1/l1-tier.js';
import { BackgroundRefresher } from './engine/loading/background-refresher.js';
import { CacheEngine } from './engine/cache.engine.js';
import { OutageFallback } from './engine/fallback/outage-fallback.js';
import { CircuitBreaker } from './engine/store-guard/circuit-breaker.js';
import { EntryCodec } from './engine/entry/entry-codec.js';
import { EntryPlan } from './engine/entry/entry-plan.js';
import { Compression } from './serialization/compression.js';
import { EntryPlanner } from './engine/entry/entry-planner.js';
import { GuardedStore } from './engine/store-guard/guarded-store.js';
import { StoreFailureCause, causeOf } from './engine/store-guard/store-failure.js';
import { RateLimitedLogger } from './observability/rate-limited-logger.js';
import { ReadThrough } from './engine/loading/read-through.js';
import { CacheEvictInterceptor } from './invocation/cache-evict.interceptor.js';
import { CachePutInterceptor } from './invocation/cache-put.interceptor.js';
import { CacheableInterceptor } from './invocation/cacheable.interceptor.js';
import { InvocationPipeline } from './invocation/invocation.pipeline.js';
import { CacheableManyInterceptor } from './invocation/cacheable-many.interceptor.js';
import { BatchReadThrough } from './engine/batch/batch-read-through.js';
import { IdBatches } from './engine/batch/id-batch.js';
import { CacheStatsRecorder } from './observability/cache-stats.js';
import { StoreStats } from './observability/cache-event.interface.js';
import { StoreStatsRecorder } from './observability/store-stats.js';
import { StalenessAudit } from './report/staleness-audit.js';
import { CacheReporter } from './report/cache-report.js';
import { WindowSnapshots } from './report/window-snapshots.js';
import { EvictionRetries } from './engine/eviction/eviction-retries.js';
import { ResolvedCacheKitOptions } from './options/cachekit-options.interface.js';
import { RedisConnectionHolder } from './redis/redis-connection.js';
import { beaconKey, fillChannel, probeKey } from './keys/key-layout.js';
import { StatsBeacon } from './observability/stats-beacon.js';
import { EntryStore } from './stores/entry-store.interface.js';
import { MemoryEntryStore } from './stores/memory-entry.store.js';
import { RedisEntryStore } from './stores/redis-entry.store.js';
import { PlainToInstance, loadPlainToInstance } from './serialization/revive.js';
import { ScopeReader } from './scope/scope-reader.js';
import { RequestMemo } from './scope/request-memo.js';

// An eviction's fence outlives any reasonable load; a fill finding no fence at all is refused anyway.
const FENCE_TTL_MS = 60_000;

/** One app's cache machinery, wired once: store, engine, refresher, key planner and invocation pipeline. */
export class CacheKitRuntime implements BeforeApplicationShutdown {
  readonly engine: CacheEngine;
  readonly planner: EntryPlanner;
  readonly readThrough: ReadThrough;
  /** The per-request memo (`requestMemo` option); undefined when off. */
  readonly memo?: RequestMemo;
  /** Batches by id over single-id definitions (`@CacheableMany`, `CacheKit.getMany`). */
  readonly batches: IdBatches;
  readonly refresher: BackgroundRefresher;
  readonly pipeline: InvocationPipeline;
  readonly store: GuardedStore;
  /** Per-name counters of hits, misses, loads and evictions. */
  readonly stats = new CacheStatsRecorder();
  readonly storeStats = new StoreStatsRecorder();
  readonly #retries: EvictionRetries;
  /** The staleness audit: decorated reads and `CacheKit.getOrSet` sample their hits through it. */
  readonly audit: StalenessAudit;
  readonly #window: WindowSnapshots;
  /** Builds `CacheKit.report()`. */
  readonly reporter: CacheReporter;
  readonly #log = new RateLimitedLogger(new Logger('CacheKit'));
  #bus?: InvalidationBus;
  #fillNotices?: FillNotices;
  #beacon?: StatsBeacon;

  /** Builds the runtime and, over Redis, connects its invalidation bus. */
  static async create(options: ResolvedCacheKitOptions, connection: RedisConnectionHolder): Promise<CacheKitRuntime> {
    const runtime = new CacheKitRuntime(options, connection, await loadPlainToInstance());
    if (options.singleFlight && connection.client) {
      runtime.#fillNotices = new FillNotices(connection.client, options.namespace);
      runtime.engine.attachFillNotices(runtime.#fillNotices);
    }
    // Every instance over Redis listens: an L1 drops what others evicted, and a caller never joins
    // a load (or read) this process began before another instance's eviction reached it.
    if (connection.client) {
      const bus = new InvalidationBus(
        connection.client,
        options.namespace,
        (what) => runtime.engine.applyInvalidation(what),
        () => runtime.engine.applyInvalidation({ prefix: '' }),
        runtime.#log,
        options.operationTimeoutMs,
      );
      // An L1 must not serve before it listens; a fence alone does not hold up boot (Redis may be down).
      const started = bus.start();
      if (options.l1) await started;
      runtime.engine.attachBus(bus);
      runtime.#bus = bus;
    }
    const beacon = options.statsBeacon;
    if (beacon && connection.client) {
      const key = beaconKey(options.namespace, beacon.instance);
      const source = () => ({ stats: runtime.stats.snapshot(), store: runtime.storeSnapshot() });
      runtime.#beacon = new StatsBeacon(
        connection.client,
        key,
        beacon.instance,
        beacon.intervalMs,
        source,
        runtime.#log,
        () => runtime.reporter.report(), // for `cachekit report`; the beacon asks at most every 30 s
      );
      runtime.#beacon.start();
    }
    return runtime;
  }

  private constructor(
    private readonly options: ResolvedCacheKitOptions,
    private readonly connection: RedisConnectionHolder,
    plainToInstance?: PlainToInstance,
  ) {
    const log = this.#log;
    const stats = this.stats;
    const breaker = () => new CircuitBreaker(options.breakerFailures, options.breakerCooldownMs);
    this.store = new GuardedStore(
      createStore(options, connection),
      options.operationTimeoutMs,
      { reads: breaker(), writes: breaker() },
      log,
      {
        failed: (reported) => {
          const failure = { ...reported, cause: this.#causeOf(reported.cause) };
          this.storeStats.failed(failure);
          const { operation, cause, message } = failure;
          this.engine.emit({ type: 'store-error', name: '~store', operation, cause, reason: message });
        },
        recovered: () => this.#retries.drainSoon(),
      },
      options.maxInFlight,
    );
    this.#retries = new EvictionRetries(
      this.store,
      options.evictionRetry,
      log,
      () => this.storeStats.droppedEvictions++,
    );
    const onSkip = (plan: EntryPlan, reason: string) => {
      stats.for(plan.name).skippedStores++;
      this.engine.emit({ type: 'store-skipped', name: plan.name, key: plan.key, reason });
    };
    // No entry this codec writes inflates past maxValueBytes; a payload that does is foreign or hostile.
    const compression = new Compression(options.compressMinBytes ?? Infinity, options.maxValueBytes);
    const codec = new EntryCodec(options.serializer, options.maxValueBytes, log, onSkip, compression);
    // A reconnect is the usual end of an outage: retry at once rather than at the next backoff step.
    connection.client?.on('ready', () => {
      this.store.probeSoon();
      this.#retries.drainSoon();
    });
    this.engine = new CacheEngine(
      this.store,
      codec,
      stats,
      this.#retries,
      options.l1 && new L1Tier(options.l1),
      undefined,
      log,
      options.outageFallback && new OutageFallback(options.outageFallback),
    );
    this.refresher = new BackgroundRefresher(this.engine, this.store, stats, log);
    this.memo = options.requestMemo ? new RequestMemo() : undefined;
    if (this.memo) this.engine.attachMemo(this.memo);
    this.readThrough = new ReadThrough(this.engine, this.refresher, stats, options.latencySampling, this.memo);
    this.planner = new EntryPlanner(
      options.namespace,
      options.defaultTtlMs,
      options.jitter,
      options.singleFlight,
      options.loadTimeoutMs,
      { failSafe: options.failSafe, timeout: options.timeout },
      plainToInstance,
      options.scope && new ScopeReader(options.scope, log),
    );
    this.batches = new IdBatches(this.planner, new BatchReadThrough(this.engine, this.refresher, undefined, this.memo));
    this.#window = new WindowSnapshots(stats, options.report.windowMs, options.report.stepMs);
    this.reporter = new CacheReporter(stats, this.#window, {
      kind: this.store.store.kind,
      client: connection.client ?? undefined,
      namespace: options.namespace,
      memory: this.store.store instanceof MemoryEntryStore ? this.store.store : undefined,
    });
    this.audit = new StalenessAudit((plan) => this.engine.peek(plan), options.serializer, stats, log, options.audit);
    this.pipeline = new InvocationPipeline(
      new CacheableInterceptor(this.readThrough, this.planner, this.audit),
      new CachePutInterceptor(this.engine, this.planner),
      new CacheEvictInterceptor(this.engine.evictor, this.planner),
      new CacheableManyInterceptor(this.batches),
    );
  }

  // Without a connection every command fails alike ("Stream isn't writeable"); the connection's
  // own last error says why (a wrong password: NOAUTH, WRONGPASS).
  #causeOf(cause: StoreFailureCause): StoreFailureCause {
    const connectionError = this.connection.lastError;
    if (cause !== 'CONNECTION' || connectionError === undefined) return cause;
    const connectionCause = causeOf(connectionError);
    return connectionCause === 'ERROR' ? cause : connectionCause;
  }

  /** Retries evictions waiting for the store now, waiting at most `waitMs`. */
  flushEvictions(waitMs: number): Promise<void> {
    return this.#retries.flush(waitMs);
  }

  /** The store's health: failures by cause and direction, breakers, evictions waiting for a retry. */
  storeSnapshot(): StoreStats {
    const snapshot = this.storeStats.snapshot(this.store.store.kind, this.store.breakers, this.#retries.size);
    if (this.#bus) snapshot.bus = this.#bus.subscribed ? 'subscribed' : 'unsubscribed';
    const maxInFlight = this.options.maxInFlight;
    if (Number.isFinite(maxInFlight)) snapshot.admission = { maxInFlight, ...this.store.admission };
    return snapshot;
  }

  /**
   * Runs before the Redis connection closes: let background refreshes finish (bounded), stop
   * filling (what the drain gave up on never writes), and give evictions waiting for a retry one
   * last attempt.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.audit.close();
    this.#window.stop();
    await this.refresher.drain(this.options.shutdownTimeoutMs);
    this.engine.close();
    await this.#retries.close(this.options.operationTimeoutMs * 2);
    this.#bus?.stop();
    this.#fillNotices?.stop();
    await this.#beacon?.stop();
  }
}

function createStore(options: ResolvedCacheKitOptions, connection: RedisConnectionHolder): EntryStore {
  if (!connection.client) return new MemoryEntryStore(options.memoryMaxEntries, FENCE_TTL_MS);
  return new RedisEntryStore(connection.client, {
    fenceTtlMs: FENCE_TTL_MS,
    probeKey: probeKey(options.namespace),
    fillChannel: options.singleFlight ? fillChannel(options.namespace) : undefined,
  });
}
