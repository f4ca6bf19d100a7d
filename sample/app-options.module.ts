import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_OPTIONS, AppOptions } from './app.options.js';

/** Makes the options the app was built from injectable in every module: `@Inject(APP_OPTIONS)`. */
@Global()
@Module({})
export class AppOptionsModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppOptionsModule,
      providers: [{ provide: APP_OPTIONS, useValue: options }],
      exports: [APP_OPTIONS],
    };
  }
}
