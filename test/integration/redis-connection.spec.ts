import { Test } from '@nestjs/testing';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, CacheKitModule, CacheKitOptionsError } from '../../lib/index.js';
import { FakeConfigModule, FakeConfigService } from '../fixtures/async-config.fixture.js';
import { ProductModule, ProductService, productById } from '../fixtures/product.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

describe('the module Redis connection', () => {
  it('builds options with forRootAsync from injected configuration', async () => {
    const namespace = uniqueNamespace();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRootAsync({
          imports: [FakeConfigModule.with({ REDIS_URL: inject('redisUrl'), NS: namespace })],
          inject: [FakeConfigService],
          useFactory: (config: FakeConfigService) => ({ redis: config.get('REDIS_URL'), namespace: config.get('NS') }),
        }),
        ProductModule,
      ],
    }).compile();
    const app = await moduleRef.init();
    await app.get(ProductService).findOne(1);
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    expect(await redis.exists(`{${namespace}:product:#1}`)).toBe(1);
    await app.close();
    expect(redis.status).toBe('end'); // a connection the module opened is closed at shutdown
  });

  it('fails the boot on an invalid option with an error naming it', async () => {
    await expect(bootApp({ defaultTtl: '5 minutes' as never })).rejects.toThrow(CacheKitOptionsError);
    await expect(bootApp({ defaultTtl: '5 minutes' as never })).rejects.toThrow(/Option 'defaultTtl'/);
  });

  it('uses a client the app passed in and never closes it', async () => {
    const client = new Redis(inject('redisUrl'));
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: client, namespace }, { imports: [ProductModule] });
    expect(app.get(CACHEKIT_REDIS)).toBe(client);
    await app.get(ProductService).findOne(2);
    await app.close();
    expect(client.status).toBe('ready');
    expect(await client.exists(`{${namespace}:product:#2}`)).toBe(1);
    await client.quit();
  });

  it('jitters the TTL of every entry written', async () => {
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: inject('redisUrl'), namespace, jitter: 0.2 });
    const cache = app.get(CacheKit);
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    const ttls: number[] = [];
    for (let i = 0; i < 50; i++) {
      await cache.set(`k${i}`, i, { ttl: 100_000 });
      ttls.push(await redis.pttl(`{${namespace}:~raw:k${i}}`));
    }
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(79_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    }
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(10_000);
    await app.close();
  });
});

describe('on a 3-master Redis Cluster', () => {
  it('caches, puts, evicts and clears across slots without CROSSSLOT errors', async () => {
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: { cluster: inject('clusterNodes') }, namespace }, { imports: [ProductModule] });
    const service = app.get(ProductService);
    const client = app.get<Cluster>(CACHEKIT_REDIS);
    expect(client).toBeInstanceOf(Cluster);
    await service.findOne(1);
    await service.findOne(2);
    await service.findOne(1);
    expect(service.loads).toBe(2);
    await service.rename(2, 'Standing desk');
    expect((await service.findOne(2))?.name).toBe('Standing desk');
    await service.reprice(2); // allEntries: the cache name's generation, one key
    expect((await service.findOne(1))?.price).toBe(60);
    expect(service.loads).toBe(3);
    const cache = app.get(CacheKit);
    const ids = Array.from({ length: 30 }, (_, i) => i + 10);
    for (const id of ids) await cache.set(productById, [id], { id, name: `p${id}`, price: 1, updatedAt: new Date() });
    const slots = new Set(
      await Promise.all(ids.map((id) => client.cluster('KEYSLOT', `{${namespace}:product:#${id}}`))),
    );
    expect(slots.size).toBeGreaterThan(1);
    expect(await cache.clear(productById)).toBe(true);
    expect(await Promise.all(ids.map((id) => cache.get(productById, id)))).toEqual(ids.map(() => undefined));
    await app.close();
  });
});
