import { INestApplicationContext } from '@nestjs/common';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { Product, ProductModule, ProductService, productById } from '../fixtures/product.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const stores: [string, () => CacheKitModuleOptions][] = [
  ['memory store', () => ({ namespace: uniqueNamespace() })],
  ['redis store', () => ({ namespace: uniqueNamespace(), redis: inject('redisUrl') })],
];

describe.each(stores)('decorators on the %s', (_, options) => {
  let app: INestApplicationContext;
  let service: ProductService;
  let cache: CacheKit;

  beforeEach(async () => {
    app = await bootApp(options(), { imports: [ProductModule] });
    service = app.get(ProductService);
    cache = app.get(CacheKit);
  });
  afterEach(() => app.close());

  it('loads once and then serves hits equal to the loaded value', async () => {
    const first = await service.findOne(1);
    const second = await service.findOne(1);
    expect(service.loads).toBe(1);
    expect(second).toEqual(first);
    expect(second?.updatedAt).toBeInstanceOf(Date);
  });

  it('gives each caller a copy: mutating a result does not change the next hit', async () => {
    await service.findOne(1);
    const hit = (await service.findOne(1))!;
    hit.name = 'mutated';
    expect((await service.findOne(1))!.name).toBe('Lamp');
  });

  it('runs the loader once for 50 concurrent misses, and all callers get the same value', async () => {
    service.delayMs = 30;
    const results = await Promise.all(Array.from({ length: 50 }, () => service.findOne(2)));
    expect(service.loads).toBe(1);
    for (const result of results) expect(result).toEqual(results[0]);
    results[1]!.name = 'changed';
    expect(results[2]!.name).toBe('Desk');
  });

  it('shares a loader error with concurrent callers and never caches it', async () => {
    service.delayMs = 20;
    service.failNext = true;
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => service.findOne(1)));
    expect(service.loads).toBe(1);
    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason.message).toBe('database unavailable for 1');
    }
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect(service.loads).toBe(2);
  });

  it('goes through the cache on this.method() calls', async () => {
    await service.viaThis(1);
    await service.viaThis(1);
    await service.findOne(1);
    expect(service.loads).toBe(1);
  });

  it('does not cache null unless cacheNull is set', async () => {
    expect(await service.findOne(99)).toBeNull();
    expect(await service.findOne(99)).toBeNull();
    expect(service.loads).toBe(2);
    service.loads = 0;
    expect(await service.findMaybe(99)).toBeNull();
    expect(await service.findMaybe(99)).toBeNull();
    expect(service.loads).toBe(1);
  });

  it('caches an Observable method and keeps it cold', async () => {
    const stream = service.stream(1);
    expect(service.loads).toBe(0);
    const first = await firstValueFrom(stream.pipe(toArray()));
    const second = await firstValueFrom(service.stream(1).pipe(toArray()));
    expect(first).toEqual([service.rows.get(1)]);
    expect(second).toEqual(first);
    expect(service.loads).toBe(1);
  });

  it('@CacheEvict evicts after the method resolves, and not when it throws', async () => {
    await service.findOne(1);
    await expect(service.update(1, { price: -1 })).rejects.toThrow('price must be positive');
    await service.findOne(1);
    expect(service.loads).toBe(1);
    await service.update(1, { price: 35 });
    expect((await service.findOne(1))?.price).toBe(35);
    expect(service.loads).toBe(2);
  });

  it('@CacheEvict allEntries clears every entry of the cache', async () => {
    await service.findOne(1);
    await service.findOne(2);
    await service.reprice(2);
    expect((await service.findOne(1))?.price).toBe(60);
    expect((await service.findOne(2))?.price).toBe(400);
    expect(service.loads).toBe(4);
  });

  it('@CacheEvict({ tags }) and CacheKit.evictTags invalidate every entry carrying the tag', async () => {
    await service.findOne(1);
    await service.findOne(2);
    await service.touch(1);
    expect((await service.findOne(1))?.price).toBe(31);
    expect(service.loads).toBe(3);
    await service.findOne(2);
    expect(service.loads).toBe(3); // product:2 untouched
    expect(await cache.evictTags(['product:2'])).toBe(true);
    await service.findOne(2);
    expect(service.loads).toBe(4);
  });

  it('@CachePut stores the result under the key readers use', async () => {
    await service.findOne(1);
    await service.rename(1, 'Floor lamp');
    expect((await service.findOne(1))?.name).toBe('Floor lamp');
    expect(service.loads).toBe(1);
  });

  it('CacheKit reads and evicts the same keys as the decorators', async () => {
    await service.findOne(1);
    expect(((await cache.get(productById, 1)) as Product | undefined)?.name).toBe('Lamp');
    expect(await cache.evict(productById, 1)).toBe(true);
    expect(await cache.get(productById, 1)).toBeUndefined();
    const loaded = await cache.getOrSet(productById, [2], async () => ({
      ...service.rows.get(2)!,
      name: 'from getOrSet',
    }));
    expect(loaded.name).toBe('from getOrSet');
    expect((await service.findOne(2))?.name).toBe('from getOrSet');
    expect(await cache.set('greeting', { hello: 'world' }, { ttl: '1m' })).toBe(true);
    expect(await cache.get('greeting')).toEqual({ hello: 'world' });
    expect(cache.stats().product.hits).toBeGreaterThan(0);
  });
});
