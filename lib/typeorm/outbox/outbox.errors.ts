import { CacheKitError } from '../../errors/cachekit.errors.js';

/**
 * The transactional outbox cannot work as configured: a bad option, an unsupported driver, or a
 * missing table. @example CacheKitTypeOrmModule.forRoot({ outbox: { table: 'my outbox' } })
 */
export class OutboxError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_TYPEORM_OUTBOX', message);
  }
}
