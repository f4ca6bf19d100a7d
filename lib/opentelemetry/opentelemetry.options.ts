import type { Tracer } from '@opentelemetry/api';
import { CacheKitOpenTelemetryError } from './opentelemetry.errors.js';
import { openTelemetryMessages } from './opentelemetry.messages.js';

/** Options of `CacheKitOpenTelemetryModule.forRoot`. */
export interface CacheKitOpenTelemetryModuleOptions {
  /** The tracer spans are made with. Default: `trace.getTracer(tracerName)` of the global provider. */
  tracer?: Tracer;
  /** Name of the default tracer. Default: `'nestjs-cachekit'`. */
  tracerName?: string;
  /**
   * A span per hit (`cache.hit`, zero length). Default: `false`: a hit only sets `cache.hit` on
   * the caller's current span, since hits are the bulk of the traffic.
   */
  spanPerHit?: boolean;
  /**
   * Mixed into the key hash: without it an attacker who reads traces can confirm a guessed key
   * (an email address, say) by hashing it. Use the same secret on every instance, so one key hashes
   * alike everywhere. Default: `''`.
   */
  keyHashSalt?: string;
}

/** The options with their defaults, checked. */
export interface ResolvedOpenTelemetryOptions {
  tracer?: Tracer;
  tracerName: string;
  spanPerHit: boolean;
  keyHashSalt: string;
}

/** Checks the options and fills in the defaults; throws a CacheKitOpenTelemetryError naming the bad option. */
export function resolveOpenTelemetryOptions(options: CacheKitOpenTelemetryModuleOptions): ResolvedOpenTelemetryOptions {
  const { tracer, tracerName = 'nestjs-cachekit', spanPerHit = false, keyHashSalt = '' } = options;
  if (typeof tracerName !== 'string' || tracerName.length === 0)
    throw new CacheKitOpenTelemetryError(openTelemetryMessages.invalidTracerName(tracerName));
  if (typeof keyHashSalt !== 'string')
    throw new CacheKitOpenTelemetryError(openTelemetryMessages.invalidSalt(keyHashSalt));
  if (tracer !== undefined && typeof (tracer as Partial<Tracer>).startSpan !== 'function')
    throw new CacheKitOpenTelemetryError(openTelemetryMessages.invalidTracer());
  return { tracer, tracerName, spanPerHit: spanPerHit === true, keyHashSalt };
}
