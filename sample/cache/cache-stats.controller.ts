import { Controller, Get } from '@nestjs/common';
import { CacheKit } from '../../lib/index.js';

/** `GET /cache/stats`: hits, misses, loads and evictions per cache, with the hit ratio. */
@Controller('cache')
export class CacheStatsController {
  constructor(private readonly cache: CacheKit) {}

  /** Counters since this instance started. */
  @Get('stats')
  stats(): ReturnType<CacheKit['stats']> {
    return this.cache.stats();
  }
}
