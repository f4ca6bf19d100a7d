import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CACHEKIT_OPTIONS } from './cachekit.constants.js';
import { CacheKit } from './cachekit.service.js';
import { CacheKitConfigurableModule } from './cachekit.module-definition.js';
import { cacheKitProviders } from './cachekit.providers.js';
import { CacheKitExplorer } from './cachekit.explorer.js';
import { CACHEKIT_REDIS } from './redis/redis.constants.js';

/**
 * Registers the cache for the app (global by default).
 * @example imports: [CacheKitModule.forRoot({ redis: process.env.REDIS_URL, namespace: 'shop', defaultTtl: '5m' })]
 */
@Module({
  imports: [DiscoveryModule],
  providers: [...cacheKitProviders, CacheKit, CacheKitExplorer],
  exports: [CacheKit, CACHEKIT_REDIS, CACHEKIT_OPTIONS],
})
export class CacheKitModule extends CacheKitConfigurableModule {}
