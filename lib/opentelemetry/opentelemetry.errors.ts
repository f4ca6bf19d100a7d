import { CacheKitError } from '../errors/cachekit.errors.js';

/** An option of CacheKitOpenTelemetryModule is invalid. @example CacheKitOpenTelemetryModule.forRoot({ tracerName: '' }) */
export class CacheKitOpenTelemetryError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_OPENTELEMETRY', message);
  }
}
