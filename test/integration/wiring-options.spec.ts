import { INestApplicationContext, Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { CacheKitModuleOptions } from '../../lib/index.js';
import { StockModule, StockService } from '../fixtures/evict-options.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

const stores: [string, () => CacheKitModuleOptions][] = [
  ['memory store', () => ({ namespace: uniqueNamespace() })],
  ['redis store', () => ({ namespace: uniqueNamespace(), redis: inject('redisUrl') })],
];

describe.each(stores)('eviction and cache options on the %s', (_, options) => {
  let app: INestApplicationContext;
  let stock: StockService;
  beforeEach(async () => {
    app = await bootApp(options(), { imports: [StockModule] });
    stock = app.get(StockService);
  });
  afterEach(() => app.close());

  it('@CacheEvict with beforeInvocation evicts even when the method throws', async () => {
    expect(await stock.level('lamp')).toBe(5);
    await expect(stock.recount('lamp', 3)).rejects.toThrow('recount of lamp not confirmed');
    expect(await stock.level('lamp')).toBe(3);
    expect(stock.loads).toBe(2);
  });

  it('@CacheEvict evicts only when its condition holds', async () => {
    await stock.level('sample-lamp');
    await stock.touch('sample-lamp');
    expect(await stock.level('sample-lamp')).toBe(1);
    expect(stock.loads).toBe(1);
    await stock.level('lamp');
    await stock.touch('lamp');
    expect(await stock.level('lamp')).toBe(6);
    expect(stock.loads).toBe(3);
  });

  it('a false condition skips the cache for both reading and storing', async () => {
    expect(await stock.reading('lamp')).toBe(5);
    expect(await stock.reading('lamp')).toBe(5);
    expect(stock.loads).toBe(1);
    expect(await stock.reading('live:lamp')).toBe(5);
    stock.levels.set('live:lamp', 9);
    expect(await stock.reading('live:lamp')).toBe(9); // not a hit on what the first read returned
    expect(stock.loads).toBe(3);
  });

  it('unless keeps a result out of the cache', async () => {
    expect(await stock.available('desk')).toBe(0);
    stock.levels.set('desk', 4);
    expect(await stock.available('desk')).toBe(4);
    expect(await stock.available('desk')).toBe(4);
    expect(stock.loads).toBe(2);
  });
});

describe('the default namespace', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Boots and closes an app, and returns the warnings about the namespace it logged. */
  async function namespaceWarnings(options: CacheKitModuleOptions): Promise<string[]> {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    const app = await bootApp(options);
    await app.close();
    return warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes("'namespace'"));
  }

  it('is warned about once at boot when a Redis store keeps it: other apps on that Redis share it', async () => {
    const warnings = await namespaceWarnings({ redis: inject('redisUrl') });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/default 'cache'/);
    expect(warnings[0]).toMatch(/Redis/);
    expect(warnings[0]).toMatch(/set namespace/i);
  });

  it('is not warned about with a namespace of its own, or on the memory store', async () => {
    expect(await namespaceWarnings({ redis: inject('redisUrl'), namespace: uniqueNamespace() })).toEqual([]);
    expect(await namespaceWarnings({ redis: inject('redisUrl'), namespace: 'cache' })).toEqual([]);
    expect(await namespaceWarnings({})).toEqual([]);
  });
});
