import { Controller, Get } from '@nestjs/common';
import { CacheKit } from '../../lib/index.js';

/**
 * `GET /cache/stats`: per cache name, the hit ratio, hits, stale hits (served while a refresh ran),
 * misses, loads, refreshes, load and refresh errors, skipped stores and evictions.
 */
@Controller('cache')
export class CacheStatsController {
  constructor(private readonly cache: CacheKit) {}

  /** Counters since this instance started. */
  @Get('stats')
  stats(): ReturnType<CacheKit['stats']> {
    return this.cache.stats();
  }

  /** `GET /cache/store`: the store's health (failures by cause, breakers, evictions waiting for a retry). */
  @Get('store')
  store(): ReturnType<CacheKit['storeStats']> {
    return this.cache.storeStats();
  }
}
