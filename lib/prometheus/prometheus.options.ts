import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
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
  /**
   * Buckets, in seconds, of `cachekit_lookup_duration_seconds` (hits and misses by outcome). CacheKit
   * keeps ten buckets per decade (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 x 10^n ms); a bound between
   * two of them counts the observations up to the lower one. Default: 50 µs to 10 s, `[0.00005,
   * 0.0001, 0.00025, 0.0005, 0.001, 0.0025, ..., 10]`.
   */
  latencyBuckets?: readonly number[];
}

/** Options of `CacheKitPrometheusModule.forRootAsync`: options built by a factory, with injected providers. */
export interface CacheKitPrometheusModuleAsyncOptions {
  /** Modules exporting the providers the factory needs (ConfigModule, ...). */
  imports?: ModuleMetadata['imports'];
  /** Builds the options; may be async. @example useFactory: (registry: Registry) => ({ registry }) */
  useFactory: (...args: any[]) => CacheKitPrometheusModuleOptions | Promise<CacheKitPrometheusModuleOptions>;
  /** Providers handed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
}
