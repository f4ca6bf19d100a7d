import type { Registry } from 'prom-client';

/** Options of `CacheKitPrometheusModule.forRoot`. */
export interface CacheKitPrometheusModuleOptions {
  /** Where the metrics are registered. Default: prom-client's global `register`. */
  registry?: Registry;
  /** Prepended to every metric name. Default: `'cachekit_'`. */
  prefix?: string;
  /**
   * Histogram buckets, in seconds, for the load and refresh durations.
   * Default: `[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]`.
   */
  buckets?: readonly number[];
}
