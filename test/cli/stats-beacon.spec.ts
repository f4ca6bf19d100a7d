import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { beaconKey } from '../../lib/keys/key-layout.js';
import { StatsBeacon } from '../../lib/observability/stats-beacon.js';
import { RateLimitedLogger } from '../../lib/observability/rate-limited-logger.js';
import { uniqueNamespace } from '../support/app.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.quit());

const store = {
  kind: 'redis',
  reads: { failures: 0, timeouts: 0 },
  writes: { failures: 0, timeouts: 0 },
  breaker: { reads: 'closed', writes: 'closed' },
  pendingEvictions: 0,
  droppedEvictions: 0,
} as const;

describe('StatsBeacon', () => {
  it('rewrites the snapshot with a TTL of three intervals, carries the report once it resolves, and removes itself', async () => {
    const key = beaconKey(uniqueNamespace(), 'api-1');
    let reads = 0;
    let reports = 0;
    const beacon = new StatsBeacon(
      redis,
      key,
      'api-1',
      100,
      () => ({ stats: { product: { hits: ++reads } as never }, store: { ...store } }),
      new RateLimitedLogger(new Logger('test')),
      async () => ({ caches: { product: { verdict: { kind: 'pays', reason: `report ${++reports}` } } } }),
    );
    beacon.start();
    await expect
      .poll(async () => JSON.parse((await redis.get(key)) ?? '{}').report?.caches?.product?.verdict?.reason, {
        timeout: 5_000,
      })
      .toBe('report 1');
    const snapshot = JSON.parse((await redis.get(key))!);
    expect(snapshot).toMatchObject({ instance: 'api-1', intervalMs: 100, store: { kind: 'redis' } });
    expect(snapshot.stats.product.hits).toBeGreaterThanOrEqual(2);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    // The report samples the store: it is not asked again at every write.
    expect(reports).toBe(1);
    await beacon.stop();
    expect(await redis.exists(key)).toBe(0);
  });
});
