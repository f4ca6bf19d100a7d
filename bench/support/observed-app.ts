import 'reflect-metadata';
import { DynamicModule, INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheKitModule, CacheKitModuleOptions, Cacheable } from '../../lib/index.js';
import { CacheKitRuntime } from '../../lib/cachekit.runtime.js';
import { JsonValue, jsonValue } from './value.js';

/** Where the hits of an observed app are served from. */
export type TierName = 'L1 hit' | 'Redis hit';
type Loader = () => Promise<JsonValue>;

/** The decorated read the bench's hit path times, on its own cache name. */
@Injectable()
class ObservedRepository {
  @Cacheable({ name: 'bench.obs', key: (key: string) => key, ttl: '10m' })
  find(key: string, load: Loader): Promise<JsonValue> {
    return load();
  }
}

@Module({})
class ObservedAppModule {
  static register(options: CacheKitModuleOptions): DynamicModule {
    return { module: ObservedAppModule, imports: [CacheKitModule.forRoot(options)], providers: [ObservedRepository] };
  }
}

/** One application context whose warm keys are read back to back by `concurrency` lanes. */
export interface App {
  tier: TierName;
  /** `latencySampling` at boot (`setSampling` changes it later). */
  sampling: number;
  context: INestApplicationContext;
  /** Runs `ops` hits, `concurrency` in flight, each lane on its own warm key. */
  hits(ops: number): Promise<void>;
  /** Runs hits, `concurrency` in flight, for `ms`; returns how many. */
  hitsFor(ms: number): Promise<number>;
  /**
   * Sets how many lookups in one are timed from now on, in place: a paired comparison then runs the
   * same app, keys and objects on both sides (two apps differ by more than their option: ±15% here).
   */
  setSampling(every: number): void;
  /** Loader runs since the keys were warmed: every call after that should be a hit. */
  loads: () => number;
}

/** Opens an app with `latencySampling: sampling` and warms one key per lane (key names carry `id`). */
export async function openObservedApp(
  tier: TierName,
  sampling: number,
  id: number,
  settings: { redisUrl: string; prefix: string; concurrency: number },
): Promise<App> {
  const l1 = tier === 'L1 hit' ? { l1: { maxEntries: 100_000, ttl: '10m' as const } } : {};
  // A 2 s operation timeout: on a busy machine a read past the default 100 ms would count as a miss and load.
  const options: CacheKitModuleOptions = {
    redis: settings.redisUrl,
    namespace: settings.prefix,
    jitter: 0,
    operationTimeout: '2s',
    latencySampling: sampling,
    ...l1,
  };
  const context = await NestFactory.createApplicationContext(ObservedAppModule.register(options), {
    logger: false,
    abortOnError: false,
  });
  await context.init();
  const repository = context.get(ObservedRepository);
  // `sampleEvery` is the option as ReadThrough holds it; the bench alone writes it after boot.
  const readThrough = context.get(CacheKitRuntime).readThrough as unknown as { sampleEvery: number };
  const keys = Array.from({ length: settings.concurrency }, (_, lane) => `obs:${id}:${lane}`);
  let loads = 0;
  const load: Loader = async () => {
    loads++;
    return jsonValue();
  };
  for (const key of keys) await repository.find(key, load);
  await new Promise((resolve) => setTimeout(resolve, 20));
  loads = 0;
  const lanes = async (lane: (key: string) => Promise<void>) => {
    await Promise.all(keys.map(lane));
  };
  return {
    tier,
    sampling,
    context,
    hits: (ops) =>
      lanes(async (key) => {
        for (let i = ops / keys.length; i > 0; i--) await repository.find(key, load);
      }),
    hitsFor: async (ms) => {
      let count = 0;
      const until = performance.now() + ms;
      await lanes(async (key) => {
        // The clock is read once per 64 hits of a lane: the loop stays as cheap as the hit allows.
        while (performance.now() < until) for (let i = 0; i < 64; i++, count++) await repository.find(key, load);
      });
      return count;
    },
    setSampling: (every) => {
      readThrough.sampleEvery = every;
    },
    loads: () => loads,
  };
}
