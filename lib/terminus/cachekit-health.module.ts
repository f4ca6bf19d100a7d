import { DynamicModule, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CACHEKIT_HEALTH_OPTIONS, CacheKitHealthIndicator } from './cachekit-health.indicator.js';
import { CacheKitHealthModuleOptions, resolveHealthOptions } from './terminus.options.js';

/**
 * Provides `CacheKitHealthIndicator` for `@nestjs/terminus` health checks (needs CacheKitModule).
 * @example imports: [TerminusModule, CacheKitHealthModule.forRoot({ whenStoreDown: 'degraded' })]
 */
@Module({})
export class CacheKitHealthModule {
  /** Checks the options now, so a typo fails at boot rather than at the first probe. */
  static forRoot(options: CacheKitHealthModuleOptions = {}): DynamicModule {
    return {
      module: CacheKitHealthModule,
      providers: [
        { provide: CACHEKIT_HEALTH_OPTIONS, useValue: resolveHealthOptions(options) },
        HealthIndicatorService,
        CacheKitHealthIndicator,
      ],
      exports: [CacheKitHealthIndicator],
    };
  }
}
