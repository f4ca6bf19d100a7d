import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, CacheKitModuleOptions, defineCache, v8Serializer } from '../../lib/index.js';
import { unwrap } from '../../lib/engine/entry/envelope.js';
import { JSON_FORMAT } from '../../lib/serialization/json-format.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { storedPayload } from '../support/stored-entries.js';

const V8_FORMAT = 0xff;
const report = defineCache({ name: 'report', key: (id: number) => id, ttl: '1m' });
const plain = { id: 1, title: 'Q4', rows: [{ sku: 'A-1', units: 12, share: 0.25 }], approved: null };
const rich = { id: 2, at: new Date('2026-11-30T08:00:00Z'), units: new Map([['A-1', 12n]]), sites: new Set(['FRA']) };

/** Instances of one namespace on one Redis, some on the v8 serializer (before an upgrade), some on the default. */
describe('serializer formats across instances', () => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function instance(namespace: string, options: Partial<CacheKitModuleOptions> = {}) {
    const app = await bootApp({ redis: inject('redisUrl'), namespace, ...options });
    apps.push(app);
    return { cache: app.get(CacheKit), redis: app.get<Redis>(CACHEKIT_REDIS) };
  }

  async function storedFormat(redis: Redis, namespace: string, id: number): Promise<number | undefined> {
    const payload = await storedPayload(redis, `{${namespace}:report:#${id}}`);
    return payload ? unwrap(payload)?.body[0] : undefined;
  }

  it('the default reads what a v8 instance wrote (no flush on upgrade), and a v8 instance reads what the default wrote', async () => {
    const namespace = uniqueNamespace();
    const before = await instance(namespace, { serializer: v8Serializer });
    const after = await instance(namespace);
    let loads = 0;
    const load = (value: unknown) => async () => (loads++, value);

    await before.cache.getOrSet(report, [1], load(plain));
    await before.cache.getOrSet(report, [2], load(rich));
    expect(await storedFormat(before.redis, namespace, 1)).toBe(V8_FORMAT);
    expect(await after.cache.getOrSet(report, [1], load('reloaded'))).toEqual(plain);
    expect(await after.cache.getOrSet(report, [2], load('reloaded'))).toEqual(rich);
    expect(loads).toBe(2);

    // Entries the default writes: JSON when exact, v8 otherwise; the v8 instance reads both (a rollback).
    await after.cache.evict(report, 1);
    await after.cache.evict(report, 2);
    await after.cache.getOrSet(report, [1], load(plain));
    await after.cache.getOrSet(report, [2], load(rich));
    expect(await storedFormat(after.redis, namespace, 1)).toBe(JSON_FORMAT);
    expect(await storedFormat(after.redis, namespace, 2)).toBe(V8_FORMAT);
    expect(await before.cache.getOrSet(report, [1], load('reloaded'))).toEqual(plain);
    expect(await before.cache.getOrSet(report, [2], load('reloaded'))).toEqual(rich);
    expect(loads).toBe(4);
  });

  it('an L1 over the JSON format still gives each caller a copy of its own', async () => {
    const namespace = uniqueNamespace();
    const { cache } = await instance(namespace, { l1: { maxEntries: 100, ttl: '5s' } });
    const first = (await cache.getOrSet(report, [3], async () => structuredClone(plain))) as typeof plain;
    const hit = (await cache.get(report, 3)) as typeof plain;
    expect(hit).toEqual(plain);
    expect(hit !== first || Object.isFrozen(hit)).toBe(true); // a copy, or frozen
    try {
      hit.rows[0].units = 0; // a frozen copy throws in strict mode; a private one changes
    } catch {
      // frozen: nobody else can see a change either
    }
    expect(await cache.get(report, 3)).toEqual(plain);
  });
});
