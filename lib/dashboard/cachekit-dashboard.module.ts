import { DynamicModule, Module } from '@nestjs/common';
import { createDashboardController } from './dashboard.controller.js';
import { CACHEKIT_DASHBOARD_OPTIONS, DashboardSampler } from './dashboard-sampler.js';
import { CacheKitDashboardModuleOptions, resolveDashboardOptions } from './dashboard.options.js';

/**
 * A live page of the cache (needs CacheKitModule and an HTTP platform): hit ratio and loads/s per
 * cache over time, load latency percentiles, stale hits, evictions as they happen, breaker and
 * store state. Off unless `enabled`; under NODE_ENV=production it also needs a `guard`.
 * @example CacheKitDashboardModule.forRoot({ enabled: process.env.CACHEKIT_DASHBOARD === '1', guard: AdminGuard })
 */
@Module({})
export class CacheKitDashboardModule {
  /** Checks the options now: a page open in production without a guard fails the boot. */
  static forRoot(options: CacheKitDashboardModuleOptions = {}): DynamicModule {
    const resolved = resolveDashboardOptions(options);
    if (!resolved.enabled) return { module: CacheKitDashboardModule };
    return {
      module: CacheKitDashboardModule,
      controllers: [createDashboardController(resolved)],
      providers: [{ provide: CACHEKIT_DASHBOARD_OPTIONS, useValue: resolved }, DashboardSampler],
    };
  }
}
