import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { Cluster, Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { CACHEKIT_REDIS } from '../lib/index.js';
import { appOptionsFromEnv, portFromEnv } from './app.options.js';
import { bootFailure } from './boot/boot-failure.js';
import { cacheStatus } from './boot/cache-status.js';

async function bootstrap(): Promise<void> {
  // Imported here, not above: the stats windows are read from the environment while the modules
  // load, and a bad STATS_FRESH must end in the one-line report below like any other variable.
  const { AppModule } = await import('./app.module.js');
  const appModule = AppModule.forRoot(); // its ConfigModule.forRoot() copies .env into process.env
  await ConfigModule.envVariablesLoaded;
  // Read before anything connects, so a bad variable is refused at once and in one line.
  const options = appOptionsFromEnv();
  const port = portFromEnv();
  // abortOnError: false, so a failed boot rejects (and is reported below) instead of process.abort().
  const app = await NestFactory.create(appModule, { abortOnError: false });
  // Closes the database and Redis connections on Ctrl+C / SIGTERM.
  app.enableShutdownHooks();
  await app.listen(port);
  const logger = new Logger('Catalogue');
  const { port: listening } = app.getHttpServer().address() as AddressInfo;
  const database = options.database.type === 'sqlite' ? `SQLite ${options.database.path}` : 'PostgreSQL';
  const cache = await cacheStatus(app.get<Redis | Cluster | null>(CACHEKIT_REDIS), options.redis, logger);
  logger.log(`Listening on http://localhost:${listening} (database: ${database}; cache: ${cache})`);
  logger.log(`Try: curl http://localhost:${listening}/products/1`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${bootFailure(error)}\n`);
  // Exit now: a Redis client retrying in the background would keep the process alive.
  process.exit(1);
});
