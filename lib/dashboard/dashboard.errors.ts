import { CacheKitError } from '../errors/cachekit.errors.js';

/** An option of CacheKitDashboardModule is invalid, or the page would be open in production. @example forRoot({ enabled: true }) with NODE_ENV=production */
export class CacheKitDashboardError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_DASHBOARD', message);
  }
}
