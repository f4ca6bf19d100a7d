import { CacheKitError } from '../errors/cachekit.errors.js';

/**
 * An invalidation rule, or an entry it returned, is malformed.
 * @example invalidate('Product', ...) with an unknown entity name, or a rule returning `{ definition: 42 }`
 */
export class InvalidationRuleError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_TYPEORM_INVALID_RULE', message);
  }
}

/** An option of CacheKitTypeOrmModule is invalid. @example CacheKitTypeOrmModule.forRoot({ commitWait: 'soon' }) */
export class CacheKitTypeOrmOptionsError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_TYPEORM_INVALID_OPTION', message);
  }
}

/**
 * A DataSource cannot be bridged: not found, not initialized, or no bridge registered on it.
 * @example evictAfterCommit(manager, [...]) on a DataSource the module does not watch
 */
export class DataSourceBindingError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_TYPEORM_DATASOURCE', message);
  }
}
