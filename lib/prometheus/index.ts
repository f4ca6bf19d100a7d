export { CacheKitPrometheusModule } from './cachekit-prometheus.module.js';
export { CacheKitPrometheusMetrics } from './cachekit-prometheus.metrics.js';
export type { CacheKitPrometheusModuleAsyncOptions, CacheKitPrometheusModuleOptions } from './prometheus.options.js';
export { CacheKitPrometheusError } from './prometheus.errors.js';
