import { ConfigurableModuleBuilder } from '@nestjs/common';
import { CacheKitTypeOrmModuleOptions } from './cachekit-typeorm.options.js';

export const {
  ConfigurableModuleClass: CacheKitTypeOrmConfigurableModule,
  MODULE_OPTIONS_TOKEN: CACHEKIT_TYPEORM_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CacheKitTypeOrmModuleOptions>({ moduleName: 'CacheKitTypeOrm' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Resolved options of the TypeORM bridge. */
export const CACHEKIT_TYPEORM_OPTIONS = Symbol('CACHEKIT_TYPEORM_OPTIONS');
