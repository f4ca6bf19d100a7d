import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { appOptionsFromEnv } from './app.options.js';

async function bootstrap(): Promise<void> {
  const options = appOptionsFromEnv();
  const app = await NestFactory.create(AppModule.forRoot(options));
  // Closes the database and Redis connections on Ctrl+C / SIGTERM.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const logger = new Logger('Catalogue');
  const database = options.database.type === 'sqlite' ? `SQLite ${options.database.path}` : 'PostgreSQL';
  logger.log(`Listening on http://localhost:${port} (${database}, cache: ${options.redis ? 'Redis' : 'in-memory'})`);
  logger.log(`Try: curl http://localhost:${port}/products/1`);
}

void bootstrap();
