import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { CatalogueModule, CatalogueService, Money, Price, ProductDto, productDtoById } from './revive.fixture.js';

const STORES: [string, () => CacheKitModuleOptions][] = [
  ['standalone Redis', () => ({ redis: inject('redisUrl') })],
  ['Redis Cluster', () => ({ redis: { cluster: inject('clusterNodes') } })],
  ['the memory store', () => ({})],
  ['Redis with an L1', () => ({ redis: inject('redisUrl'), l1: { maxEntries: 100, ttl: '5s' } })],
];

function expectProduct(value: unknown, id: number): void {
  expect(value).toBeInstanceOf(ProductDto);
  const product = value as ProductDto;
  expect(product.title).toBe(`#${id} Product ${id}`);
  expect(product.isNewerThan(new Date('2026-01-01T00:00:00Z'))).toBe(true);
  expect(product.price).toBeInstanceOf(Price); // nested, through class-transformer's @Type
  expect(product.price.label).toBe(`${(id * 10).toFixed(2)} EUR`);
}

describe.each(STORES)('type: a class on %s', (_, options) => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  async function boot(): Promise<CatalogueService> {
    app = await bootApp({ ...options(), namespace: uniqueNamespace() }, { imports: [CatalogueModule] });
    return app.get(CatalogueService);
  }

  it('the loading caller and every later caller get instances of the class', async () => {
    const service = await boot();
    expectProduct(await service.findOne(1), 1); // the load
    expectProduct(await service.findOne(1), 1); // a hit (L1 or store)
    expectProduct(await service.findOne(1), 1);
    expect(service.loads).toBe(1);
  });

  it('callers that joined a running load get instances, each its own', async () => {
    const service = await boot();
    service.delayMs = 50;
    const [a, b, c] = await Promise.all([service.findOne(2), service.findOne(2), service.findOne(2)]);
    for (const value of [a, b, c]) expectProduct(value, 2);
    expect(service.loads).toBe(1);
    expect(b).not.toBe(c);
  });

  it('a method returning plain objects hands out instances on the miss too', async () => {
    const service = await boot();
    const first = await service.findPlain(1);
    const second = await service.findPlain(1);
    for (const value of [first, second]) {
      expect(value).toBeInstanceOf(ProductDto);
      expect(value.title).toBe('#1 plain');
      expect(value.price).toBeInstanceOf(Price);
    }
    expect(service.loads).toBe(1);
  });

  it('arrays are revived element by element; null stays null', async () => {
    const service = await boot();
    await service.list('lamps');
    const list = await service.list('lamps');
    expect(list.map((item) => item instanceof ProductDto)).toEqual([true, true]);
    expect(list[1]!.title).toBe('#2 lamps 2');
    expect(await service.findOne(101)).toBeNull();
  });

  it('a revive hook serves a class without class-transformer metadata', async () => {
    const service = await boot();
    expect((await service.balance(2)).format()).toBe('3.00 EUR');
    const hit = await service.balance(2);
    expect(hit).toBeInstanceOf(Money);
    expect(hit.format()).toBe('3.00 EUR');
    expect(service.loads).toBe(1);
  });

  it('CacheKit.get and getOrSet revive too', async () => {
    const service = await boot();
    await service.findOne(3);
    const cacheKit = app.get(CacheKit);
    expectProduct(await cacheKit.get(productDtoById, 3), 3);
    expectProduct(await cacheKit.getOrSet(productDtoById, [3], () => service.findOne(3)), 3);
  });
});
