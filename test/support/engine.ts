import { Logger } from '@nestjs/common';
import { BackgroundRefresher } from '../../lib/engine/loading/background-refresher.js';
import { CacheEngine } from '../../lib/engine/cache.engine.js';
import { CircuitBreaker } from '../../lib/engine/store-guard/circuit-breaker.js';
import { EntryCodec } from '../../lib/engine/entry/entry-codec.js';
import { EntryPlan } from '../../lib/engine/entry/entry-plan.js';
import { EvictionRetries } from '../../lib/engine/eviction/eviction-retries.js';
import { GuardedStore } from '../../lib/engine/store-guard/guarded-store.js';
import { RateLimitedLogger } from '../../lib/observability/rate-limited-logger.js';
import { ReadThrough } from '../../lib/engine/loading/read-through.js';
import { CacheStatsRecorder } from '../../lib/observability/cache-stats.js';
import { Compression } from '../../lib/serialization/compression.js';
import { v8Serializer } from '../../lib/serialization/v8.serializer.js';
import { EntryStore } from '../../lib/stores/entry-store.interface.js';

/** The engine over any store, for tests that drive the read/write path directly. */
export class TestCache {
  readonly engine: CacheEngine;
  readonly store: GuardedStore;
  readonly stats = new CacheStatsRecorder();
  readonly refresher: BackgroundRefresher;
  readonly #readThrough: ReadThrough;

  constructor(store: EntryStore, deadlineMs: number) {
    const log = new RateLimitedLogger(new Logger('CacheKitTest'));
    const stats = this.stats;
    const codec = new EntryCodec(v8Serializer, 1024 * 1024, log, () => undefined, new Compression(Infinity, 1 << 26));
    const breaker = () => new CircuitBreaker(1_000, 1_000);
    const guarded = (this.store = new GuardedStore(store, deadlineMs, { reads: breaker(), writes: breaker() }, log, {
      failed: () => undefined,
      recovered: () => undefined,
    }));
    const retries = new EvictionRetries(guarded, { initialDelayMs: 50, maxDelayMs: 500, maxTargets: 10_000 }, log);
    this.engine = new CacheEngine(guarded, codec, stats, retries);
    this.refresher = new BackgroundRefresher(this.engine, guarded, stats, log);
    this.#readThrough = new ReadThrough(this.engine, this.refresher, stats);
  }

  getOrLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    return this.#readThrough.getOrLoad(plan, load);
  }

  async read(plan: EntryPlan): Promise<{ hit: true; value: unknown } | { hit: false }> {
    const result = await this.engine.read(plan);
    return result.hit ? { hit: true, value: result.value } : { hit: false };
  }

  evict(name: string, keys: string[]): Promise<boolean> {
    return this.engine.evictor.evict(name, keys);
  }

  evictTags(tags: string[]): Promise<boolean> {
    return this.engine.evictor.evictTags(tags);
  }
}

export function engineOver(store: EntryStore, deadlineMs = 1_000): TestCache {
  return new TestCache(store, deadlineMs);
}

export function planFor(key: string, tags: string[] = [], extra: Partial<EntryPlan> = {}): EntryPlan {
  return { key, tags, name: 'race', where: 'RaceTest#read', ttlMs: 60_000, jitter: 0, ...extra };
}
