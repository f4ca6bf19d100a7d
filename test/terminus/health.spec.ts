import { Controller, Get, INestApplication, Injectable, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Cacheable, CacheKitModule, CacheKitModuleOptions } from '../../lib/index.js';
import { CacheKitHealthError, CacheKitHealthIndicator, CacheKitHealthModule } from '../../lib/terminus/index.js';
import type { CacheKitHealthModuleOptions } from '../../lib/terminus/index.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';

@Injectable()
class ProductService {
  @Cacheable({ name: 'product', key: (id: number) => id, ttl: '1m' })
  async product(id: number): Promise<{ id: number }> {
    return { id };
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cache: CacheKitHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.cache.isHealthy()]);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function boot(cacheOptions: CacheKitModuleOptions, healthOptions: CacheKitHealthModuleOptions = {}) {
  @Module({
    imports: [
      CacheKitModule.forRoot({ namespace: uniqueNamespace(), ...cacheOptions }),
      TerminusModule,
      CacheKitHealthModule.forRoot(healthOptions),
    ],
    controllers: [HealthController],
    providers: [ProductService],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.init();
  cleanups.push(() => app.close());
  return { app, products: app.get(ProductService), indicator: app.get(CacheKitHealthIndicator) };
}

async function ownRedis(): Promise<RedisServer> {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  return server;
}

// Enough failed reads to open the read breaker (failures: 2), each bounded by the operation timeout.
async function failReads(products: ProductService): Promise<void> {
  for (let i = 0; i < 4; i++) await products.product(i);
}

describe('CacheKitHealthIndicator', () => {
  it('reports up with Redis up: reachable, a round trip, closed breakers, the bus subscribed', async () => {
    const { app } = await boot({ redis: inject('redisUrl'), l1: { maxEntries: 10, ttl: '5s' } });
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.status).toBe('ok');
    const cache = response.body.details.cache;
    expect(cache).toMatchObject({
      status: 'up',
      store: 'redis',
      reachable: true,
      breaker: { reads: 'closed', writes: 'closed' },
      pendingEvictions: 0,
      bus: 'subscribed',
    });
    expect(cache.latencyMs).toBeGreaterThanOrEqual(0);
    expect(cache.problems).toBeUndefined();
  });

  it('reports up for the in-memory store (nothing to reach)', async () => {
    const { indicator } = await boot({});
    expect(await indicator.isHealthy()).toEqual({
      cache: expect.objectContaining({ status: 'up', store: 'memory', reachable: true }),
    });
  });

  it('keeps the pod in rotation by default with Redis down: degraded, HTTP 200, the breaker open', async () => {
    const server = await ownRedis();
    const { app, products } = await boot({ redis: server.url, operationTimeout: 100, breaker: { failures: 2 } });
    await server.stop();
    await failReads(products);
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    const cache = response.body.info?.cache ?? response.body.details.cache;
    expect(cache).toMatchObject({ status: 'degraded', reachable: false, breaker: { reads: 'open' } });
    expect(cache.problems.join(' ')).toContain('did not answer PING');
  });

  it("takes the pod out with whenStoreDown: 'down' and a frozen Redis (SIGSTOP), within the timeout", async () => {
    const server = await ownRedis();
    const { app } = await boot({ redis: server.url, operationTimeout: 100 }, { whenStoreDown: 'down', timeoutMs: 300 });
    server.freeze();
    const started = performance.now();
    const response = await request(app.getHttpServer()).get('/health').expect(503);
    // Generous bound: the PING deadline is 300 ms; a frozen server would otherwise hang the probe.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(response.body.error.cache).toMatchObject({ status: 'down', reachable: false });
    server.thaw();
    const recovered = await request(app.getHttpServer()).get('/health').expect(200);
    expect(recovered.body.details.cache).toMatchObject({ status: 'up', reachable: true });
  });

  it('refuses a bad option at boot, naming it', () => {
    expect(() => CacheKitHealthModule.forRoot({ timeoutMs: 0 })).toThrow(CacheKitHealthError);
    expect(() => CacheKitHealthModule.forRoot({ whenStoreDown: 'maybe' as never })).toThrow(/whenStoreDown/);
  });
});
