import { Provider } from '@nestjs/common';
import { CacheKit } from '../cachekit.service.js';
import { CACHEKIT_TYPEORM_MODULE_OPTIONS, CACHEKIT_TYPEORM_OPTIONS } from './cachekit-typeorm.module-definition.js';
import {
  CacheKitTypeOrmModuleOptions,
  ResolvedTypeOrmOptions,
  resolveTypeOrmOptions,
} from './cachekit-typeorm.options.js';
import { EvictionDispatcher } from './eviction-dispatcher.js';
import { EvictionEventPublisher } from './eviction-events.js';
import { InvalidationRegistry } from './typeorm-invalidation.registry.js';

export const cacheKitTypeOrmProviders: Provider[] = [
  {
    provide: CACHEKIT_TYPEORM_OPTIONS,
    useFactory: (options: CacheKitTypeOrmModuleOptions) => resolveTypeOrmOptions(options),
    inject: [CACHEKIT_TYPEORM_MODULE_OPTIONS],
  },
  {
    provide: InvalidationRegistry,
    useFactory: (options: ResolvedTypeOrmOptions) => {
      const registry = new InvalidationRegistry();
      registry.add(options.rules);
      return registry;
    },
    inject: [CACHEKIT_TYPEORM_OPTIONS],
  },
  { provide: EvictionEventPublisher, useFactory: () => new EvictionEventPublisher() },
  {
    provide: EvictionDispatcher,
    useFactory: (cacheKit: CacheKit, publisher: EvictionEventPublisher, options: ResolvedTypeOrmOptions) =>
      new EvictionDispatcher(cacheKit, publisher, options),
    inject: [CacheKit, EvictionEventPublisher, CACHEKIT_TYPEORM_OPTIONS],
  },
];
