export { CacheKitModule } from './cachekit.module.js';
export { CacheKit } from './cachekit.service.js';
export type { EvictManyOptions, EvictionTargets, RawEntryOptions } from './cachekit.service.js';
export type { CacheKitModuleOptions, RedisConnection } from './options/cachekit-options.interface.js';
export { defineCache } from './definitions/cache-definition.js';
export type { CacheDefinition, CacheDefinitionOptions, SwrSettings } from './definitions/cache-definition.js';
export type { Duration } from './definitions/duration.js';
export type { FailSafeOptions, LoadTimeoutOptions } from './definitions/fail-safe-settings.js';
export type { KeyValue } from './keys/key-encoding.js';
export { pick, omit } from './definitions/pick.js';
export { Cacheable } from './decorators/cacheable.decorator.js';
export { CacheableMany } from './decorators/cacheable-many.decorator.js';
export type { CacheableManyOptions, CacheableManyDecorator } from './decorators/cacheable-many.decorator.js';
export type { LoadedById } from './engine/batch/id-batch.js';
export { CachePut } from './decorators/cache-put.decorator.js';
export { CacheEvict } from './decorators/cache-evict.decorator.js';
export { StaleWhileRevalidate } from './decorators/stale-while-revalidate.decorator.js';
export type { StaleWhileRevalidateOptions } from './decorators/stale-while-revalidate.decorator.js';
export type { CacheEvictOptions } from './decorators/cache-evict.decorator.js';
export type { CacheMethodDecorator } from './decorators/cache-method-decorator.interface.js';
export { CacheKitRequestMemo } from './cachekit.request-memo.middleware.js';
export { InjectRedis } from './redis/inject-redis.decorator.js';
export { CACHEKIT_REDIS } from './redis/redis.constants.js';
export { CACHEKIT_OPTIONS } from './cachekit.constants.js';
export type { CacheSerializer } from './serialization/serializer.interface.js';
export { v8Serializer } from './serialization/v8.serializer.js';
export type { CacheEvent, CacheStats, StoreStats } from './observability/cache-event.interface.js';
export type {
  AuditMismatch,
  AuditOptions,
  AuditStats,
  CacheLatency,
  CacheNameReport,
  CacheNameStats,
  CacheReport,
  CacheVerdict,
  HistogramBuckets,
  LatencyBuckets,
  LatencySummary,
  LookupOutcome,
  NameStoreSample,
  ReportOptions,
  StoreSample,
} from './observability/observability.interface.js';
export {
  CacheKitError,
  CacheKitOptionsError,
  CacheDefinitionError,
  CacheKeyError,
  CacheSerializationError,
  CacheLoadTimeoutError,
} from './errors/cachekit.errors.js';
