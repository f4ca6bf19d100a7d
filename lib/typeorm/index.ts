export { CacheKitTypeOrmModule } from './cachekit-typeorm.module.js';
export type { CacheKitTypeOrmModuleOptions } from './cachekit-typeorm.options.js';
export { CacheKitTypeOrm } from './cachekit-typeorm.service.js';
export { invalidate, InvalidationRegistry } from './typeorm-invalidation.registry.js';
export type { InvalidationRule, InvalidationRuleOptions, EntityClass } from './typeorm-invalidation.registry.js';
export { cacheEntry } from './entity-change.interface.js';
export type {
  EntityChange,
  EntityChangeKind,
  BulkChange,
  CacheEntryRef,
  EvictionEntry,
} from './entity-change.interface.js';
export { evictAfterCommit } from './evict-after-commit.js';
export { CACHE_EVICTION_EVENT } from './eviction-events.js';
export type { CacheEvictionEvent, EvictionOutcome } from './eviction-events.js';
export type { ChangeSummary } from './pending-evictions.js';
export { InvalidationRuleError, CacheKitTypeOrmOptionsError, DataSourceBindingError } from './typeorm.errors.js';
export { CacheKitOutboxMigration, createOutboxMigration } from './outbox/outbox.migration.js';
export type { OutboxMigrationClass } from './outbox/outbox.migration.js';
export type { OutboxOptions } from './outbox/outbox.options.js';
export { OutboxError } from './outbox/outbox.errors.js';
