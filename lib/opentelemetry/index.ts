export { CacheKitOpenTelemetryModule } from './cachekit-opentelemetry.module.js';
export { CacheKitTracing } from './cachekit-tracing.js';
export type { PostCommitEvictionLike } from './cachekit-tracing.js';
export type { CacheKitOpenTelemetryModuleOptions } from './opentelemetry.options.js';
export { CacheKitOpenTelemetryError } from './opentelemetry.errors.js';
export { ATTR as CACHE_SPAN_ATTRIBUTES, SPAN as CACHE_SPAN_NAMES } from './cache-attributes.js';
export { hashKey } from './key-hash.js';
