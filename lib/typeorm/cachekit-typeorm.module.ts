import { DynamicModule, Module, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CacheKitTypeOrmConfigurableModule } from './cachekit-typeorm.module-definition.js';
import { cacheKitTypeOrmProviders } from './cachekit-typeorm.providers.js';
import { CacheKitTypeOrm } from './cachekit-typeorm.service.js';
import { DataSourceBinder } from './data-source.binder.js';
import { InvalidationRegistry, InvalidationRule } from './typeorm-invalidation.registry.js';

/**
 * Evicts cache entries after TypeORM transactions commit, from rules declared once per entity
 * (global by default; needs CacheKitModule). `forFeature` adds a feature module's rules.
 * @example imports: [CacheKitModule.forRoot({ redis }), TypeOrmModule.forRoot({ ... }), CacheKitTypeOrmModule.forRoot({ rules: [productRule] })]
 */
@Module({
  imports: [DiscoveryModule],
  providers: [...cacheKitTypeOrmProviders, CacheKitTypeOrm, DataSourceBinder],
  exports: [CacheKitTypeOrm, InvalidationRegistry],
})
export class CacheKitTypeOrmModule extends CacheKitTypeOrmConfigurableModule {
  /**
   * Adds rules while this module is part of the app (removed again when it is destroyed).
   * @example imports: [CacheKitTypeOrmModule.forFeature([invalidate(Product, ({ row }) => [`product:${row.id}`])])]
   */
  static forFeature(rules: InvalidationRule[]): DynamicModule {
    return {
      module: CacheKitTypeOrmFeatureModule,
      providers: [
        // The rules are part of the metadata (not a closure), so two forFeature calls stay two modules.
        { provide: FEATURE_RULES, useValue: rules },
        {
          provide: FeatureRules,
          useFactory: (registry: InvalidationRegistry, own: InvalidationRule[]) => new FeatureRules(registry.add(own)),
          inject: [InvalidationRegistry, FEATURE_RULES],
        },
      ],
    };
  }
}

const FEATURE_RULES = Symbol('CACHEKIT_TYPEORM_FEATURE_RULES');

/** Holds one forFeature call's rules for as long as its module lives. */
class FeatureRules implements OnModuleDestroy {
  constructor(private readonly remove: () => void) {}

  onModuleDestroy(): void {
    this.remove();
  }
}

@Module({})
class CacheKitTypeOrmFeatureModule {}
