import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const thumbnail = defineCache({ name: 'thumbnail', key: (id: number) => id });

/** Bytes a caller gets are its own: changing them never changes what the next caller gets. */
describe('typed arrays in cached values', () => {
  let app: INestApplicationContext;
  afterEach(() => app.close());

  it.each<[string, Partial<CacheKitModuleOptions>]>([
    ['from Redis', {}],
    ['from L1', { l1: { ttl: '1m' } }],
  ])('%s, a hit gets its own bytes, not a view of the stored entry', async (_, extra) => {
    app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace(), ...extra });
    const cache = app.get(CacheKit);
    const load = async () => ({ pixels: new Uint8Array([1, 2, 3, 4]), scale: new Float64Array([0.5]) });
    await cache.getOrSet(thumbnail, [1], load);

    const first = (await cache.get(thumbnail, 1)) as Awaited<ReturnType<typeof load>>;
    first.pixels[0] = 99;
    first.scale[0] = 7;
    const second = (await cache.get(thumbnail, 1)) as Awaited<ReturnType<typeof load>>;
    expect([...second.pixels]).toEqual([1, 2, 3, 4]);
    expect([...second.scale]).toEqual([0.5]);
    expect(second.pixels.buffer.byteLength).toBe(4); // not the whole serialized entry
    expect(second.pixels.byteOffset).toBe(0);
  });
});
