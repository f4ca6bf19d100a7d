import { LatencyHistogram } from './latency-histogram.js';
import type { CacheLatency } from './observability.interface.js';

/** Latency histograms of one cache name, one per outcome, fed by the read path. */
export class NameTimings {
  readonly l1Hit = new LatencyHistogram();
  readonly storeHit = new LatencyHistogram();
  readonly staleHit = new LatencyHistogram();
  readonly miss = new LatencyHistogram();
  readonly load = new LatencyHistogram();
  /** Time timed misses spent looking up before they loaded (what a miss costs on top of the origin). */
  missLookupMs = 0;
  /** Lookups so far, timed or not: one in `sampleEvery` is timed. */
  calls = 0;

  /**
   * Time callers spent in the cache (every hit, and the lookup part of every miss), estimated from
   * the timed lookups' means and the exact counts of each outcome.
   */
  spentMs(counts: { hits: number; staleHits: number; misses: number }): number {
    const hitCount = this.l1Hit.count + this.storeHit.count;
    const mean = (total: number, count: number) => (count === 0 ? 0 : total / count);
    return (
      counts.hits * mean(this.l1Hit.totalMs + this.storeHit.totalMs, hitCount) +
      counts.staleHits * mean(this.staleHit.totalMs, this.staleHit.count) +
      counts.misses * mean(this.missLookupMs, this.miss.count)
    );
  }

  summary(): CacheLatency {
    return {
      l1Hit: this.l1Hit.summary(),
      storeHit: this.storeHit.summary(),
      staleHit: this.staleHit.summary(),
      miss: this.miss.summary(),
      load: this.load.summary(),
    };
  }
}
