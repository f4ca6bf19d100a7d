import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, defineCache } from '../../lib/index.js';
import { L1Tier } from '../../lib/l1/l1-tier.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { dropPayload } from '../support/stored-entries.js';

const blobs = defineCache({ name: 'blob', key: (id: number) => id });
const dated = defineCache({ name: 'dated', key: (id: number) => id });
const MiB = 1024 * 1024;
const VALUE_CHARS = 200_000;

describe('the L1 byte bound (l1.maxBytes)', () => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  // Counts the entries L1 still serves: each one's Redis copy is gone, so only L1 can answer.
  async function servedFromL1(app: INestApplicationContext, namespace: string, name: string, count: number) {
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    for (let id = 0; id < count; id++) await dropPayload(redis, `{${namespace}:${name}:#${id}}`);
    const cache = app.get(CacheKit);
    const served: number[] = [];
    const definition = name === 'blob' ? blobs : dated;
    for (let id = 0; id < count; id++) if ((await cache.get(definition, id)) !== undefined) served.push(id);
    return served;
  }

  it('holds frozen values (plain objects) to maxBytes by their encoded size', async () => {
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: inject('redisUrl'), namespace, l1: { maxBytes: MiB, ttl: '1m' } });
    apps.push(app);
    const cache = app.get(CacheKit);
    for (let id = 0; id < 50; id++) {
      await cache.getOrSet(blobs, [id], async () => ({ id, blob: 'x'.repeat(VALUE_CHARS) }));
    }
    const frozen = await cache.get(blobs, 49);
    expect(Object.isFrozen(frozen)).toBe(true); // the frozen path, the one that counted 1 byte per entry

    const served = await servedFromL1(app, namespace, 'blob', 50);
    // 50 values of ~200 KB under 1 MiB: at most 5 fit; the most recent ones stay.
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(served.length).toBeLessThanOrEqual(Math.floor(MiB / VALUE_CHARS));
    expect(served).toContain(49);
  });

  it('holds serialized values (holding Dates) to maxBytes too', async () => {
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: inject('redisUrl'), namespace, l1: { maxBytes: MiB, ttl: '1m' } });
    apps.push(app);
    const cache = app.get(CacheKit);
    for (let id = 0; id < 20; id++) {
      await cache.getOrSet(dated, [id], async () => ({ at: new Date(0), blob: 'y'.repeat(VALUE_CHARS) }));
    }
    const served = await servedFromL1(app, namespace, 'dated', 20);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(served.length).toBeLessThanOrEqual(Math.floor(MiB / VALUE_CHARS));
  });
});

describe('L1Tier sizing (a pure unit)', () => {
  const settings = { maxEntries: 10_000, maxBytes: MiB, ttlMs: 60_000 };

  it('without an encoded body, bounds entries by an estimate of the value', () => {
    const l1 = new L1Tier(settings);
    for (let id = 0; id < 50; id++) {
      l1.set(`k${id}`, { id, blob: 'x'.repeat(VALUE_CHARS) }, undefined, 0, [], 60_000, l1.epoch);
    }
    // Strings count two bytes per character without a body: at most 2 of ~400 KB fit.
    expect(l1.size).toBeGreaterThanOrEqual(1);
    expect(l1.size).toBeLessThanOrEqual(2);
    expect(l1.get('k49')).toBeDefined();
  });

  it('an entry larger than maxBytes is refused and leaves nothing in the tag index', () => {
    const l1 = new L1Tier({ ...settings, maxBytes: 1_000 });
    const body = new Uint8Array(5_000);
    for (let id = 0; id < 100; id++) l1.set(`k${id}`, { id }, body, 0, [`tag:${id}`], 60_000, l1.epoch);
    expect(l1.size).toBe(0);
    expect(l1.indexedTags).toBe(0);
  });
});
