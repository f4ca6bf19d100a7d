import { DynamicModule, Module } from '@nestjs/common';
import { CACHEKIT_OPENTELEMETRY_OPTIONS, CacheKitTracing } from './cachekit-tracing.js';
import { CacheKitOpenTelemetryModuleOptions, resolveOpenTelemetryOptions } from './opentelemetry.options.js';

/**
 * Traces the cache with OpenTelemetry (needs CacheKitModule and `@opentelemetry/api`): spans for
 * misses, loads, refreshes and evictions; `cache.hit` on the caller's span.
 * @example imports: [CacheKitModule.forRoot({ redis }), CacheKitOpenTelemetryModule.forRoot({ keyHashSalt })]
 */
@Module({})
export class CacheKitOpenTelemetryModule {
  /** Checks the options now, so a typo fails at boot. */
  static forRoot(options: CacheKitOpenTelemetryModuleOptions = {}): DynamicModule {
    return {
      module: CacheKitOpenTelemetryModule,
      providers: [
        { provide: CACHEKIT_OPENTELEMETRY_OPTIONS, useValue: resolveOpenTelemetryOptions(options) },
        CacheKitTracing,
      ],
      exports: [CacheKitTracing],
    };
  }
}
