import { CacheKitError } from '../errors/cachekit.errors.js';

/**
 * An option of CacheKitPrometheusModule is invalid, or one of its metric names is already
 * registered on the registry. @example two CacheKitPrometheusModule.forRoot() on the global register
 */
export class CacheKitPrometheusError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_PROMETHEUS', message);
  }
}
