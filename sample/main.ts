import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { AppModule } from './app.module.js';
import { appOptionsOf } from './app.options.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot());
  const config = app.get(ConfigService);
  const options = appOptionsOf(config);
  // Closes the database and Redis connections on Ctrl+C / SIGTERM.
  app.enableShutdownHooks();
  const port = Number(config.get<string>('PORT') ?? 3000);
  await app.listen(port);
  const logger = new Logger('Catalogue');
  const database = options.database.type === 'sqlite' ? `SQLite ${options.database.path}` : 'PostgreSQL';
  logger.log(`Listening on http://localhost:${port} (${database}, cache: ${options.redis ? 'Redis' : 'in-memory'})`);
  logger.log(`Try: curl http://localhost:${port}/products/1`);
}

void bootstrap();
