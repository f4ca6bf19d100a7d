// @nestjs/cache-manager (CACHE_MANAGER, CacheInterceptor) over the cache module's own Redis
// connection and namespace, through cacheKitKeyvStores().
import 'reflect-metadata';
import { CACHE_MANAGER, CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import {
  Controller,
  Get,
  INestApplication,
  Injectable,
  Logger,
  ModuleMetadata,
  Param,
  UseInterceptors,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { Cluster, Redis } from 'ioredis';
import { Keyv } from 'keyv';
import request from 'supertest';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import {
  CACHEKIT_OPTIONS,
  CACHEKIT_REDIS,
  CacheKit,
  CacheKitModule,
  CacheKitModuleOptions,
  Cacheable,
} from '../../lib/index.js';
import {
  CacheKitKeyvMemoryStore,
  CacheKitKeyvModuleContext,
  CacheKitKeyvStore,
  cacheKitKeyvStores,
} from '../../lib/keyv/index.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';

@Controller('quotes')
@UseInterceptors(CacheInterceptor)
class QuotesController {
  served = 0;

  @Get(':id')
  quote(@Param('id') id: string): { id: string; served: number } {
    return { id, served: ++this.served };
  }
}

/** A module entry whose cache name is 'keyv': its key `{ns:keyv:#1}` must stay apart from Keyv's. */
@Injectable()
class ReportService {
  loads = 0;

  @Cacheable({ name: 'keyv', key: (id: number) => id, ttl: '1m' })
  async report(id: number): Promise<string> {
    return `report ${id} #${++this.loads}`;
  }
}

function cacheManagerModule() {
  return CacheModule.registerAsync({
    isGlobal: true,
    inject: [CACHEKIT_REDIS, CACHEKIT_OPTIONS],
    useFactory: (redis: Redis | Cluster | null, options: CacheKitKeyvModuleContext) => ({
      stores: cacheKitKeyvStores(redis, options),
      ttl: 60_000,
    }),
  });
}

let app: INestApplication | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
  vi.restoreAllMocks();
});

async function boot(options: CacheKitModuleOptions, metadata: ModuleMetadata = {}): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [CacheKitModule.forRoot(options), cacheManagerModule(), ...(metadata.imports ?? [])],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function connectedClients(redis: Redis): Promise<number> {
  const info = await redis.info('clients');
  return Number(/connected_clients:(\d+)/.exec(info)![1]);
}

describe('CACHE_MANAGER on the cache module connection (standalone Redis)', () => {
  let server: RedisServer;

  it('get / set / del / mset / mget, stored under <namespace>:keyv:keyv:<key>, on the module client', async () => {
    server = await startRedisServer();
    const probe = new Redis(server.url);
    cleanups.push(() => server.stop());
    cleanups.push(() => probe.quit());
    const before = await connectedClients(probe);

    const namespace = uniqueNamespace();
    const http = await boot({ redis: server.url, namespace });
    const cache = http.get<Cache>(CACHE_MANAGER);

    await cache.set('greeting', { hello: 'world' }, 30_000);
    expect(await cache.get('greeting')).toEqual({ hello: 'world' });
    const key = `${namespace}:keyv:keyv:greeting`;
    expect(JSON.parse((await probe.get(key))!).value).toEqual({ hello: 'world' });
    const pttl = await probe.pttl(key);
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);

    await cache.mset([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    expect(await cache.mget(['a', 'b', 'c'])).toEqual([1, 2, undefined]);

    expect(await cache.del('greeting')).toBe(true);
    expect(await cache.get('greeting')).toBeUndefined();
    expect(await probe.exists(key)).toBe(0);

    // The store runs on the module's client, and nothing opened another connection: the probe,
    // the module's client and its bus subscriber are all the server sees.
    const store = cache.stores[0]!.store as CacheKitKeyvStore;
    expect(store).toBeInstanceOf(CacheKitKeyvStore);
    expect(store.client).toBe(http.get(CACHEKIT_REDIS));
    expect(await connectedClients(probe)).toBe(before + 2);

    // Closing the app: cache-manager disconnects its stores first, which must leave the module's
    // client to the module, which closes it.
    const moduleClient = http.get<Redis>(CACHEKIT_REDIS);
    await http.close();
    app = undefined;
    expect(moduleClient.status).toBe('end');
  });
});

for (const kind of ['standalone', 'cluster'] as const) {
  describe(`@nestjs/cache-manager over the module (${kind} Redis)`, () => {
    const redisOption = (): CacheKitModuleOptions['redis'] =>
      kind === 'standalone' ? inject('redisUrl') : { cluster: inject('clusterNodes') };

    it('CacheInterceptor serves the second GET from Redis', async () => {
      const namespace = uniqueNamespace();
      const http = await boot({ redis: redisOption(), namespace }, { controllers: [QuotesController] });
      const first = await request(http.getHttpServer()).get('/quotes/7').expect(200);
      const second = await request(http.getHttpServer()).get('/quotes/7').expect(200);
      expect(first.body).toEqual({ id: '7', served: 1 });
      expect(second.body).toEqual(first.body);
      expect(http.get(QuotesController).served).toBe(1);

      const redis = http.get<Redis | Cluster>(CACHEKIT_REDIS);
      expect(await redis.exists(`${namespace}:keyv:keyv:/quotes/7`)).toBe(1);
      const store = http.get<Cache>(CACHE_MANAGER).stores[0]!.store as CacheKitKeyvStore;
      expect(store.client).toBe(redis);

      // Evicted through cache-manager: the next GET runs the handler again.
      await http.get<Cache>(CACHE_MANAGER).del('/quotes/7');
      expect((await request(http.getHttpServer()).get('/quotes/7').expect(200)).body).toEqual({ id: '7', served: 2 });
    });

    it("clear() deletes its own keys only: the module's entries and other namespaces stay", async () => {
      const namespace = uniqueNamespace();
      const otherNamespace = uniqueNamespace();
      const http = await boot({ redis: redisOption(), namespace }, { providers: [ReportService] });
      const cache = http.get<Cache>(CACHE_MANAGER);
      const redis = http.get<Redis | Cluster>(CACHEKIT_REDIS);
      const reports = http.get(ReportService);
      const cacheKit = http.get(CacheKit);

      expect(await reports.report(1)).toBe('report 1 #1');
      await cacheKit.set('raw', 'module entry');
      // Another Keyv namespace in the same cache namespace, and the same Keyv namespace in another one.
      const otherKeyv = new Keyv({
        store: new CacheKitKeyvStore(redis, { cacheNamespace: namespace }),
        namespace: 'other',
      });
      const otherCache = new Keyv({ store: new CacheKitKeyvStore(redis, { cacheNamespace: otherNamespace }) });
      await otherKeyv.set('x', 'other keyv namespace');
      await otherCache.set('x', 'other cache namespace');
      for (let i = 0; i < 50; i++) await cache.set(`k${i}`, i);

      await cache.clear();

      expect(await cache.mget(['k0', 'k49'])).toEqual([undefined, undefined]);
      expect(await reports.report(1)).toBe('report 1 #1'); // still a hit: no load
      expect(reports.loads).toBe(1);
      expect(await redis.exists(`{${namespace}:keyv:#1}`)).toBe(1);
      expect(await cacheKit.get('raw')).toBe('module entry');
      expect(await otherKeyv.get('x')).toBe('other keyv namespace');
      expect(await otherCache.get('x')).toBe('other cache namespace');
      await otherKeyv.clear();
      await otherCache.clear();
    });
  });
}

describe('@nestjs/cache-manager when the cache module has no Redis', () => {
  it('uses a bounded in-process store, sized like the module memory store, and says so once', async () => {
    const log = vi.spyOn(Logger.prototype, 'log');
    const http = await boot(
      { namespace: uniqueNamespace(), memory: { maxEntries: 50 } },
      { controllers: [QuotesController] },
    );
    const cache = http.get<Cache>(CACHE_MANAGER);
    const store = cache.stores[0]!.store as CacheKitKeyvMemoryStore;
    expect(store).toBeInstanceOf(CacheKitKeyvMemoryStore);
    expect(store.opts.maxEntries).toBe(50);
    const notices = log.mock.calls.filter(([message]) => String(message).includes('@nestjs/cache-manager'));
    expect(notices).toHaveLength(1);

    await cache.set('greeting', 'hello', 10_000);
    expect(await cache.get('greeting')).toBe('hello');
    await request(http.getHttpServer()).get('/quotes/1').expect(200);
    await request(http.getHttpServer()).get('/quotes/1').expect(200);
    expect(http.get(QuotesController).served).toBe(1);
    for (let i = 0; i < 60; i++) await cache.set(`k${i}`, i);
    expect(await cache.get('k0')).toBeUndefined();
    expect(await cache.get('k59')).toBe(59);
  });
});
