import { Counter, Gauge } from 'prom-client';
import type { CacheKit } from '../cachekit.service.js';

/** The store's health, read from `CacheKit.storeStats()` at scrape time. */
export function storeMetrics(prefix: string, cacheKit: CacheKit): (Counter<string> | Gauge<string>)[] {
  return [
    new Counter({
      name: `${prefix}store_failures_total`,
      help: "Store calls that failed ('error') or got no answer in time ('timeout'), by direction.",
      labelNames: ['direction', 'kind'],
      registers: [],
      collect(this: Counter<string>) {
        this.reset();
        const { reads, writes } = cacheKit.storeStats();
        for (const [direction, counts] of [
          ['read', reads],
          ['write', writes],
        ] as const) {
          this.inc({ direction, kind: 'error' }, counts.failures);
          this.inc({ direction, kind: 'timeout' }, counts.timeouts);
        }
      },
    }),
    new Gauge({
      name: `${prefix}store_breaker_open`,
      help: '1 while the store is skipped for reads or writes (reads are skipped too while writes are).',
      labelNames: ['direction'],
      registers: [],
      collect(this: Gauge<string>) {
        const { breaker } = cacheKit.storeStats();
        this.set({ direction: 'read' }, breaker.reads === 'open' ? 1 : 0);
        this.set({ direction: 'write' }, breaker.writes === 'open' ? 1 : 0);
      },
    }),
    new Gauge({
      name: `${prefix}store_pending_evictions`,
      help: 'Entries and tags whose eviction waits for a retry (not served from the cache meanwhile).',
      registers: [],
      collect(this: Gauge<string>) {
        this.set(cacheKit.storeStats().pendingEvictions);
      },
    }),
    // With `maxInFlight` only; without it no series are exported.
    new Gauge({
      name: `${prefix}store_calls`,
      help: "Store calls in flight ('in_flight') and waiting for a slot ('queued') under maxInFlight.",
      labelNames: ['state'],
      registers: [],
      collect(this: Gauge<string>) {
        this.reset();
        const { admission } = cacheKit.storeStats();
        if (!admission) return;
        this.set({ state: 'in_flight' }, admission.inFlight);
        this.set({ state: 'queued' }, admission.queued);
      },
    }),
    new Counter({
      name: `${prefix}store_calls_not_sent_total`,
      help: "Store calls never sent under maxInFlight: waited past their deadline ('gave_up') or skipped when a breaker opened ('dropped').",
      labelNames: ['reason'],
      registers: [],
      collect(this: Counter<string>) {
        this.reset();
        const { admission } = cacheKit.storeStats();
        if (!admission) return;
        this.inc({ reason: 'gave_up' }, admission.gaveUp);
        this.inc({ reason: 'dropped' }, admission.dropped);
      },
    }),
    new Counter({
      name: `${prefix}store_dropped_evictions_total`,
      help: 'Evictions given up (retry queue full, or shutdown): those entries lived until their TTL.',
      registers: [],
      collect(this: Counter<string>) {
        this.reset();
        this.inc(cacheKit.storeStats().droppedEvictions);
      },
    }),
  ];
}
