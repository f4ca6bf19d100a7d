import type { Duration } from '../definitions/duration.js';
import type { CacheStats } from './cache-event.interface.js';
import type { EvictionCounts } from './eviction-causes.js';

// The shapes `CacheKit.stats()` and `CacheKit.report()` return. Other tools (the CLI, the live page,
// health, OpenTelemetry) read them, so fields are only ever added, never renamed.

/** Durations of one outcome of one cache name since boot, in milliseconds (0 while `count` is 0). */
export interface LatencySummary {
  count: number;
  /** Sum of every observed duration. */
  totalMs: number;
  meanMs: number;
  /** Percentiles, read from fixed log-scale buckets: exact to within one bucket (under 25%). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Latency by outcome of one cache name. @example stats().product.latency.storeHit.p99Ms */
export interface CacheLatency {
  /** Hits served by the in-process L1 tier. */
  l1Hit: LatencySummary;
  /** Hits served by the store (Redis, or the embedded memory store). */
  storeHit: LatencySummary;
  /** Stale values served while a background refresh runs (either tier). */
  staleHit: LatencySummary;
  /** Calls that missed: lookup, load (or waiting for a running one) and fill. */
  miss: LatencySummary;
  /** Every successful loader call (misses and background refreshes alike). */
  load: LatencySummary;
}

/** What the staleness audit (shadow reads) found for one cache name. */
export interface AuditStats {
  /** Shadow reads that compared a cached value with a fresh one. */
  checks: number;
  /** Cached values that differed from the origin, and still did after the grace period. */
  mismatches: number;
  /** Sampled hits not checked: over `maxPerSecond` or `concurrency`, or the shadow load failed. */
  skipped: number;
  /** Comparisons that differed, but the entry changed or went away within the grace period (no finding). */
  inconclusive: number;
  /** The latest mismatches (at most 20), newest last. */
  recent: AuditMismatch[];
}

/** One cached value the origin disagreed with. The key is hashed: it can hold personal data. */
export interface AuditMismatch {
  /** First 16 hex digits of the SHA-256 of the entry's store key. */
  keyHash: string;
  /** How old the entry was when it was served: since its write to the store (L1 hits too). */
  ageMs?: number;
  /** The entry's tags, as the definition's `tags` function returned them. */
  tags: readonly string[];
  /** ISO time of the finding. */
  at: string;
}

/** The result of `CacheKit.report()`: does each cache earn its keep? */
export interface CacheReport {
  generatedAt: string;
  /** The window asked for, and how much of it the process has lived through. */
  window: { ms: number; coveredMs: number };
  store: StoreSample;
  /** Evictions over the window that span cache names: tags (of which through the ORM bridge). */
  evictions: { tags: number; ormTags: number };
  caches: Record<string, CacheNameReport>;
}

/** What a bounded look at the store saw (Redis: a SCAN of every master; the memory store: its entries in place). */
export interface StoreSample {
  kind: string;
  /** False for a store that cannot be sampled, or when sampling failed (see `note`). */
  sampled: boolean;
  /** Keys looked at by SCAN, over every master. */
  scannedKeys: number;
  /** True when SCAN went through every key (counts are exact); false: counts are extrapolated. */
  complete: boolean;
  masters: number;
  durationMs: number;
  /** Redis `evicted_keys` (INFO stats) summed over masters: keys Redis dropped for memory, since it started. */
  redisEvictedKeys?: number;
  note?: string;
}

/** The report of one cache name over the window. */
export interface CacheNameReport {
  lookups: number;
  hits: number;
  staleHits: number;
  misses: number;
  loads: number;
  /** (hits + stale hits) / lookups; 0 without lookups. */
  hitRatio: number;
  /** Mean loader time over the window (since boot when no load ran in it); undefined: never loaded. */
  meanLoadMs?: number;
  /** Origin time the hits saved: (hits + stale hits) x meanLoadMs. */
  savedMs?: number;
  /** Time callers spent in the cache: hit lookups plus the lookup part of misses. */
  spentMs: number;
  /** Mean duration of a store hit over the window (a round trip plus decoding). */
  meanStoreHitMs?: number;
  /** Entries of this name in the store, their bytes and TTLs, from the sample. */
  store?: NameStoreSample;
  /** Evictions over the window that name this cache: by key, whole-cache clears, keys from the ORM bridge. */
  evictions: { key: number; name: number; orm: number };
  audit: AuditStats;
  verdict: CacheVerdict;
}

/** Entries of one cache name in the store. */
export interface NameStoreSample {
  /** Counted (exact when the scan was complete) or extrapolated from the part scanned. */
  entries: number;
  /** entries x the mean `MEMORY USAGE` of the sampled keys. */
  bytes: number;
  /** Keys whose `MEMORY USAGE` and `PTTL` were read. */
  sampledKeys: number;
  /** Remaining TTL of the sampled keys: bucket counts and quantiles, in ms. */
  ttl: {
    under1m: number;
    under10m: number;
    under1h: number;
    under1d: number;
    longer: number;
    p50Ms: number;
    maxMs: number;
  };
}

/** Whether a cache earns its keep, and why, in one sentence. */
export interface CacheVerdict {
  kind: 'pays' | 'costs' | 'idle' | 'unknown';
  reason: string;
}

/** Options of `CacheKit.report()`. */
export interface ReportOptions {
  /** Look at the store (SCAN + MEMORY USAGE + PTTL). Default: true. */
  sampleStore?: boolean;
  /** Keys SCAN may look at per master. Default: 10000. */
  maxScannedKeys?: number;
  /** Keys per cache name whose size and TTL are read. Default: 50. */
  sampleKeys?: number;
  /** Time budget of the whole store sample, ms. Default: 500. */
  timeBudgetMs?: number;
}

/** Settings of the staleness audit (shadow reads), on a definition or module-wide (`audit` option). */
export interface AuditOptions {
  /** Fraction of hits re-checked against the origin, 0 to 1. @example 0.01 */
  sampleRate: number;
  /** At most this many shadow reads start per second per cache name. Default: 10. */
  maxPerSecond?: number;
  /** At most this many shadow reads run at once per cache name. Default: 2. */
  concurrency?: number;
  /**
   * A difference counts as a mismatch only when the cache still serves the old value this long
   * after the shadow read (an eviction in flight is not a finding). Default: '1s'.
   */
  grace?: Duration;
}

/** One cache name in `CacheKit.stats()`: the counters, the hit ratio, latency by outcome and the audit. */
export type CacheNameStats = CacheStats & {
  hitRatio: number;
  latency: CacheLatency;
  audit: AuditStats;
  /**
   * Of `evictions`, since boot, by who asked: keys, whole-cache clears, tags (under '~tags') and what
   * the ORM bridge asked for (keys, or tags under '~tags'; counted there and not under key or tag).
   * @example stats().product.evictionsByCause.orm
   */
  evictionsByCause: EvictionCounts;
};

/** The outcomes of a lookup, as labelled in `CacheKit.latencyBuckets()` and Prometheus. */
export type LookupOutcome = 'l1_hit' | 'store_hit' | 'stale_hit' | 'miss';

/** Raw buckets of one histogram: `counts[i]` observations of at most `boundsMs[i]` (and above the previous bound); the last count is past every bound. */
export interface HistogramBuckets {
  count: number;
  totalMs: number;
  counts: number[];
}

/** Raw latency histograms per cache name and outcome (for exporters), with the shared bucket bounds. */
export interface LatencyBuckets {
  /** Upper bounds of the buckets, ms: ten per decade from 0.001 ms to 75 s. */
  boundsMs: readonly number[];
  caches: Record<string, Record<LookupOutcome | 'load', HistogramBuckets>>;
}
