import { afterEach, describe, expect, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { freePort } from '../support/redis-server.js';
import { Apps, EphemeralRedis, scenarioOptions, sleep } from '../reliability/reliability.helpers.js';

const KEYS = 20;
const CALLERS = 20;
const OUTAGE_MS = 3_000;
const product = defineCache({ name: 'product', key: (id: number) => id, ttl: '1m', tags: (id: number) => [`p:${id}`] });

/** An origin that counts its loads and sleeps like a small query. */
class Database {
  loads = 0;
  version = 1;
  load(id: number) {
    return async () => {
      this.loads++;
      await sleep(5);
      return { id, version: this.version };
    };
  }
}

/** `CALLERS` loops over `KEYS` keys for `ms`: how many calls answered and failed. */
async function traffic(cache: CacheKit, db: Database, ms: number): Promise<{ answered: number; failed: number }> {
  let answered = 0;
  let failed = 0;
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let i = caller; Date.now() < until; i++) {
        const id = i % KEYS;
        await cache.getOrSet(product, [id], db.load(id)).then(
          () => answered++,
          () => failed++,
        );
        await sleep(1);
      }
    }),
  );
  return { answered, failed };
}

describe('origin protection while Redis is down (outage fallback)', () => {
  const apps = new Apps();
  let server: EphemeralRedis | undefined;
  afterEach(async () => {
    await apps.close();
    await server?.stop().catch(() => undefined);
    server = undefined;
  });

  const outage = async (extra: CacheKitModuleOptions = {}) => {
    server = await EphemeralRedis.start(await freePort());
    const cache = await apps.boot(scenarioOptions(server.url, uniqueNamespace(), extra));
    const db = new Database();
    await traffic(cache, db, 300); // warm: every key cached
    const warm = db.loads;
    await server.stop(); // killed: connection refused from now on
    const during = await traffic(cache, db, OUTAGE_MS);
    const loads = db.loads - warm;
    return { cache, db, during, loads, perSecond: loads / (OUTAGE_MS / 1000) };
  };

  it('with Redis killed, origin loads are bounded by keys per staleness window, not by the request rate', async () => {
    const on = await outage({ outageFallback: {} }); // the default (the scenario's options turn it off)
    await apps.close();
    const off = await outage({ outageFallback: false });
    console.log(
      `[outage] ${KEYS} keys, ${CALLERS} callers, Redis killed ${OUTAGE_MS} ms: with the fallback ${on.during.answered} calls, ` +
        `${on.loads} origin loads (${on.perSecond.toFixed(1)}/s); without ${off.during.answered} calls, ${off.loads} loads (${off.perSecond.toFixed(1)}/s)`,
    );
    expect(on.during.failed).toBe(0);
    expect(off.during.failed).toBe(0);
    // The default staleness (5 s) outlasts the outage: about one load per key in all.
    expect(on.loads).toBeLessThanOrEqual(KEYS * 2);
    expect(on.during.answered).toBeGreaterThan(KEYS * 10);
    expect(off.loads).toBeGreaterThan(on.loads * 5);
    expect(on.cache.stats().product?.outageHits).toBeGreaterThan(0);
  }, 60_000);

  it('evictions made during the outage apply to the fallback at once; staleness bounds what it serves', async () => {
    server = await EphemeralRedis.start(await freePort());
    const cache = await apps.boot(
      scenarioOptions(server.url, uniqueNamespace(), { outageFallback: { staleness: '600ms' } }),
    );
    const db = new Database();
    await server.stop();
    expect(await cache.getOrSet(product, [1], db.load(1))).toEqual({ id: 1, version: 1 });
    expect(await cache.getOrSet(product, [2], db.load(2))).toEqual({ id: 2, version: 1 });
    db.version = 2;
    expect(await cache.getOrSet(product, [1], db.load(1))).toEqual({ id: 1, version: 1 }); // kept
    expect(db.loads).toBe(2);
    await cache.evict(product, 1); // the store is down: retried later, but this instance forgets at once
    expect(await cache.getOrSet(product, [1], db.load(1))).toEqual({ id: 1, version: 2 });
    await cache.evictTags(['p:2']);
    expect(await cache.getOrSet(product, [2], db.load(2))).toEqual({ id: 2, version: 2 });
    db.version = 3;
    await sleep(700);
    expect(await cache.getOrSet(product, [1], db.load(1))).toEqual({ id: 1, version: 3 }); // past the staleness
  }, 30_000);

  it('a healthy store never uses it', async () => {
    server = await EphemeralRedis.start(await freePort());
    const cache = await apps.boot(scenarioOptions(server.url, uniqueNamespace(), { outageFallback: {} }));
    const db = new Database();
    await traffic(cache, db, 300);
    expect(db.loads).toBe(KEYS);
    expect(cache.stats().product?.outageHits).toBe(0);
  });
});
