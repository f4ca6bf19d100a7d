export { CacheKitCdcModule } from './cachekit-cdc.module.js';
export { CacheKitCdc } from './cachekit-cdc.service.js';
export type { CacheKitCdcModuleOptions } from './cdc.options.js';
export type { PgConnectionConfig } from './pg-client.js';
export type { CdcEvent, CdcState, CdcStats } from './cdc-events.js';
export { CacheKitCdcOptionsError, CacheKitCdcSetupError } from './cdc.errors.js';
export { registerCdcMetrics } from './cdc-metrics.js';
export type { GaugeClass, CollectedGauge, MetricsRegistry } from './cdc-metrics.js';
