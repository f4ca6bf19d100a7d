import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheKitCdcModuleOptions } from './cdc.options.js';

export const {
  ConfigurableModuleClass: CacheKitCdcConfigurableModule,
  MODULE_OPTIONS_TOKEN: CACHEKIT_CDC_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CacheKitCdcModuleOptions>({ moduleName: 'CacheKitCdc' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
