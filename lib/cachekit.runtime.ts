import { Logger } from '@nestjs/common';
import { CacheEngine } from './engine/cache.engine.js';
import { CircuitBreaker } from './engine/circuit-breaker.js';
import { EntryPlanner } from './engine/entry-planner.js';
import { GuardedStore } from './engine/guarded-store.js';
import { RateLimitedLogger } from './engine/rate-limited-logger.js';
import { CacheEvictInterceptor } from './interceptors/cache-evict.interceptor.js';
import { CachePutInterceptor } from './interceptors/cache-put.interceptor.js';
import { CacheableInterceptor } from './interceptors/cacheable.interceptor.js';
import { InvocationPipeline } from './interceptors/invocation.pipeline.js';
import { CacheStatsRecorder } from './observability/cache-stats.js';
import { ResolvedCacheKitOptions } from './options/cachekit-options.interface.js';
import { RedisConnectionHolder } from './redis/redis-connection.js';
import { MemoryEntryStore } from './stores/memory-entry.store.js';
import { RedisEntryStore } from './stores/redis-entry.store.js';

// Clearing a whole cache scans the keyspace in batches; it gets more time than one command.
const CLEAR_DEADLINE_FACTOR = 50;
// An eviction's fence outlives any reasonable load; a fill finding no fence at all is refused anyway.
const FENCE_TTL_MS = 60_000;
// Tag versions live a week; an entry whose tag version expired reads as a miss (fails closed).
const TAG_TTL_MS = 7 * 86_400_000;

/** One app's cache machinery, wired once: store, engine, key planner and invocation pipeline. */
export class CacheKitRuntime {
  readonly engine: CacheEngine;
  readonly planner: EntryPlanner;
  readonly pipeline: InvocationPipeline;
  readonly clearDeadlineMs: number;

  constructor(options: ResolvedCacheKitOptions, connection: RedisConnectionHolder) {
    const log = new RateLimitedLogger(new Logger('CacheKit'));
    const store = connection.client
      ? new RedisEntryStore(connection.client, {
          fenceTtlMs: FENCE_TTL_MS,
          tagTtlMs: Math.max(TAG_TTL_MS, options.defaultTtlMs),
        })
      : new MemoryEntryStore(options.memoryMaxEntries, FENCE_TTL_MS);
    const guarded = new GuardedStore(
      store,
      options.operationTimeoutMs,
      new CircuitBreaker(options.breakerFailures, options.breakerCooldownMs),
      log,
    );
    this.clearDeadlineMs = options.operationTimeoutMs * CLEAR_DEADLINE_FACTOR;
    this.engine = new CacheEngine(guarded, options.serializer, options.maxValueBytes, new CacheStatsRecorder(), log);
    this.planner = new EntryPlanner(options.namespace, options.defaultTtlMs, options.jitter);
    this.pipeline = new InvocationPipeline(
      new CacheableInterceptor(this.engine, this.planner),
      new CachePutInterceptor(this.engine, this.planner),
      new CacheEvictInterceptor(this.engine, this.planner, this.clearDeadlineMs),
    );
  }
}
