import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { storedPayload } from '../support/stored-entries.js';

const report = defineCache({ name: 'report', key: (id: number) => id });
const big = { rows: Array.from({ length: 2_000 }, (_, i) => ({ id: i, label: `row number ${i}`, at: new Date(0) })) };

describe('compression', () => {
  const apps: INestApplicationContext[] = [];
  const boot = async (options: CacheKitModuleOptions) => {
    const app = await bootApp(options);
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('stores large values deflated and reads them back, also on instances without the option', async () => {
    const namespace = uniqueNamespace();
    const writer = await boot({ redis: inject('redisUrl'), namespace, compression: { minBytes: 1_024 } });
    const reader = await boot({ redis: inject('redisUrl'), namespace });
    await writer.get(CacheKit).set(report, [1], big);
    await reader.get(CacheKit).set(report, [2], big);
    const redis = writer.get<Redis>(CACHEKIT_REDIS);
    const compressed = (await storedPayload(redis, `{${namespace}:report:#1}`))!;
    const plain = (await storedPayload(redis, `{${namespace}:report:#2}`))!;
    expect(compressed.byteLength).toBeLessThan(plain.byteLength / 3);
    expect(await reader.get(CacheKit).get(report, 1)).toEqual(big);
    expect(await writer.get(CacheKit).get(report, 2)).toEqual(big);
  });

  it('leaves small values as they are', async () => {
    const namespace = uniqueNamespace();
    const app = await boot({ redis: inject('redisUrl'), namespace, compression: {} });
    await app.get(CacheKit).set(report, [3], { small: true });
    const payload = (await storedPayload(app.get<Redis>(CACHEKIT_REDIS), `{${namespace}:report:#3}`))!;
    expect(payload[3]).toBe(0); // the envelope's "compressed" flag
    expect(await app.get(CacheKit).get(report, 3)).toEqual({ small: true });
  });
});
