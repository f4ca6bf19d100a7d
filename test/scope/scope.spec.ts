import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { NoteModule, NoteService, asTenant, noteById, tenants } from './scope.fixture.js';

const STORES: [string, () => CacheKitModuleOptions][] = [
  ['standalone Redis', () => ({ redis: inject('redisUrl') })],
  ['Redis Cluster', () => ({ redis: { cluster: inject('clusterNodes') } })],
  ['Redis with an L1', () => ({ redis: inject('redisUrl'), l1: { maxEntries: 100 } })],
];

describe.each(STORES)('scoped keys (multi-tenancy) on %s', (_, options) => {
  let app: INestApplicationContext;
  let service: NoteService;
  let cacheKit: CacheKit;
  afterEach(() => app?.close());

  async function boot(scope: () => string | undefined = () => tenants.getStore()): Promise<void> {
    app = await bootApp({ ...options(), namespace: uniqueNamespace(), scope }, { imports: [NoteModule] });
    service = app.get(NoteService);
    cacheKit = app.get(CacheKit);
  }

  it('two tenants, same arguments: each reads its own row, each cached', async () => {
    await boot();
    expect(await asTenant('acme', () => service.findOne(1))).toBe("acme's note 1");
    expect(await asTenant('globex', () => service.findOne(1))).toBe("globex's note 1");
    expect(await asTenant('acme', () => service.findOne(1))).toBe("acme's note 1");
    expect(await asTenant('globex', () => service.findOne(1))).toBe("globex's note 1");
    expect(service.loads).toEqual(['acme:1', 'globex:1']);
  });

  it("a tag eviction, a key eviction and a clear in one tenant leave the other's entries", async () => {
    await boot();
    for (const tenant of ['acme', 'globex']) await asTenant(tenant, () => service.findOne(1));
    await asTenant('acme', () => service.touch(1));
    await asTenant('acme', () => service.findOne(1));
    await asTenant('globex', () => service.findOne(1));
    expect(service.loads).toEqual(['acme:1', 'globex:1', 'acme:1']);
    await asTenant('acme', () => service.remove(1));
    await asTenant('acme', () => cacheKit.clear(noteById));
    await asTenant('acme', () => cacheKit.evictTags(['note:1']));
    await asTenant('globex', () => service.findOne(1));
    expect(service.loads).toEqual(['acme:1', 'globex:1', 'acme:1']);
  });

  it('outside any scope: reads run uncached, evictions reach every tenant', async () => {
    await boot();
    expect(await service.findOne(2)).toBe("(none)'s note 2");
    expect(await service.findOne(2)).toBe("(none)'s note 2");
    expect(service.loads).toEqual(['(none):2', '(none):2']);
    for (const tenant of ['acme', 'globex']) await asTenant(tenant, () => service.findOne(1));
    await service.touch(1); // a job with no tenant: the tag goes in every tenant
    for (const tenant of ['acme', 'globex']) await asTenant(tenant, () => service.findOne(1));
    expect(service.loads.slice(2)).toEqual(['acme:1', 'globex:1', 'acme:1', 'globex:1']);
    await service.remove(1); // a key without a tenant: every tenant's entries of the cache go
    for (const tenant of ['acme', 'globex']) await asTenant(tenant, () => service.findOne(1));
    expect(service.loads.slice(6)).toEqual(['acme:1', 'globex:1']);
  });

  it('a definition with scope: false is shared by every tenant and evicted by a tag eviction in any', async () => {
    await boot();
    await asTenant('acme', () => service.rate('EUR'));
    await asTenant('globex', () => service.rate('EUR'));
    await service.rate('EUR');
    expect(service.loads).toEqual(['rate:EUR']);
    await asTenant('globex', () => cacheKit.evictTags(['currency:EUR']));
    await asTenant('acme', () => service.rate('EUR'));
    expect(service.loads).toEqual(['rate:EUR', 'rate:EUR']);
  });

  it('batches are scoped too', async () => {
    await boot();
    await asTenant('acme', () => service.findOne(1));
    const globex = await asTenant('globex', () => service.findByIds([1, 2]));
    expect([...globex.values()]).toEqual(["globex's note 1", "globex's note 2"]);
    const acme = await asTenant('acme', () => service.findByIds([1, 2]));
    expect([...acme.values()]).toEqual(["acme's note 1", "acme's note 2"]);
    expect(service.loads).toEqual(['acme:1', 'globex:1', 'globex:2', 'acme:2']);
  });

  it('scopes holding : * { } are encoded: they neither collide nor widen an eviction', async () => {
    await boot();
    const hostile = ['a', 'a:b', 'a%3Ab', 'a*', '{a}', 'a}:~sb', '~sa:'];
    for (const tenant of hostile) expect(await asTenant(tenant, () => service.findOne(1))).toBe(`${tenant}'s note 1`);
    for (const tenant of hostile) expect(await asTenant(tenant, () => service.findOne(1))).toBe(`${tenant}'s note 1`);
    expect(service.loads).toHaveLength(hostile.length);
    await asTenant('a*', () => service.touch(1));
    await asTenant('a*', () => cacheKit.clear(noteById));
    for (const tenant of hostile) await asTenant(tenant, () => service.findOne(1));
    expect(service.loads.slice(hostile.length)).toEqual(['a*:1']);
  });

  it('a scope function that throws or returns no string: uncached, never an error', async () => {
    let mode: 'throw' | 'number' | 'ok' = 'throw';
    await boot(() => {
      if (mode === 'throw') throw new Error('no request context');
      return (mode === 'number' ? 42 : 'acme') as string;
    });
    expect(await service.findOne(1)).toBe("(none)'s note 1");
    mode = 'number';
    expect(await service.findOne(1)).toBe("(none)'s note 1");
    expect(service.loads).toHaveLength(2);
    mode = 'ok';
    await service.findOne(1);
    await service.findOne(1);
    expect(service.loads).toHaveLength(3);
  });
});

describe('scope option', () => {
  it('must be a function', async () => {
    await expect(bootApp({ scope: 'tenant' as never }, {})).rejects.toThrow(/Option 'scope' must be a function/);
  });
});
