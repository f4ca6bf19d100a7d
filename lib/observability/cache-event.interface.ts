/** Something the cache did, published on `CacheKit.events$`. */
export interface CacheEvent {
  type:
    | 'hit'
    | 'stale-hit'
    | 'miss'
    | 'load'
    | 'load-error'
    | 'refresh-start'
    | 'refresh-success'
    | 'refresh-error'
    | 'store-skipped'
    | 'store-error'
    | 'evict'
    | 'fail-safe';
  /** Cache name (or '~raw' for raw keys, '~tags' for tag evictions, '~store' for store errors). */
  name: string;
  key?: string;
  /** Duration of the load or refresh, for 'load', 'load-error', 'refresh-success' and 'refresh-error'. */
  durationMs?: number;
  /** Why a value was not stored ('store-skipped'), why the last good value answered ('fail-safe': the load's error or timeout), a refresh failed ('refresh-error') or a store call failed ('store-error'). */
  reason?: string;
  /** The store call that failed ('store-error'): 'read', 'fill', 'invalidate', ... */
  operation?: string;
  /** Why it failed ('store-error'): a Redis error code such as 'READONLY', 'OOM', 'NOAUTH', or 'TIMEOUT', 'CONNECTION', 'ERROR'. */
  cause?: string;
}

/** Counters per cache name, from `CacheKit.stats()`. */
export interface CacheStats {
  hits: number;
  staleHits: number;
  /** Lookups that found nothing usable, including callers that joined a load already running. */
  misses: number;
  /** Of the misses, callers that waited for a load another caller started (single-flight). */
  joins: number;
  loads: number;
  loadErrors: number;
  refreshes: number;
  refreshErrors: number;
  skippedStores: number;
  /** Callers answered with the last good value because the load failed or timed out (`failSafe`). */
  failSafeHits: number;
  /** Calls answered from the in-process outage fallback while the store was unavailable (`outageFallback`). */
  outageHits: number;
  /** Entries, tags (under '~tags') and whole-cache clears the store confirmed evicting. */
  evictions: number;
  /** Calls for this cache that could not use the store (failed, timed out, breaker open, eviction pending). */
  storeErrors: number;
}

/** The store's health, from `CacheKit.storeStats()`. */
export interface StoreStats {
  /** 'redis' or 'memory'. */
  kind: string;
  reads: { failures: number; timeouts: number };
  writes: { failures: number; timeouts: number };
  /** 'open' while the store is skipped for reads or writes (reads are skipped too while writes are). */
  breaker: { reads: 'open' | 'closed'; writes: 'open' | 'closed' };
  /** Entries and tags whose eviction waits for a retry; they are not served from the cache meanwhile. */
  pendingEvictions: number;
  /** Evictions given up (retry queue full, or shutdown): those entries lived until their TTL. */
  droppedEvictions: number;
  /**
   * With `maxInFlight` set: store calls in flight and waiting for a slot now, and since boot, how
   * many waited past their patience (their callers went to the origin: not store failures) or were
   * dropped when a breaker opened. Absent without the option.
   */
  admission?: { maxInFlight: number; inFlight: number; queued: number; gaveUp: number; dropped: number };
  /** Over Redis: whether the invalidation bus is subscribed right now; absent without Redis. */
  bus?: 'subscribed' | 'unsubscribed';
  /** The last failure, with its cause. */
  lastFailure?: { operation: string; cause: string; message: string; at: string };
}
