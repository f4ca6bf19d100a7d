import { CacheKitError } from '../errors/cachekit.errors.js';

/** An option of CacheKitHealthModule is invalid. @example CacheKitHealthModule.forRoot({ timeoutMs: 0 }) */
export class CacheKitHealthError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_HEALTH', message);
  }
}
