import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, register as globalRegister } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { CacheKit } from '../cachekit.service.js';
import type { CacheEvent, CacheStats } from '../observability/cache-event.interface.js';
import { CacheKitPrometheusError } from './prometheus.errors.js';
import { resolveOptions } from './prometheus-options.resolver.js';
import { prometheusMessages } from './prometheus.messages.js';
import type { CacheKitPrometheusModuleOptions } from './prometheus.options.js';
import { LookupDurationMetric } from './lookup-duration.metric.js';
import { storeMetrics } from './store-metrics.js';

export const CACHEKIT_PROMETHEUS_OPTIONS = Symbol('CACHEKIT_PROMETHEUS_OPTIONS');

/** The counters read from `CacheKit.stats()` at scrape time: metric name (after the prefix), field, help. */
const COUNTERS: readonly [string, keyof CacheStats, string][] = [
  ['hits_total', 'hits', 'Reads served from the cache (fresh values).'],
  ['stale_hits_total', 'staleHits', 'Reads served a stale value while it is refreshed in the background.'],
  ['misses_total', 'misses', 'Reads that found no usable value, including callers that joined a running load.'],
  ['joins_total', 'joins', 'Of the misses, callers that waited for a load another caller started (single-flight).'],
  ['loads_total', 'loads', 'Loader calls that succeeded.'],
  ['load_errors_total', 'loadErrors', 'Loader calls that threw or rejected.'],
  ['refreshes_total', 'refreshes', 'Background refreshes started.'],
  ['refresh_errors_total', 'refreshErrors', 'Background refreshes that failed.'],
  [
    'store_errors_total',
    'storeErrors',
    'Calls that could not use the store (failed, timed out, breaker open, eviction pending).',
  ],
  [
    'skipped_stores_total',
    'skippedStores',
    'Loaded values that were not stored (too large, fenced, store failed, ...).',
  ],
];

/**
 * Registers the CacheKit metrics on a prom-client registry while the module lives. Counters are
 * read from `CacheKit.stats()` when the registry is scraped (the hit path pays nothing for them);
 * the duration histograms are fed from `CacheKit.events$`.
 */
@Injectable()
export class CacheKitPrometheusMetrics implements OnModuleInit, OnModuleDestroy {
  readonly registry: Registry;
  readonly #metrics: (Counter<string> | Gauge<string> | Histogram<'cache' | 'outcome'> | LookupDurationMetric)[];
  readonly #loads: Histogram<'cache' | 'outcome'>;
  readonly #refreshes: Histogram<'cache' | 'outcome'>;
  #subscription?: Subscription;

  constructor(
    @Inject(CacheKit) private readonly cacheKit: CacheKit,
    @Inject(CACHEKIT_PROMETHEUS_OPTIONS) options: CacheKitPrometheusModuleOptions,
  ) {
    this.registry = options.registry ?? globalRegister;
    const { prefix, buckets, latencyBuckets } = resolveOptions(options);

    const counters = COUNTERS.map(([name, field, help]) => this.#counter(`${prefix}${name}`, field, help));
    this.#loads = new Histogram({
      name: `${prefix}load_duration_seconds`,
      help: 'Duration of every loader call (misses, early and background refreshes), by outcome.',
      labelNames: ['cache', 'outcome'],
      buckets,
      registers: [],
    });
    this.#refreshes = new Histogram({
      name: `${prefix}refresh_duration_seconds`,
      help: 'Duration of background (stale-while-revalidate) refreshes, loader and store included, by outcome.',
      labelNames: ['cache', 'outcome'],
      buckets,
      registers: [],
    });
    this.#metrics = [
      ...counters,
      this.#evictions(`${prefix}evictions_total`),
      ...storeMetrics(prefix, cacheKit),
      ...this.#auditMetrics(prefix),
      this.#loads,
      this.#refreshes,
      new LookupDurationMetric(`${prefix}lookup_duration_seconds`, cacheKit, latencyBuckets),
    ];
  }

  onModuleInit(): void {
    // All or nothing: a clash leaves the registry as it was.
    for (const metric of this.#metrics) {
      const name = metricName(metric);
      if (this.registry.getSingleMetric(name))
        throw new CacheKitPrometheusError(prometheusMessages.metricAlreadyRegistered(name));
    }
    // The lookup histogram is no prom-client class, but offers what the registry reads (name, get()).
    for (const metric of this.#metrics) this.registry.registerMetric(metric as Counter<string>);
    this.#subscription = this.cacheKit.events$.subscribe((event) => this.#observe(event));
  }

  onModuleDestroy(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    for (const metric of this.#metrics) {
      const name = metricName(metric);
      if (this.registry.getSingleMetric(name) === metric) this.registry.removeSingleMetric(name);
    }
  }

  #observe(event: CacheEvent): void {
    switch (event.type) {
      case 'load':
        return this.#loads.observe({ cache: event.name, outcome: 'success' }, seconds(event));
      case 'load-error':
        return this.#loads.observe({ cache: event.name, outcome: 'error' }, seconds(event));
      case 'refresh-success':
        return this.#refreshes.observe({ cache: event.name, outcome: 'success' }, seconds(event));
      case 'refresh-error':
        return this.#refreshes.observe({ cache: event.name, outcome: 'error' }, seconds(event));
      default:
        return;
    }
  }

  // What the staleness audit found, read from `CacheKit.stats()` at scrape time.
  #auditMetrics(prefix: string): Counter<'cache'>[] {
    const cacheKit = this.cacheKit;
    const audit = (name: string, help: string, field: 'checks' | 'mismatches' | 'skipped') =>
      new Counter({
        name: `${prefix}audit_${name}_total`,
        help,
        labelNames: ['cache'],
        registers: [],
        collect(this: Counter<'cache'>) {
          this.reset();
          for (const [cache, stats] of Object.entries(cacheKit.stats()))
            if (stats.audit.checks + stats.audit.skipped > 0) this.inc({ cache }, stats.audit[field]);
        },
      });
    return [
      audit('checks', 'Shadow reads that compared a cached value with a fresh load (staleness audit).', 'checks'),
      audit(
        'mismatches',
        'Cached values the origin disagreed with past the grace period (staleness audit).',
        'mismatches',
      ),
      audit('skipped', 'Sampled hits not checked: rate or concurrency bound, or the shadow load failed.', 'skipped'),
    ];
  }

  // One series per cause; summed by cache they give `stats().evictions` (the label partitions it).
  #evictions(name: string): Counter<'cache' | 'cause'> {
    const cacheKit = this.cacheKit;
    return new Counter({
      name,
      help:
        "Entries, whole-cache clears and (under cache='~tags') tags whose eviction the store confirmed, " +
        "by cause: 'key', 'name' (a clear), 'tag', or 'orm' (keys or tags the ORM bridge asked for).",
      labelNames: ['cache', 'cause'],
      registers: [],
      collect(this: Counter<'cache' | 'cause'>) {
        this.reset();
        for (const [cache, { evictionsByCause }] of Object.entries(cacheKit.stats()))
          for (const [cause, count] of Object.entries(evictionsByCause))
            if (count > 0) this.inc({ cache, cause }, count);
      },
    });
  }

  #counter(name: string, field: keyof CacheStats, help: string): Counter<'cache'> {
    const cacheKit = this.cacheKit;
    return new Counter({
      name,
      help,
      labelNames: ['cache'],
      registers: [],
      // Set at scrape time from the since-boot counters: monotonic, and nothing on the hit path.
      collect(this: Counter<'cache'>) {
        this.reset();
        for (const [cache, stats] of Object.entries(cacheKit.stats())) this.inc({ cache }, stats[field]);
      },
    });
  }
}

function seconds(event: CacheEvent): number {
  return (event.durationMs ?? 0) / 1000;
}

/** prom-client's metric classes keep their name on the instance; the typings do not declare it. */
function metricName(metric: object): string {
  return (metric as { name: string }).name;
}
