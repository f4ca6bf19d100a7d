import { ConfigurableModuleBuilder } from '@nestjs/common';
import { CacheKitModuleOptions } from './options/cachekit-options.interface.js';

export const {
  ConfigurableModuleClass: CacheKitConfigurableModule,
  MODULE_OPTIONS_TOKEN: CACHEKIT_MODULE_OPTIONS,
  OPTIONS_TYPE: CACHEKIT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CACHEKIT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheKitModuleOptions>({ moduleName: 'CacheKit' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
