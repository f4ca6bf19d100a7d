export { CacheKitHealthModule } from './cachekit-health.module.js';
export { CacheKitHealthIndicator } from './cachekit-health.indicator.js';
export type { CacheHealthDetails } from './cachekit-health.indicator.js';
export type { CacheKitHealthModuleOptions, StoreDownStatus } from './terminus.options.js';
export { CacheKitHealthError } from './terminus.errors.js';
