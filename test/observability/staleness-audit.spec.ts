import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Cacheable, CacheEvict, CacheKit, CacheDefinitionError, defineCache } from '../../lib/index.js';
import type { CacheKitModuleOptions } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const audit = { sampleRate: 0.2, maxPerSecond: 1_000, concurrency: 8, grace: 100 };
const productById = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '1m',
  tags: (id: number) => [`product:${id}`],
  audit,
});

/** A table and its reads; one write path forgets the eviction, the other has it. */
@Injectable()
class ProductService {
  readonly prices = new Map<number, number>([1, 2, 3, 4, 5].map((id) => [id, 100]));
  loads = 0;

  @Cacheable(productById)
  async findOne(id: number): Promise<{ id: number; price: number }> {
    this.loads++;
    await new Promise((resolve) => setImmediate(resolve));
    return { id, price: this.prices.get(id)! };
  }

  /** The missing invalidation rule: the cached product keeps its old price. */
  async setPriceWithoutEviction(id: number, price: number): Promise<void> {
    this.prices.set(id, price);
  }

  @CacheEvict({ tags: (id: number) => [`product:${id}`] })
  async setPrice(id: number, price: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.prices.set(id, price);
  }
}

@Module({ providers: [ProductService], exports: [ProductService] })
class CatalogModule {}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function boot(options: CacheKitModuleOptions = {}) {
  const app = await bootApp(
    { redis: inject('redisUrl'), namespace: uniqueNamespace(), ...options },
    { imports: [CatalogModule] },
  );
  apps.push(app);
  return { products: app.get(ProductService), kit: app.get(CacheKit) };
}

describe('the staleness audit', () => {
  it('finds a write path with no eviction rule within a bounded number of hits', async () => {
    const { products, kit } = await boot();
    await products.findOne(3);
    await products.setPriceWithoutEviction(3, 250);
    // Each hit is sampled with probability 0.2: 200 hits all unsampled has probability 0.8^200 (4e-20).
    let hits = 0;
    while (kit.stats().product!.audit.checks === 0 && hits < 200) {
      expect((await products.findOne(3)).price).toBe(100); // callers still get the stale cached value
      hits++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hits).toBeLessThan(200);
    await expect.poll(() => kit.stats().product!.audit.mismatches, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);

    const found = kit.stats().product!.audit;
    const finding = found.recent[0]!;
    expect(finding.keyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(finding.tags).toEqual(['product:3']);
    expect(finding.ageMs).toBeGreaterThanOrEqual(0);
    expect(finding.ageMs).toBeLessThan(60_000);
    expect(found.inconclusive).toBe(0);
    // Shadow reads ran the method again, in the background: one load for the miss, one per check.
    expect(products.loads).toBe(1 + found.checks + found.skipped);
  });

  it('reports no mismatch for a correctly invalidated cache under concurrent reads and writes', async () => {
    const { products, kit } = await boot();
    let stop = false;
    const reader = async () => {
      while (!stop) await products.findOne(1 + Math.floor(Math.random() * 5));
    };
    const writer = async () => {
      for (let price = 101; !stop; price++) {
        await products.setPrice(1 + Math.floor(Math.random() * 5), price);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const running = [reader(), reader(), reader(), reader(), writer()];
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stop = true;
    await Promise.all(running);
    await new Promise((resolve) => setTimeout(resolve, audit.grace * 3)); // the last grace periods end

    const found = kit.stats().product!.audit;
    expect(found.checks).toBeGreaterThan(20); // the audit did compare, many times
    expect(found.mismatches).toBe(0);
    expect(found.recent).toEqual([]);
  });

  it('audits hits of CacheKit.getOrSet: re-runs the loader passed to the call and finds a missing eviction', async () => {
    const { products, kit } = await boot();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setImmediate(resolve));
      return { id: 4, price: products.prices.get(4)! };
    };
    await kit.getOrSet(productById, [4], load);
    await products.setPriceWithoutEviction(4, 320);
    // Each hit is sampled with probability 0.2: 200 hits all unsampled has probability 0.8^200 (4e-20).
    let hits = 0;
    while (kit.stats().product!.audit.checks === 0 && hits < 200) {
      expect((await kit.getOrSet(productById, [4], load)).price).toBe(100);
      hits++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hits).toBeLessThan(200);
    await expect.poll(() => kit.stats().product!.audit.mismatches, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    const found = kit.stats().product!.audit;
    expect(found.recent[0]).toMatchObject({ keyHash: expect.stringMatching(/^[0-9a-f]{16}$/), tags: ['product:4'] });
    expect(found.recent[0]!.ageMs).toBeGreaterThanOrEqual(0);
    // The shadow reads ran the loader given to getOrSet (the method was never called).
    expect(loads).toBe(1 + found.checks + found.skipped);
    expect(products.loads).toBe(0);
  });

  it('reports no mismatch on a getOrSet path whose writes evict, under concurrent reads and writes', async () => {
    const { products, kit } = await boot();
    const load = (id: number) => async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return { id, price: products.prices.get(id)! };
    };
    let stop = false;
    const reader = async () => {
      while (!stop) {
        const id = 1 + Math.floor(Math.random() * 5);
        await kit.getOrSet(productById, [id], load(id));
      }
    };
    const writer = async () => {
      for (let price = 101; !stop; price++) {
        await products.setPrice(1 + Math.floor(Math.random() * 5), price);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const running = [reader(), reader(), reader(), reader(), writer()];
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stop = true;
    await Promise.all(running);
    await new Promise((resolve) => setTimeout(resolve, audit.grace * 3));

    const found = kit.stats().product!.audit;
    expect(found.checks).toBeGreaterThan(20);
    expect(found.mismatches).toBe(0);
    expect(found.recent).toEqual([]);
  });

  it('reports the age of an entry served by L1: the time since it was written to the store', async () => {
    const { products, kit } = await boot({ l1: { maxEntries: 100, ttl: '1m' }, latencySampling: 1 });
    await products.findOne(2); // miss: stored, and copied to L1
    const writtenAt = Date.now();
    await products.setPriceWithoutEviction(2, 180);
    await new Promise((resolve) => setTimeout(resolve, 300)); // an age well above the clock's resolution
    let hits = 0;
    while (kit.stats().product!.audit.checks === 0 && hits < 200) {
      expect((await products.findOne(2)).price).toBe(100);
      hits++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hits).toBeLessThan(200);
    await expect.poll(() => kit.stats().product!.audit.mismatches, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    const stats = kit.stats().product!;
    expect(stats.latency.l1Hit.count).toBeGreaterThan(0);
    expect(stats.latency.storeHit.count).toBe(0); // every hit came from L1
    const finding = stats.audit.recent[0]!;
    expect(finding.ageMs).toBeGreaterThanOrEqual(300);
    expect(finding.ageMs).toBeLessThanOrEqual(Date.now() - writtenAt + 50);
  });

  it('rejects a bad audit option where the cache is defined, naming it', async () => {
    expect(() => defineCache({ name: 'x', audit: { sampleRate: 2 } })).toThrow(CacheDefinitionError);
    expect(() => defineCache({ name: 'x', audit: { sampleRate: 0.1, concurency: 2 } as never })).toThrow(
      /Did you mean 'audit.concurrency'/,
    );
  });
});
