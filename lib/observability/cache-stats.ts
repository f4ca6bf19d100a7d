import { CacheStats } from './cache-event.interface.js';
import { AuditFindings } from './audit-findings.js';
import { EvictionCause, EvictionCounts, noEvictions } from './eviction-causes.js';
import { NameTimings } from './name-timings.js';
import { LATENCY_BOUNDS_MS, LatencyHistogram } from './latency-histogram.js';
import type { CacheNameStats, HistogramBuckets, LatencyBuckets } from './observability.interface.js';

/** Everything recorded about one cache name. */
export interface NameRecord {
  readonly counters: CacheStats;
  readonly timings: NameTimings;
  readonly evictions: EvictionCounts;
  /** Of `evictions.orm`, how many were keys (the rest were tags). */
  ormKeys: number;
  readonly audit: AuditFindings;
}

/** Per-name counters and latency histograms; plain numbers so the hit path stays a property increment. */
export class CacheStatsRecorder {
  readonly #byName = new Map<string, NameRecord>();
  #lastName: string | undefined;
  #lastRecord: NameRecord | undefined;

  for(name: string): CacheStats {
    return this.record(name).counters;
  }

  /** The latency histograms of a cache name. */
  timings(name: string): NameTimings {
    return this.record(name).timings;
  }

  /** Counts `count` confirmed evictions of a cache name (or '~tags') by cause; `orm` when the ORM bridge asked. */
  evicted(name: string, cause: EvictionCause, count: number, orm: boolean): void {
    const record = this.record(name);
    record.evictions[cause] += count;
    if (!orm) return;
    record.evictions.orm += count;
    if (cause === 'key') record.ormKeys += count;
  }

  record(name: string): NameRecord {
    // A hit looks its name up two or three times: the last one answers without a Map lookup.
    if (name === this.#lastName) return this.#lastRecord!;
    let record = this.#byName.get(name);
    if (!record) {
      record = {
        counters: {
          hits: 0,
          staleHits: 0,
          misses: 0,
          joins: 0,
          loads: 0,
          loadErrors: 0,
          refreshes: 0,
          refreshErrors: 0,
          skippedStores: 0,
          failSafeHits: 0,
          outageHits: 0,
          evictions: 0,
          storeErrors: 0,
        },
        timings: new NameTimings(),
        evictions: noEvictions(),
        ormKeys: 0,
        audit: new AuditFindings(),
      };
      this.#byName.set(name, record);
    }
    this.#lastName = name;
    this.#lastRecord = record;
    return record;
  }

  /** Every cache name seen so far. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Copies of the raw histograms, for exporters (Prometheus). */
  buckets(): LatencyBuckets {
    const caches: LatencyBuckets['caches'] = {};
    const raw = (histogram: LatencyHistogram): HistogramBuckets => ({
      count: histogram.count,
      totalMs: histogram.totalMs,
      counts: Array.from(histogram.counts),
    });
    for (const [name, { timings }] of this.#byName) {
      caches[name] = {
        l1_hit: raw(timings.l1Hit),
        store_hit: raw(timings.storeHit),
        stale_hit: raw(timings.staleHit),
        miss: raw(timings.miss),
        load: raw(timings.load),
      };
    }
    return { boundsMs: Array.from(LATENCY_BOUNDS_MS), caches };
  }

  snapshot(): Record<string, CacheNameStats> {
    const out: Record<string, CacheNameStats> = {};
    for (const [name, { counters, timings, audit, evictions, ormKeys }] of this.#byName) {
      const reads = counters.hits + counters.staleHits + counters.misses;
      out[name] = {
        ...counters,
        hitRatio: reads === 0 ? 0 : (counters.hits + counters.staleHits) / reads,
        latency: timings.summary(),
        audit: audit.snapshot(),
        // A partition (the causes add up to `evictions`), as a Prometheus label wants it.
        evictionsByCause: {
          key: evictions.key - ormKeys,
          name: evictions.name,
          tag: evictions.tag - (evictions.orm - ormKeys),
          orm: evictions.orm,
        },
      };
    }
    return out;
  }
}
