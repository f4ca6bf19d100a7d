import type { LatencySummary } from './observability.interface.js';

// Ten steps per decade (the 1-2.5-5 series of Prometheus' defaults among them), from 1 µs to 75 s:
// percentiles within one step (under 25%), and bucket bounds a Prometheus histogram can share.
const STEPS = [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5];
const FIRST_DECADE = -3; // 0.001 ms
const DECADES = 8;

/** Upper bounds of the buckets, in ms, increasing; one more bucket holds what lies beyond the last. */
export const LATENCY_BOUNDS_MS: Float64Array = Float64Array.from({ length: DECADES * STEPS.length }, (_, i) =>
  Number((STEPS[i % STEPS.length]! * 10 ** (FIRST_DECADE + Math.floor(i / STEPS.length))).toPrecision(3)),
);

/**
 * Durations in fixed log-scale buckets: observing is a binary search over 80 bounds and two
 * additions, with no allocation, so the hit path can afford it.
 */
export class LatencyHistogram {
  /** Observations per bucket; index `LATENCY_BOUNDS_MS.length` holds the ones past the last bound. */
  readonly counts = new Float64Array(LATENCY_BOUNDS_MS.length + 1);
  count = 0;
  totalMs = 0;
  maxMs = 0;

  observe(ms: number): void {
    let low = 0;
    let high = LATENCY_BOUNDS_MS.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (LATENCY_BOUNDS_MS[mid]! < ms) low = mid + 1;
      else high = mid;
    }
    this.counts[low]!++;
    this.count++;
    this.totalMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Observations of at most `boundMs`, exact when `boundMs` is one of `LATENCY_BOUNDS_MS`. */
  countAtMost(boundMs: number): number {
    let sum = 0;
    for (let i = 0; i < LATENCY_BOUNDS_MS.length && LATENCY_BOUNDS_MS[i]! <= boundMs; i++) sum += this.counts[i]!;
    return sum;
  }

  /** The `q` quantile (0..1): the upper bound of the bucket it falls in, capped at the largest observation. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i < LATENCY_BOUNDS_MS.length ? Math.min(LATENCY_BOUNDS_MS[i]!, this.maxMs) : this.maxMs;
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      totalMs: this.totalMs,
      meanMs: this.count === 0 ? 0 : this.totalMs / this.count,
      p50Ms: this.quantile(0.5),
      p95Ms: this.quantile(0.95),
      p99Ms: this.quantile(0.99),
      maxMs: this.maxMs,
    };
  }
}
