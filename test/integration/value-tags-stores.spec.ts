import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { ProductModule, ProductService } from './value-tags.fixture.js';
import { cli } from '../cli/cli-runner.js';
import { storedPayload } from '../support/stored-entries.js';

describe('tags from the loaded value on the in-memory store', () => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  it('an eviction of a value tag during the load leaves the fill a no-op; a later load is stored', async () => {
    app = await bootApp({ namespace: uniqueNamespace() }, { imports: [ProductModule] });
    const service = app.get(ProductService);
    const cache = app.get(CacheKit);
    const held = service.hold();
    const loading = service.findOne(1);
    await held.started;
    await cache.evictTags(['category:books']);
    held.release();
    await loading;
    await service.findOne(1); // the fenced fill stored nothing: loads again, and this one is stored
    await service.findOne(1);
    expect(service.loads).toBe(2);
    await cache.evictTags(['category:books']);
    await service.findOne(1);
    expect(service.loads).toBe(3);
  });
});

describe('entries of the older hash layout', () => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  it('read as misses, never as values, and are replaced by the next load', async () => {
    const namespace = uniqueNamespace();
    app = await bootApp({ redis: inject('redisUrl'), namespace }, { imports: [ProductModule] });
    const cache = app.get(CacheKit);
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    const plain = defineCache({ name: 'plain', key: (id: number) => id, tags: (id: number) => [`plain:${id}`] });
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cache.getOrSet(plain, [1], load);
    await cache.getOrSet(plain, [2], load);
    // As an instance of the older layout stores them: the same payload in a hash, with its version.
    for (const id of [1, 2]) {
      const key = `{${namespace}:plain:#${id}}`;
      const payload = (await storedPayload(redis, key))!;
      await redis.del(key);
      await redis.hset(key, 'd', payload, 'v', 'old.1', 't', '');
    }
    expect(await cache.getOrSet(plain, [1], load)).toEqual({ n: 3 });
    expect(await cache.getMany(plain, [2], async () => new Map([[2, { n: 99 }]]))).toEqual(new Map([[2, { n: 99 }]]));
    expect(await redis.type(`{${namespace}:plain:#1}`)).toBe('string');
    expect(await cache.getOrSet(plain, [1], load)).toEqual({ n: 3 });
    expect(loads).toBe(3);
  });
});

describe('cachekit evict-tag and tags from the value', () => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  it('an evict-tag run during a load fences a fill carrying that tag from its value', async () => {
    const namespace = uniqueNamespace();
    app = await bootApp({ redis: inject('redisUrl'), namespace }, { imports: [ProductModule] });
    const service = app.get(ProductService);
    const held = service.hold();
    const loading = service.findOne(1);
    await held.started;
    const run = await cli('--redis', inject('redisUrl'), '--namespace', namespace, 'evict-tag', 'category:books');
    expect(run.code).toBe(0);
    held.release();
    await loading;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the fill is not awaited by its caller
    await service.findOne(1);
    expect(service.loads).toBe(2);
  });
});
