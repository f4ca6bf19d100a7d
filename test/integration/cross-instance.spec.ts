import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';
import { CacheWorker, WorkerConfig } from '../support/workers.js';

const WORKERS = 4;
const CALLERS = 250;

describe('single-flight across 4 processes', () => {
  let redis: Redis;
  let workers: CacheWorker[] = [];
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.close()));
    workers = [];
  });

  const config = (namespace: string, extra: Partial<WorkerConfig> = {}): WorkerConfig => ({
    redisUrl: inject('redisUrl'),
    namespace,
    key: 'hot',
    callers: CALLERS,
    loaderMs: 50,
    label: 'cold',
    ...extra,
  });

  it(`${WORKERS} x ${CALLERS} concurrent misses on one cold key run the loader once; everyone gets its value`, async () => {
    const namespace = uniqueNamespace();
    workers = await Promise.all(Array.from({ length: WORKERS }, () => CacheWorker.start(config(namespace))));
    workers.forEach((w) => w.go());
    const results = await Promise.all(workers.map((w) => w.next('done')));
    expect(Number(await redis.get(`${namespace}:loader-runs`))).toBe(1);
    const values = new Set(results.flatMap((r) => r.values));
    expect(values.size).toBe(1);
    expect([...values][0]).toMatch(/^cold-\d+$/);
  });

  it(`${WORKERS} x ${CALLERS} concurrent reads of one stale key run one refresh in total`, async () => {
    const namespace = uniqueNamespace();
    const swr = { fresh: 200, stale: 60_000 };
    const app = await bootApp({ redis: inject('redisUrl'), namespace });
    const seed = defineCache({ name: 'shared', key: (id: string) => id, swr });
    await app.get(CacheKit).getOrSet(seed, ['hot'], async () => ({ value: 'seed' }));
    await app.close();
    await sleep(250); // stale now
    workers = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        CacheWorker.start(config(namespace, { swr, loaderMs: 300, label: 'refreshed' })),
      ),
    );
    workers.forEach((w) => w.go());
    const results = await Promise.all(workers.map((w) => w.next('done')));
    for (const value of results.flatMap((r) => r.values!)) expect(value).toBe('seed'); // served stale at once
    await Promise.all(workers.map((w) => w.close())); // shutdown waits for the refresh
    expect(Number(await redis.get(`${namespace}:loader-runs`))).toBe(1);
  });

  it('a killed refresh owner is replaced after its lease expires; callers never see an error', async () => {
    const namespace = uniqueNamespace();
    const swr = { fresh: 100, stale: 60_000, refreshTimeout: 30_000 };
    const singleFlight = { wait: '5s', lease: '3s' };
    const app = await bootApp({ redis: inject('redisUrl'), namespace });
    const seed = defineCache({ name: 'shared', key: (id: string) => id, swr });
    await app.get(CacheKit).getOrSet(seed, ['hot'], async () => ({ value: 'seed' }));
    await app.close();
    // Every instance boots first, so slow process starts cannot eat into the lease window.
    const [owner, survivor, after] = await Promise.all([
      CacheWorker.start(config(namespace, { swr, singleFlight, callers: 1, loaderMs: 60_000, label: 'hung' })),
      CacheWorker.start(config(namespace, { swr, singleFlight, callers: 5, loaderMs: 20, label: 'survivor' })),
      CacheWorker.start(config(namespace, { swr, singleFlight, callers: 1, loaderMs: 20, label: 'after' })),
    ]);
    workers = [owner, survivor, after];
    await sleep(150); // stale now
    owner.go();
    await owner.next('loader-start'); // it holds the refresh lease now
    owner.kill();
    const killedAt = Date.now();
    survivor.go();
    expect((await survivor.next('done')).values).toEqual(Array(5).fill('seed')); // stale, no error
    expect(Date.now() - killedAt).toBeLessThan(3_000); // ...while the dead owner's lease was still held
    await sleep(3_100 - (Date.now() - killedAt)); // the lease expires
    after.go();
    expect((await after.next('done')).values).toEqual(['seed']);
    await after.next('refresh-success');
    expect(Number(await redis.get(`${namespace}:loader-runs`))).toBe(2); // the hung one, then one replacement
  });
});
