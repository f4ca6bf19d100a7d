// Uses the built package (run `npm run build` first; `npm test` does): `nestjs-cachekit/keyv`
// through the exports map, next to the core, as an application would.
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import { Test } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { Cluster, Redis } from 'ioredis';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CACHEKIT_OPTIONS, CACHEKIT_REDIS, CacheKitModule } from 'nestjs-cachekit';
import { CacheKitKeyvModuleContext, CacheKitKeyvStore, cacheKitKeyvStores } from 'nestjs-cachekit/keyv';
import { describe, expect, inject, it } from 'vitest';
import { uniqueNamespace } from '../support/app.js';

const ROOT = join(import.meta.dirname, '..', '..');
const OPTIONAL = /^(keyv|cache-manager|@nestjs\/cache-manager|@keyv\/.*|typeorm|@nestjs\/typeorm|prom-client)$/;

/** Every module specifier imported by a file and, transitively, by the package files it imports. */
function importGraph(entry: string, sourceExtension: '.ts' | '.js'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    graph.set(file, specifiers);
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      const target = resolve(dirname(file), specifier.replace(/\.js$/, sourceExtension));
      if (existsSync(target)) pending.push(target);
    }
  }
  return graph;
}

describe('the nestjs-cachekit/keyv subpath', () => {
  it('the core (index and everything it imports) never imports keyv, cache-manager, typeorm or prom-client', () => {
    for (const [entry, extension] of [
      ['lib/index.ts', '.ts'],
      ['dist/lib/index.js', '.js'],
    ] as const) {
      const graph = importGraph(join(ROOT, entry), extension);
      expect(graph.size).toBeGreaterThan(20);
      const offenders = [...graph].flatMap(([file, specifiers]) =>
        specifiers
          .filter((s) => OPTIONAL.test(s) || /(^|\/)(keyv|typeorm|prometheus)\//.test(s))
          .map((s) => `${relative(ROOT, file)} -> ${s}`),
      );
      expect(offenders).toEqual([]);
    }
  });

  it('wires @nestjs/cache-manager to the module connection through the built package', async () => {
    const namespace = uniqueNamespace();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot({ redis: inject('redisUrl'), namespace }),
        CacheModule.registerAsync({
          isGlobal: true,
          inject: [CACHEKIT_REDIS, CACHEKIT_OPTIONS],
          useFactory: (redis: Redis | Cluster | null, options: CacheKitKeyvModuleContext) => ({
            stores: cacheKitKeyvStores(redis, options, { namespace: 'http' }),
          }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      const cache = app.get<Cache>(CACHE_MANAGER);
      await cache.set('greeting', 'hello', 10_000);
      expect(await cache.get('greeting')).toBe('hello');
      const redis = app.get<Redis>(CACHEKIT_REDIS);
      expect(await redis.exists(`${namespace}:keyv:http:greeting`)).toBe(1);
      const store = cache.stores[0]!.store as CacheKitKeyvStore;
      expect(store).toBeInstanceOf(CacheKitKeyvStore);
      expect(store.client).toBe(redis);
      await cache.clear();
      expect(await redis.exists(`${namespace}:keyv:http:greeting`)).toBe(0);
    } finally {
      await app.close();
    }
  });
});
