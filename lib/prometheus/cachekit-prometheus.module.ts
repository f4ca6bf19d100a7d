import { DynamicModule, Module } from '@nestjs/common';
import {
  CACHEKIT_PROMETHEUS_OPTIONS,
  CacheKitPrometheusMetrics,
  resolveOptions,
} from './cachekit-prometheus.metrics.js';
import type { CacheKitPrometheusModuleOptions } from './prometheus.options.js';

/**
 * Exposes CacheKit's counters and load/refresh durations as Prometheus metrics through
 * prom-client (needs CacheKitModule). The metrics live on the registry while the module lives.
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
}
