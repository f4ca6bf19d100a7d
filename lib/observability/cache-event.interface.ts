/** Something the cache did, published on `CacheKit.events$`. */
export interface CacheEvent {
  type: 'hit' | 'miss' | 'load' | 'load-error' | 'store-skipped' | 'evict';
  /** Cache name (or '~raw' for raw keys, or '~tags'). */
  name: string;
  key?: string;
  /** Load duration for 'load' and 'load-error'. */
  durationMs?: number;
  /** Why a value was not stored, for 'store-skipped'. */
  reason?: string;
}

/** Counters per cache name, from `CacheKit.stats()`. */
export interface CacheStats {
  hits: number;
  misses: number;
  loads: number;
  loadErrors: number;
  skippedStores: number;
  evictions: number;
}
