import { Logger } from '@nestjs/common';
import { CacheEngine, EntryPlan } from '../../lib/engine/cache.engine.js';
import { CircuitBreaker } from '../../lib/engine/circuit-breaker.js';
import { GuardedStore } from '../../lib/engine/guarded-store.js';
import { RateLimitedLogger } from '../../lib/engine/rate-limited-logger.js';
import { CacheStatsRecorder } from '../../lib/observability/cache-stats.js';
import { v8Serializer } from '../../lib/serialization/v8.serializer.js';
import { EntryStore } from '../../lib/stores/entry-store.interface.js';

/** An engine over any store, for tests that drive the read/write path directly. */
export function engineOver(store: EntryStore, deadlineMs = 1_000): CacheEngine {
  const log = new RateLimitedLogger(new Logger('CacheKitTest'));
  return new CacheEngine(
    new GuardedStore(store, deadlineMs, new CircuitBreaker(1_000, 1_000), log),
    v8Serializer,
    1024 * 1024,
    new CacheStatsRecorder(),
    log,
  );
}

export function planFor(key: string, tags: string[] = []): EntryPlan {
  return { key, tags, name: 'race', where: 'RaceTest#read', ttlMs: 60_000, jitter: 0 };
}
