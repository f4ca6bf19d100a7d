import { DynamicModule, Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheKitModule } from '../lib/index.js';
import { CacheKitDashboardModule } from '../lib/dashboard/index.js';
import { CacheKitTypeOrmModule } from '../lib/typeorm/index.js';
import { CacheKitPrometheusModule } from '../lib/prometheus/index.js';
import { Registry } from 'prom-client';
import { MetricsModule } from './cache/metrics.module.js';
import { APP_CONFIG, AppOptions, appOptionsFromEnv, appOptionsOf } from './app.options.js';
import { CacheStatsController } from './cache/cache-stats.controller.js';
import { CategoriesModule } from './categories/categories.module.js';
import { CatalogueValidationPipe } from './input/catalogue-validation.pipe.js';
import { CatalogueSeeder } from './database/catalogue.seeder.js';
import { typeOrmOptions } from './database/database.options.js';
import { cdcModules } from './database/cdc.js';
import { ProductsModule } from './products/products.module.js';

/**
 * The catalogue app. Its settings come from the environment through ConfigModule (a `.env` file
 * is read too); tests pass their own options instead, to point it at their database and Redis.
 * @example NestFactory.create(AppModule.forRoot())
 */
@Module({})
export class AppModule {
  static forRoot(options?: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: options !== undefined,
          load: [() => ({ [APP_CONFIG]: options ?? appOptionsFromEnv() })],
        }),
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const { database, logSql } = appOptionsOf(config);
            return typeOrmOptions(database, logSql);
          },
        }),
        CacheKitModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const { redis, namespace = 'catalogue' } = appOptionsOf(config);
            return {
              redis,
              namespace,
              defaultTtl: '5m',
              // Every TTL written is spread by +-10%, so entries cached together do not expire together.
              jitter: 0.1,
              // Hot entries are served from process memory; with Redis, evictions reach every
              // instance's copy through pub/sub, and the 5 s cap bounds what a lost message costs.
              l1: { maxEntries: 10_000, ttl: '5s' },
            };
          },
        }),
        // Post-commit eviction for every DataSource of the app; ProductsModule adds its rule.
        CacheKitTypeOrmModule.forRoot({}),
        // The live page at /cachekit, for development only: under NODE_ENV=production it is not mounted.
        CacheKitDashboardModule.forRoot({ enabled: process.env.NODE_ENV !== 'production', path: '/cachekit' }),
        // GET /metrics: hits, misses, lookup latency by outcome, loads, audit findings.
        CacheKitPrometheusModule.forRootAsync({
          imports: [MetricsModule],
          inject: [Registry],
          useFactory: (registry: Registry) => ({ registry }),
        }),
        // CDC=1 (PostgreSQL only): the same rules, fed from the WAL, for writes made outside the app.
        ...cdcModules(options),
        CategoriesModule,
        ProductsModule,
      ],
      controllers: [CacheStatsController],
      providers: [
        CatalogueSeeder,
        // Registered as a provider (not in main.ts) so every app built from this module, tests
        // included, validates the same way: unknown fields are a 400, never silently dropped.
        // stopAtFirstError: one message per field ("price must be a number"), not every rule's.
        // Route ids are left as sent, for ParseIdPipe to read strictly (see the pipe).
        {
          provide: APP_PIPE,
          useValue: new CatalogueValidationPipe({
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
