import 'reflect-metadata';
import { DynamicModule, Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheKit, CacheKitModule, CacheKitModuleOptions, Cacheable, defineCache } from '../../lib/index.js';
import type { JsonValue } from '../support/value.js';
import { Contender, ContenderGroup, Loader, Tier } from './contender.js';

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

type Setup = Pick<CacheKitModuleOptions, 'redis' | 'l1'>;

@Module({})
class BenchAppModule {
  static register(setup: Setup, namespace: string): DynamicModule {
    return {
      module: BenchAppModule,
      // jitter 0: TTLs do not matter here and the bench should do no work a reader would not expect.
      imports: [CacheKitModule.forRoot({ ...setup, namespace, jitter: 0, memory: { maxEntries: 100_000 } })],
      providers: [BenchRepository],
    };
  }
}

async function createApp(setup: Setup, namespace: string): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(BenchAppModule.register(setup, namespace), {
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
    // The L1 ttl is longer than a run, so its rows time L1 hits only (the default '5s' would send
    // one read per key every 5 s to Redis).
    const setups: { label: string; tier: Tier; setup: Setup }[] = [
      { label: 'redis', tier: 'redis', setup: { redis: redisUrl } },
      { label: 'memory', tier: 'memory', setup: {} },
      { label: 'L1 + redis', tier: 'memory', setup: { redis: redisUrl, l1: { maxEntries: 100_000, ttl: '10m' } } },
    ];
    for (const { label, tier, setup } of setups) {
      const app = await createApp(setup, namespace);
      apps.push(app);
      const repository = app.get(BenchRepository);
      const kit = app.get(CacheKit);
      const sharedViaRedis = setup.redis !== undefined;
      contenders.push(
        {
          name: `cachekit @Cacheable (${label})`,
          tier,
          sharedViaRedis,
          getOrLoad: (key, load) => repository.find(key, load),
        },
        {
          name: `cachekit CacheKit.getOrSet (${label})`,
          tier,
          sharedViaRedis,
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
