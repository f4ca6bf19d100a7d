import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { InvalidationBus } from './bus/invalidation-bus.js';
import { L1Tier } from './l1/l1-tier.js';
import { BackgroundRefresher } from './engine/background-refresher.js';
import { CacheEngine } from './engine/cache.engine.js';
import { CircuitBreaker } from './engine/circuit-breaker.js';
import { EntryCodec } from './engine/entry-codec.js';
import { EntryPlan } from './engine/entry-plan.js';
import { Compression } from './serialization/compression.js';
import { EntryPlanner } from './engine/entry-planner.js';
import { GuardedStore } from './engine/guarded-store.js';
import { RateLimitedLogger } from './engine/rate-limited-logger.js';
import { ReadThrough } from './engine/read-through.js';
import { CacheEvictInterceptor } from './interceptors/cache-evict.interceptor.js';
import { CachePutInterceptor } from './interceptors/cache-put.interceptor.js';
import { CacheableInterceptor } from './interceptors/cacheable.interceptor.js';
import { InvocationPipeline } from './interceptors/invocation.pipeline.js';
import { CacheStatsRecorder } from './observability/cache-stats.js';
import { ResolvedCacheKitOptions } from './options/cachekit-options.interface.js';
import { RedisConnectionHolder } from './redis/redis-connection.js';
import { EntryStore } from './stores/entry-store.interface.js';
import { MemoryEntryStore } from './stores/memory-entry.store.js';
import { RedisEntryStore } from './stores/redis-entry.store.js';

// Clearing a whole cache scans the keyspace in batches; it gets more time than one command.
const CLEAR_DEADLINE_FACTOR = 50;
// An eviction's fence outlives any reasonable load; a fill finding no fence at all is refused anyway.
const FENCE_TTL_MS = 60_000;
// Tag versions live a week; an entry whose tag version expired reads as a miss (fails closed).
const TAG_TTL_MS = 7 * 86_400_000;

/** One app's cache machinery, wired once: store, engine, refresher, key planner and invocation pipeline. */
export class CacheKitRuntime implements BeforeApplicationShutdown {
  readonly engine: CacheEngine;
  readonly planner: EntryPlanner;
  readonly readThrough: ReadThrough;
  readonly refresher: BackgroundRefresher;
  readonly pipeline: InvocationPipeline;
  readonly clearDeadlineMs: number;
  #bus?: InvalidationBus;

  /** Builds the runtime and, with an L1 over Redis, connects its invalidation bus. */
  static async create(options: ResolvedCacheKitOptions, connection: RedisConnectionHolder): Promise<CacheKitRuntime> {
    const runtime = new CacheKitRuntime(options, connection);
    if (options.l1 && connection.client) {
      const bus = new InvalidationBus(
        connection.client,
        options.namespace,
        (what) => runtime.engine.applyInvalidation(what),
        () => runtime.engine.applyInvalidation({ prefix: '' }),
      );
      await bus.start();
      runtime.engine.attachBus(bus);
      runtime.#bus = bus;
    }
    return runtime;
  }

  private constructor(
    private readonly options: ResolvedCacheKitOptions,
    connection: RedisConnectionHolder,
  ) {
    const log = new RateLimitedLogger(new Logger('CacheKit'));
    const stats = new CacheStatsRecorder();
    const guarded = new GuardedStore(
      createStore(options, connection),
      options.operationTimeoutMs,
      new CircuitBreaker(options.breakerFailures, options.breakerCooldownMs),
      log,
    );
    const onSkip = (plan: EntryPlan, reason: string) => {
      stats.for(plan.name).skippedStores++;
      this.engine.emit({ type: 'store-skipped', name: plan.name, key: plan.key, reason });
    };
    // No entry this codec writes inflates past maxValueBytes; a payload that does is foreign or hostile.
    const compression = new Compression(options.compressMinBytes ?? Infinity, options.maxValueBytes);
    const codec = new EntryCodec(options.serializer, options.maxValueBytes, log, onSkip, compression);
    this.clearDeadlineMs = options.operationTimeoutMs * CLEAR_DEADLINE_FACTOR;
    this.engine = new CacheEngine(guarded, codec, stats, options.l1 && new L1Tier(options.l1));
    this.refresher = new BackgroundRefresher(this.engine, log);
    this.readThrough = new ReadThrough(this.engine, this.refresher);
    this.planner = new EntryPlanner(options.namespace, options.defaultTtlMs, options.jitter, options.singleFlight);
    this.pipeline = new InvocationPipeline(
      new CacheableInterceptor(this.readThrough, this.planner),
      new CachePutInterceptor(this.engine, this.planner),
      new CacheEvictInterceptor(this.engine, this.planner, this.clearDeadlineMs),
    );
  }

  /** Runs before the Redis connection closes: let background refreshes finish (bounded), then stop writing. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.refresher.drain(this.options.shutdownTimeoutMs);
    this.engine.close();
    await this.#bus?.stop();
  }
}

function createStore(options: ResolvedCacheKitOptions, connection: RedisConnectionHolder): EntryStore {
  if (!connection.client) return new MemoryEntryStore(options.memoryMaxEntries, FENCE_TTL_MS);
  return new RedisEntryStore(connection.client, {
    fenceTtlMs: FENCE_TTL_MS,
    tagTtlMs: Math.max(TAG_TTL_MS, options.defaultTtlMs),
  });
}
