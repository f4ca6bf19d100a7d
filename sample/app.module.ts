import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheKitModule } from '../lib/index.js';
import { CacheKitTypeOrmModule } from '../lib/typeorm/index.js';
import { AppOptionsModule } from './app-options.module.js';
import { AppOptions } from './app.options.js';
import { CacheStatsController } from './cache/cache-stats.controller.js';
import { CategoriesModule } from './categories/categories.module.js';
import { CatalogueSeeder } from './database/catalogue.seeder.js';
import { typeOrmOptions } from './database/database.options.js';
import { ProductsModule } from './products/products.module.js';

/**
 * The catalogue app. Built from options rather than read from the environment here, so tests can
 * point it at their own database and Redis.
 * @example NestFactory.create(AppModule.forRoot(appOptionsFromEnv()))
 */
@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppOptionsModule.forRoot(options),
        TypeOrmModule.forRoot(typeOrmOptions(options.database, options.logSql)),
        CacheKitModule.forRoot({
          redis: options.redis,
          namespace: options.namespace ?? 'catalogue',
          defaultTtl: '5m',
          // Every TTL written is spread by +-10%, so entries cached together do not expire together.
          jitter: 0.1,
          // Hot entries are served from process memory; with Redis, evictions reach every
          // instance's copy through pub/sub, and the 5 s cap bounds what a lost message costs.
          l1: { maxEntries: 10_000, ttl: '5s' },
        }),
        // Post-commit eviction for every DataSource of the app; ProductsModule adds its rule.
        CacheKitTypeOrmModule.forRoot({}),
        CategoriesModule,
        ProductsModule,
      ],
      controllers: [CacheStatsController],
      providers: [
        CatalogueSeeder,
        // Registered as a provider (not in main.ts) so every app built from this module, tests
        // included, validates the same way: unknown fields are a 400, never silently dropped.
        // stopAtFirstError: one message per field ("price must be a number"), not every rule's.
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            stopAtFirstError: true,
          }),
        },
      ],
    };
  }
}
