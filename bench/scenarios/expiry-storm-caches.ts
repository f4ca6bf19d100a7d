import 'reflect-metadata';
import { DynamicModule, Injectable, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Cacheable as CacheableLib } from 'cacheable';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { CacheKitModule, Cacheable, StaleWhileRevalidate } from '../../lib/index.js';
import type { JsonValue } from '../support/value.js';

/** The cached record plus when its loader produced it, so a caller can tell how old its value is. */
export type StormValue = JsonValue & { loadedAt: number };
export type StormLoader = () => Promise<StormValue>;

export interface StormCache {
  get(key: string, load: StormLoader): Promise<StormValue>;
  close(): Promise<void>;
}

/** One row of the expiry storm: a cache configured with the scenario's TTL, opened on a fresh namespace. */
export interface StormRow {
  name: string;
  /** The longest an entry can be served as fresh (TTL or SWR fresh window, plus jitter); older values are stale. */
  freshMaxMs: number;
  open(redisUrl: string, namespace: string): Promise<StormCache>;
}

const key = (id: string) => id;

/** Providers as an application writes them, one per row; classes are built here because the TTL is a setting. */
function repositories(ttlMs: number) {
  const stale = ttlMs * 10;
  @Injectable()
  class Fixed {
    @Cacheable({ name: 'storm', key, ttl: ttlMs, jitter: 0 })
    find(_id: string, load: StormLoader): Promise<StormValue> {
      return load();
    }
  }
  @Injectable()
  class Jittered {
    @Cacheable({ name: 'storm', key, ttl: ttlMs })
    find(_id: string, load: StormLoader): Promise<StormValue> {
      return load();
    }
  }
  @Injectable()
  class EarlyRefresh {
    @Cacheable({ name: 'storm', key, ttl: ttlMs, jitter: 0, earlyRefresh: { beta: 1 } })
    find(_id: string, load: StormLoader): Promise<StormValue> {
      return load();
    }
  }
  @Injectable()
  class JitteredEarlyRefresh {
    @Cacheable({ name: 'storm', key, ttl: ttlMs, earlyRefresh: { beta: 1 } })
    find(_id: string, load: StormLoader): Promise<StormValue> {
      return load();
    }
  }
  @Injectable()
  class Swr {
    @StaleWhileRevalidate({ name: 'storm', key, fresh: ttlMs, stale, jitter: 0 })
    find(_id: string, load: StormLoader): Promise<StormValue> {
      return load();
    }
  }
  @Injectable()
  class SwrJittered {
    @StaleWhileRevalidate({ name: 'storm', key, fresh: ttlMs, stale })
    find(_id: string, load: StormLoader): Promise<StormValue> {
      return load();
    }
  }
  return { Fixed, Jittered, EarlyRefresh, JitteredEarlyRefresh, Swr, SwrJittered };
}

@Module({})
class StormAppModule {
  static register(redisUrl: string, namespace: string, repository: Type): DynamicModule {
    // The module's jitter is left at its default (0.1); rows that turn it off say so in their definition.
    return {
      module: StormAppModule,
      imports: [CacheKitModule.forRoot({ redis: redisUrl, namespace })],
      providers: [repository],
    };
  }
}

function cachekitRow(name: string, freshMaxMs: number, repository: Type<{ find: StormCache['get'] }>): StormRow {
  return {
    name,
    freshMaxMs,
    open: async (redisUrl, namespace) => {
      const app: INestApplicationContext = await NestFactory.createApplicationContext(
        StormAppModule.register(redisUrl, namespace, repository),
        { logger: false, abortOnError: false },
      );
      await app.init();
      const instance = app.get(repository);
      return { get: (id, load) => instance.find(id, load), close: () => app.close() };
    },
  };
}

function naiveRow(ttlMs: number): StormRow {
  return {
    name: 'naive cache-aside, fixed TTL',
    freshMaxMs: ttlMs,
    open: async (redisUrl, namespace) => {
      const redis = new Redis(redisUrl);
      return {
        // GET; on a miss load and SET with PX: no single-flight, no jitter.
        get: async (id, load) => {
          const hit = await redis.get(`${namespace}:${id}`);
          if (hit !== null) return JSON.parse(hit) as StormValue;
          const value = await load();
          await redis.set(`${namespace}:${id}`, JSON.stringify(value), 'PX', ttlMs);
          return value;
        },
        close: async () => void (await redis.quit()),
      };
    },
  };
}

function bentoRow(name: string, ttlMs: number, grace: number | false): StormRow {
  return {
    name,
    freshMaxMs: ttlMs,
    open: async (redisUrl, namespace) => {
      const bento = new BentoCache({
        default: 'redis',
        prefix: namespace,
        stores: { redis: bentostore().useL2Layer(redisDriver({ connection: new Redis(redisUrl) })) },
      });
      const store = bento.use('redis');
      return {
        // With grace and the default soft timeout of 0, an expired entry is returned at once while
        // the factory refreshes it in the background.
        get: (id, load) => store.getOrSet({ key: id, factory: load, ttl: ttlMs, grace }),
        close: () => bento.disconnectAll(),
      };
    },
  };
}

/** cache-manager 7 `wrap` and cacheable `getOrSet`, each over Keyv with @keyv/redis (no jitter, no grace). */
function keyvRows(ttlMs: number): StormRow[] {
  const keyv = (redisUrl: string, namespace: string) => new Keyv({ store: new KeyvRedis(redisUrl), namespace });
  return [
    {
      name: 'cache-manager wrap (Keyv + @keyv/redis)',
      freshMaxMs: ttlMs,
      open: async (redisUrl, namespace) => {
        const cache = createCache({ stores: [keyv(redisUrl, namespace)] });
        return {
          get: (id, load) => cache.wrap(id, load, ttlMs),
          close: async () => void (await cache.disconnect()),
        };
      },
    },
    {
      name: 'cacheable getOrSet (Keyv redis only)',
      freshMaxMs: ttlMs,
      open: async (redisUrl, namespace) => {
        const cache = new CacheableLib({ primary: keyv(redisUrl, namespace), ttl: ttlMs });
        return {
          get: async (id, load) => (await cache.getOrSet(id, load, { ttl: ttlMs })) as StormValue,
          close: () => cache.disconnect(),
        };
      },
    },
  ];
}

/** Every row of the scenario, the naive one (the ratio's reference) first. */
export function stormRows(ttlMs: number): StormRow[] {
  const jittered = Math.round(ttlMs * 1.1);
  const r = repositories(ttlMs);
  return [
    naiveRow(ttlMs),
    cachekitRow('cachekit @Cacheable, jitter 0', ttlMs, r.Fixed),
    cachekitRow('cachekit @Cacheable, jitter 0.1 (default)', jittered, r.Jittered),
    cachekitRow('cachekit @Cacheable, jitter 0, earlyRefresh beta 1', ttlMs, r.EarlyRefresh),
    cachekitRow('cachekit @Cacheable, jitter 0.1, earlyRefresh beta 1', jittered, r.JitteredEarlyRefresh),
    cachekitRow('cachekit @StaleWhileRevalidate, jitter 0', ttlMs, r.Swr),
    cachekitRow('cachekit @StaleWhileRevalidate, jitter 0.1 (default)', jittered, r.SwrJittered),
    bentoRow('bentocache getOrSet (L2 redis)', ttlMs, false),
    bentoRow('bentocache getOrSet, grace (L2 redis)', ttlMs, ttlMs * 10),
    ...keyvRows(ttlMs),
  ];
}
