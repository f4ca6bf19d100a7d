import type { CacheKit } from '../cachekit.service.js';
import type { LookupOutcome } from '../observability/observability.interface.js';

const OUTCOMES: readonly LookupOutcome[] = ['l1_hit', 'store_hit', 'stale_hit', 'miss'];

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram of lookup durations by cache name and outcome, read at scrape time from
 * CacheKit's own fixed buckets (the hit path never touches prom-client). prom-client has no
 * histogram whose buckets can be set from outside, so this is a metric object of its own that the
 * registry reads through `get()`, as it reads its built-in metrics.
 */
export class LookupDurationMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly help =
    'Duration of cache lookups as callers see them, by outcome: l1_hit, store_hit, stale_hit, ' +
    'miss (lookup, load or waiting for a running one, and fill).';

  constructor(
    readonly name: string,
    private readonly cacheKit: CacheKit,
    private readonly bucketsSeconds: readonly number[],
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const { boundsMs, caches } = this.cacheKit.latencyBuckets();
    const values: Sample[] = [];
    for (const [cache, byOutcome] of Object.entries(caches)) {
      for (const outcome of OUTCOMES) {
        const { counts, count, totalMs } = byOutcome[outcome];
        if (count === 0) continue;
        // A bound between two of CacheKit's counts the observations up to the one below it: never more than le.
        let index = 0;
        let cumulative = 0;
        for (const le of this.bucketsSeconds) {
          const limitMs = le * 1000 * (1 + 1e-9);
          while (index < boundsMs.length && boundsMs[index]! <= limitMs) cumulative += counts[index++]!;
          values.push({ labels: { le, cache, outcome }, value: cumulative, metricName: `${this.name}_bucket` });
        }
        values.push({ labels: { le: '+Inf', cache, outcome }, value: count, metricName: `${this.name}_bucket` });
        values.push({ labels: { cache, outcome }, value: totalMs / 1000, metricName: `${this.name}_sum` });
        values.push({ labels: { cache, outcome }, value: count, metricName: `${this.name}_count` });
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
