import { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';

interface Product {
  id: number;
  category: string;
}

// Its fill first reads the versions of the tags taken from the value: a store call after the load.
const product = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '1m',
  resultTags: (value: Product) => [`category:${value.category}`],
});

// A lease holder whose store call failed after its load (a timeout: the store was slow for a
// moment) must still give the lease back: else every other instance's caller of that key waits
// out singleFlight.wait (5 s) behind a lease nobody will fill under.
describe('a lease holder whose fill failed on the store', () => {
  const namespace = uniqueNamespace();
  const apps: INestApplicationContext[] = [];
  let proxy: FaultProxy;
  let holder: CacheKit;
  let other: CacheKit;

  beforeAll(async () => {
    proxy = await startFaultProxyProcess({ target: { port: Number(new URL(inject('redisUrl')).port) } });
    const boot = async (redis: string) => {
      const app = await bootApp({ redis, namespace, operationTimeout: 200 });
      apps.push(app);
      return app.get(CacheKit);
    };
    holder = await boot(proxy.url);
    other = await boot(inject('redisUrl'));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await proxy?.stop();
  });

  it('gives the lease back, so another instance loads at once once the store answers', async () => {
    const loaded = await holder.getOrSet(product, [1], async () => {
      // The holder's next store calls (value tag versions, then the release) are held: they time out here.
      await proxy.set(faults.blackhole(), { direction: 'up' });
      return { id: 1, category: 'lamps' };
    });
    expect(loaded).toEqual({ id: 1, category: 'lamps' });
    await proxy.clear(); // what was held reaches Redis now
    let loads = 0;
    const started = performance.now();
    const value = await other.getOrSet(product, [1], async () => {
      loads++;
      return { id: 1, category: 'lamps' };
    });
    const waitedMs = performance.now() - started;
    expect(value).toEqual({ id: 1, category: 'lamps' });
    expect(loads).toBe(1); // the holder's fill failed: nothing was stored
    expect(waitedMs).toBeLessThan(2_500); // not singleFlight.wait (5 s)
  }, 20_000);
});
