import { Logger, Provider } from '@nestjs/common';
import { CACHEKIT_OPTIONS } from './cachekit.constants.js';
import { CACHEKIT_MODULE_OPTIONS } from './cachekit.module-definition.js';
import { CacheKitRuntime } from './cachekit.runtime.js';
import { CacheKitModuleOptions, ResolvedCacheKitOptions } from './options/cachekit-options.interface.js';
import { resolveOptions } from './options/cachekit-options.validator.js';
import { CACHEKIT_REDIS } from './redis/redis.constants.js';
import { RedisConnectionHolder } from './redis/redis-connection.js';

export const cacheKitProviders: Provider[] = [
  {
    provide: CACHEKIT_OPTIONS,
    useFactory: (options: CacheKitModuleOptions) => {
      const resolved = resolveOptions(options);
      for (const warning of resolved.warnings) new Logger('CacheKit').warn(warning);
      return resolved;
    },
    inject: [CACHEKIT_MODULE_OPTIONS],
  },
  {
    provide: RedisConnectionHolder,
    useFactory: (options: ResolvedCacheKitOptions) => RedisConnectionHolder.open(options),
    inject: [CACHEKIT_OPTIONS],
  },
  {
    provide: CACHEKIT_REDIS,
    useFactory: (connection: RedisConnectionHolder) => connection.client,
    inject: [RedisConnectionHolder],
  },
  {
    provide: CacheKitRuntime,
    useFactory: (options: ResolvedCacheKitOptions, connection: RedisConnectionHolder) =>
      CacheKitRuntime.create(options, connection),
    inject: [CACHEKIT_OPTIONS, RedisConnectionHolder],
  },
];
