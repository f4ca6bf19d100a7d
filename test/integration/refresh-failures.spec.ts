import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { BackgroundRefresher } from '../../lib/engine/loading/background-refresher.js';
import { RateLimitedLogger } from '../../lib/observability/rate-limited-logger.js';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { uniqueNamespace } from '../support/app.js';
import { engineOver, planFor } from '../support/engine.js';

const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };
const BOUND = 50;

/** The refresher remembers failed refreshes (for their backoff): that memory must not grow with the keyspace. */
describe('background refresh failures', () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis(inject('redisUrl'));
  });
  afterAll(() => client.quit());

  it('many distinct keys failing their refresh keep the failure records bounded', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { engine, store, stats } = engineOver(new RedisEntryStore(client, TIMES));
    const refresher = new BackgroundRefresher(engine, store, stats, new RateLimitedLogger(new Logger('Test')), BOUND);
    const ns = uniqueNamespace();
    let loads = 0;
    const failing = async () => {
      loads++;
      throw new Error('origin down');
    };
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < BOUND; i++) refresher.trigger(planFor(`{${ns}:refresh:${round}:${i}}`), failing);
      await vi.waitFor(() => expect(refresher.running).toBe(0), { timeout: 10_000, interval: 5 });
    }
    expect(loads).toBe(4 * BOUND); // every refresh ran and failed
    expect(refresher.failingKeys).toBeLessThanOrEqual(BOUND);

    // The most recent failures are still remembered: their keys back off.
    refresher.trigger(planFor(`{${ns}:refresh:3:${BOUND - 1}}`), failing);
    expect(refresher.running).toBe(0);
    expect(loads).toBe(4 * BOUND);
    vi.restoreAllMocks();
  });
});
