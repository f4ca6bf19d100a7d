import { LatencyHistogram } from './latency-histogram.js';
import type { CacheLatency } from './observability.interface.js';

/** Latency histograms of one cache name, one per outcome, fed by the read path. */
export class NameTimings {
  readonly l1Hit = new LatencyHistogram();
  readonly storeHit = new LatencyHistogram();
  readonly staleHit = new LatencyHistogram();
  readonly miss = new LatencyHistogram();
  readonly load = new LatencyHistogram();
  /** Time misses spent looking up before they loaded (what a miss costs on top of the origin). */
  missLookupMs = 0;

  /** Time callers spent in the cache: every hit, and the lookup part of every miss. */
  get spentMs(): number {
    return this.l1Hit.totalMs + this.storeHit.totalMs + this.staleHit.totalMs + this.missLookupMs;
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
