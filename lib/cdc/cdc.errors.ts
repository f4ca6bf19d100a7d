import { CacheKitError } from '../errors/cachekit.errors.js';

/** An option of CacheKitCdcModule is invalid. @example CacheKitCdcModule.forRoot({ slot: 'My Slot' }) */
export class CacheKitCdcOptionsError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_CDC_INVALID_OPTION', message);
  }
}

/**
 * PostgreSQL or the DataSource cannot feed the consumer: not PostgreSQL, wal_level not logical, no rules.
 * @example CacheKitCdcModule.forRoot({}) on a server with wal_level=replica
 */
export class CacheKitCdcSetupError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_CDC_SETUP', message);
  }
}
