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
    | 'evict';
  /** Cache name (or '~raw' for raw keys, or '~tags'). */
  name: string;
  key?: string;
  /** Duration of the load or refresh, for 'load', 'load-error', 'refresh-success' and 'refresh-error'. */
  durationMs?: number;
  /** Why a value was not stored ('store-skipped') or a refresh failed ('refresh-error'). */
  reason?: string;
}

/** Counters per cache name, from `CacheKit.stats()`. */
export interface CacheStats {
  hits: number;
  staleHits: number;
  misses: number;
  loads: number;
  loadErrors: number;
  refreshes: number;
  refreshErrors: number;
  skippedStores: number;
  evictions: number;
}
