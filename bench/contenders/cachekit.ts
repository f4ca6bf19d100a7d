import 'reflect-metadata';
import { DynamicModule, Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheKit, CacheKitModule, Cacheable, defineCache } from '../../lib/index.js';
import type { JsonValue } from '../support/value.js';
import { Contender, ContenderGroup, Loader } from './contender.js';

/** The definition used through CacheKit.getOrSet; a different name than the decorated method, so they never share entries. */
const programmatic = defineCache({ name: 'bench.kit', key: (key: string) => key, ttl: '10m' });

/** A provider as an application writes one: the loader stands for the database call. */
@Injectable()
export class BenchRepository {
  @Cacheable({ name: 'bench.decorated', key: (key: string) => key, ttl: '10m' })
  find(key: string, load: Loader): Promise<JsonValue> {
    return load();
  }
}

@Module({})
class BenchAppModule {
  static register(redis: string | undefined, namespace: string): DynamicModule {
    return {
      module: BenchAppModule,
      // jitter 0: TTLs do not matter here and the bench should do no work a reader would not expect.
      imports: [CacheKitModule.forRoot({ redis, namespace, jitter: 0, memory: { maxEntries: 100_000 } })],
      providers: [BenchRepository],
    };
  }
}

async function createApp(redis: string | undefined, namespace: string): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(BenchAppModule.register(redis, namespace), {
    logger: false,
    abortOnError: false,
  });
  await app.init();
  return app;
}

/**
 * This module as an application uses it: a Nest application context (logger off) per store,
 * reached through `@Cacheable` on a provider and through `CacheKit.getOrSet`.
 */
export async function cachekitContenders(redisUrl: string, namespace: string): Promise<ContenderGroup> {
  const apps: INestApplicationContext[] = [];
  try {
    const contenders: Contender[] = [];
    for (const [tier, redis] of [
      ['redis', redisUrl],
      ['memory', undefined],
    ] as const) {
      const app = await createApp(redis, namespace);
      apps.push(app);
      const repository = app.get(BenchRepository);
      const kit = app.get(CacheKit);
      contenders.push(
        { name: `cachekit @Cacheable (${tier})`, tier, getOrLoad: (key, load) => repository.find(key, load) },
        {
          name: `cachekit CacheKit.getOrSet (${tier})`,
          tier,
          getOrLoad: (key, load) => kit.getOrSet(programmatic, [key], load),
        },
      );
    }
    return { contenders, close: () => closeAll(apps) };
  } catch (error) {
    await closeAll(apps);
    throw error;
  }
}

async function closeAll(apps: INestApplicationContext[]): Promise<void> {
  for (const app of apps.splice(0)) await app.close();
}
