import { CacheStats } from './cache-event.interface.js';

/** Per-name counters; plain numbers so the hit path stays a property increment. */
export class CacheStatsRecorder {
  readonly #byName = new Map<string, CacheStats>();

  for(name: string): CacheStats {
    let stats = this.#byName.get(name);
    if (!stats) {
      stats = {
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
      };
      this.#byName.set(name, stats);
    }
    return stats;
  }

  snapshot(): Record<string, CacheStats & { hitRatio: number }> {
    const out: Record<string, CacheStats & { hitRatio: number }> = {};
    for (const [name, stats] of this.#byName) {
      const reads = stats.hits + stats.staleHits + stats.misses;
      out[name] = { ...stats, hitRatio: reads === 0 ? 0 : (stats.hits + stats.staleHits) / reads };
    }
    return out;
  }
}
