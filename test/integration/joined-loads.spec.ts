import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

const products = defineCache({ name: 'joined', key: (id: number) => id });

interface Product {
  name: string;
  sizes: string[];
  updatedAt?: Date;
}

/** `callers` concurrent callers of one cold entry; the loader runs once and takes 30 ms. */
async function stampede(cache: CacheKit, id: number, callers: number, product: () => Product) {
  let loads = 0;
  const load = async () => {
    loads++;
    await sleep(30);
    return product();
  };
  const values = await Promise.all(Array.from({ length: callers }, () => cache.getOrSet(products, [id], load)));
  return { values: values as Product[], loads };
}

describe('callers that joined one load', () => {
  const apps: INestApplicationContext[] = [];
  const boot = async (options: CacheKitModuleOptions) => {
    const app = await bootApp(options, {});
    apps.push(app);
    return app.get(CacheKit);
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('with an L1, share the one deeply frozen value the L1 holds: no caller can change what another gets', async () => {
    const cache = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), l1: { ttl: '1m' } });
    const { values, loads } = await stampede(cache, 1, 50, () => ({ name: 'Lamp', sizes: ['S', 'M'] }));
    expect(loads).toBe(1);
    for (const value of values) expect(value).toBe(values[0]);
    const [first] = values;
    expect(Object.isFrozen(first) && Object.isFrozen(first.sizes)).toBe(true);
    expect(() => {
      first.name = 'changed';
    }).toThrow(TypeError);
    expect(() => first.sizes.push('L')).toThrow(TypeError);
    for (const value of values) expect(value).toEqual({ name: 'Lamp', sizes: ['S', 'M'] });
    // The next caller is an L1 hit on the very same object.
    expect(await cache.getOrSet(products, [1], async () => ({ name: 'other', sizes: [] }))).toBe(first);
  });

  it('with an L1, get their own copies of a value freezing cannot protect (a Date)', async () => {
    const cache = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), l1: { ttl: '1m' } });
    const updatedAt = new Date('2026-05-01T00:00:00Z');
    const { values, loads } = await stampede(cache, 2, 20, () => ({ name: 'Desk', sizes: ['L'], updatedAt }));
    expect(loads).toBe(1);
    expect(new Set(values).size).toBe(values.length);
    values[1].updatedAt!.setUTCFullYear(1999);
    values[2].name = 'mutated';
    values[3].sizes.push('XL');
    for (const value of [values[0], ...values.slice(4)]) {
      expect(value).toEqual({ name: 'Desk', sizes: ['L'], updatedAt: new Date('2026-05-01T00:00:00Z') });
    }
  });

  it('without an L1, get their own mutable copies, as every hit does', async () => {
    const cache = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace() });
    const { values, loads } = await stampede(cache, 3, 20, () => ({ name: 'Chair', sizes: ['M'] }));
    expect(loads).toBe(1);
    expect(new Set(values).size).toBe(values.length);
    values[1].name = 'mutated';
    values[2].sizes.push('XL');
    for (const value of [values[0], ...values.slice(3)]) expect(value).toEqual({ name: 'Chair', sizes: ['M'] });
    expect(await cache.getOrSet(products, [3], async () => ({ name: 'other', sizes: [] }))).toEqual({
      name: 'Chair',
      sizes: ['M'],
    });
  });

  it('waiting on another instance load, get their own copies of the value it stored', async () => {
    const namespace = uniqueNamespace();
    const holder = await boot({ redis: inject('redisUrl'), namespace });
    const waiter = await boot({ redis: inject('redisUrl'), namespace });
    let loads = 0;
    const load = async () => {
      loads++;
      await sleep(150);
      return { name: 'Shelf', sizes: ['S'] };
    };
    const held = holder.getOrSet(products, [4], load);
    await sleep(30); // the holder has the lease now
    const values = (await Promise.all(
      Array.from({ length: 20 }, () => waiter.getOrSet(products, [4], load)),
    )) as Product[];
    await held;
    expect(loads).toBe(1);
    expect(new Set(values).size).toBe(values.length);
    values[1].name = 'mutated';
    values[2].sizes.push('XL');
    for (const value of [values[0], ...values.slice(3)]) expect(value).toEqual({ name: 'Shelf', sizes: ['S'] });
  });
});
