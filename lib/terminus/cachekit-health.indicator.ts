import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { Cluster, Redis } from 'ioredis';
import { CacheKit } from '../cachekit.service.js';
import { CACHEKIT_REDIS } from '../index.js';
import { within } from '../timing/within.js';
import { terminusMessages } from './terminus.messages.js';
import type { ResolvedHealthOptions } from './terminus.options.js';

export const CACHEKIT_HEALTH_OPTIONS = Symbol('CACHEKIT_HEALTH_OPTIONS');

/** What the indicator reports besides its status. */
export interface CacheHealthDetails {
  [field: string]: unknown;
  store: string;
  reachable: boolean;
  /** PING round trip, ms (absent when it did not answer in time, or without Redis). */
  latencyMs?: number;
  breaker: { reads: 'open' | 'closed'; writes: 'open' | 'closed' };
  pendingEvictions: number;
  /** Over Redis: whether its invalidation bus is subscribed. */
  bus?: 'subscribed' | 'unsubscribed';
  /** Why the status is not up. */
  problems?: string[];
}

/**
 * A `@nestjs/terminus` indicator for readiness probes: store reachable (PING round trip), breaker
 * states, evictions waiting for a retry and the invalidation bus. A store outage reports `whenStoreDown`
 * (default 'degraded': the cache fails open, so pods stay in rotation).
 * @example () => this.cacheHealth.isHealthy()
 */
@Injectable()
export class CacheKitHealthIndicator {
  constructor(
    @Inject(CacheKit) private readonly cacheKit: CacheKit,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(CACHEKIT_HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    @Optional() @Inject(CACHEKIT_REDIS) private readonly redis?: Redis | Cluster,
  ) {}

  /** Checks the store now; the result is named after the `key` option (or the one given here). */
  async isHealthy(key: string = this.options.key): Promise<HealthIndicatorResult> {
    const details = await this.details();
    const session = this.indicators.check(key);
    if (!details.problems) return session.up(details);
    const status = this.options.whenStoreDown;
    return status === 'down'
      ? session.down(details)
      : status === 'degraded'
        ? session.degraded(details)
        : session.up(details);
  }

  /** The same facts as `isHealthy`, without a status (for a dashboard or a log line). */
  async details(): Promise<CacheHealthDetails> {
    const stats = this.cacheKit.storeStats();
    const problems: string[] = [];
    let reachable = true;
    let latencyMs: number | undefined;
    if (this.redis) {
      latencyMs = await this.#ping(this.redis);
      reachable = latencyMs !== undefined;
      if (!reachable) problems.push(terminusMessages.unreachable(this.options.timeoutMs));
    }
    for (const direction of ['reads', 'writes'] as const)
      if (stats.breaker[direction] === 'open') problems.push(terminusMessages.breakerOpen(direction));
    return {
      store: stats.kind,
      reachable,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      breaker: stats.breaker,
      pendingEvictions: stats.pendingEvictions,
      ...(stats.bus ? { bus: stats.bus } : {}),
      ...(problems.length > 0 ? { problems } : {}),
    };
  }

  // A frozen server keeps the socket open and never answers: only our own deadline ends the wait.
  async #ping(redis: Redis | Cluster): Promise<number | undefined> {
    const started = performance.now();
    const answered = await within(
      redis.ping().then(
        () => true,
        () => false,
      ),
      this.options.timeoutMs,
    );
    return answered ? Math.round((performance.now() - started) * 100) / 100 : undefined;
  }
}
