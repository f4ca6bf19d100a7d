import { DynamicModule, Module } from '@nestjs/common';
import { CACHEKIT_PROMETHEUS_OPTIONS, CacheKitPrometheusMetrics } from './cachekit-prometheus.metrics.js';
import { resolveOptions } from './prometheus-options.resolver.js';
import { CacheKitPrometheusError } from './prometheus.errors.js';
import { prometheusMessages } from './prometheus.messages.js';
import type { CacheKitPrometheusModuleAsyncOptions, CacheKitPrometheusModuleOptions } from './prometheus.options.js';

/**
 * Exposes CacheKit's counters, lookup latency by outcome, load/refresh durations and staleness
 * audit findings as Prometheus metrics through prom-client (needs CacheKitModule). The metrics
 * live on the registry while the module lives.
 * @example imports: [CacheKitModule.forRoot({ redis }), CacheKitPrometheusModule.forRoot({ registry })]
 */
@Module({})
export class CacheKitPrometheusModule {
  static forRoot(options: CacheKitPrometheusModuleOptions = {}): DynamicModule {
    resolveOptions(options);
    return {
      module: CacheKitPrometheusModule,
      providers: [{ provide: CACHEKIT_PROMETHEUS_OPTIONS, useValue: options }, CacheKitPrometheusMetrics],
      exports: [CacheKitPrometheusMetrics],
    };
  }

  /**
   * Like forRoot, with options from a factory that may inject providers (checked when it returns).
   * @example CacheKitPrometheusModule.forRootAsync({ imports: [MetricsModule], useFactory: (registry: Registry) => ({ registry }), inject: [Registry] })
   */
  static forRootAsync(options: CacheKitPrometheusModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function')
      throw new CacheKitPrometheusError(prometheusMessages.needsFactory(options?.useFactory));
    const { useFactory, inject = [], imports = [] } = options;
    return {
      module: CacheKitPrometheusModule,
      imports,
      providers: [
        {
          provide: CACHEKIT_PROMETHEUS_OPTIONS,
          useFactory: async (...args: unknown[]) => {
            const resolved = (await useFactory(...args)) ?? {};
            resolveOptions(resolved);
            return resolved;
          },
          inject,
        },
        CacheKitPrometheusMetrics,
      ],
      exports: [CacheKitPrometheusMetrics],
    };
  }
}
