import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { freePort } from '../support/redis-server.js';
import {
  Apps,
  BREAKER_COOLDOWN_MS,
  DEADLINE_MS,
  EphemeralRedis,
  MARGIN_MS,
  ORIGIN_MS,
  Origin,
  itemById,
  scenarioOptions,
  sleep,
  timed,
  until,
} from './reliability.helpers.js';

/** The module's reconnect backoff stops growing here (lib/redis: min(50 * 2^attempt, 2000)). */
const RECONNECT_MAX_MS = 2_000;

describe('Redis outages with real server processes', () => {
  const apps = new Apps();
  let server: EphemeralRedis | undefined;
  afterEach(async () => {
    await apps.close();
    await server?.stop();
    server = undefined;
  });

  it('down at boot, then up: boot is not blocked, calls are bounded, the cache is used once Redis starts', async () => {
    const port = await freePort();
    const origin = new Origin();
    const boot = await timed(() => apps.boot(scenarioOptions(`redis://127.0.0.1:${port}`, uniqueNamespace())));
    const cache = boot.value;
    expect(boot.ms).toBeLessThan(1_000 + MARGIN_MS);

    const added: number[] = [];
    for (let call = 1; call <= 6; call++) {
      const { value, ms } = await timed(() => cache.getOrSet(itemById, [1], origin.load(1)));
      expect(value).toEqual({ id: 1, version: 1 });
      expect(ms).toBeLessThan(ORIGIN_MS + DEADLINE_MS + MARGIN_MS);
      added.push(ms - ORIGIN_MS);
    }
    expect(origin.loads).toBe(6);

    server = await EphemeralRedis.start(port);
    const usedAgainMs = await until(
      async () => {
        const before = origin.loads;
        const { ms } = await timed(() => cache.getOrSet(itemById, [1], origin.load(1)));
        expect(ms).toBeLessThan(ORIGIN_MS + DEADLINE_MS + MARGIN_MS);
        return origin.loads === before;
      },
      RECONNECT_MAX_MS + BREAKER_COOLDOWN_MS + 3_000,
    );
    console.log(
      `[faults] down at boot: boot ${boot.ms.toFixed(0)} ms, added per call ${added.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
        `hits again ${usedAgainMs.toFixed(0)} ms after Redis started`,
    );
    expect(usedAgainMs).toBeLessThan(RECONNECT_MAX_MS + BREAKER_COOLDOWN_MS + MARGIN_MS);
    expect(cache.storeStats().breaker).toEqual({ reads: 'closed', writes: 'closed' });
  });

  it('restarted empty while loads are in flight: no load that read the old row before the eviction ever stores', async () => {
    const port = await freePort();
    server = await EphemeralRedis.start(port);
    const namespace = uniqueNamespace();
    const origin = new Origin();
    const appA = await apps.bootContext(scenarioOptions(server.url, namespace));
    const a = appA.get(CacheKit);
    const b = await apps.boot(scenarioOptions(server.url, namespace));
    const ids = [1, 2, 3, 4, 5];

    // Five loads on A have taken their snapshots and read version 1; they are held before storing.
    const release = origin.hold();
    const loads = ids.map((id) => a.getOrSet(itemById, [id], origin.load(id)));
    await until(async () => origin.loads === ids.length, 2_000, 5);
    await sleep(ORIGIN_MS + 20);

    // The writer commits version 2; Redis dies before its eviction lands, and comes back empty.
    origin.version = 2;
    await server.shutdownNoSave();
    expect(await b.evictMany({ keys: ids.map((id) => ({ definition: itemById, args: [id] })) })).toBe(false);
    expect(b.storeStats().pendingEvictions).toBe(ids.length);
    server = await EphemeralRedis.start(port);
    await until(async () => b.storeStats().pendingEvictions === 0, 10_000);
    const clientA = appA.get<Redis>(CACHEKIT_REDIS);
    await until(async () => clientA.status === 'ready', RECONNECT_MAX_MS + 3_000);

    release(); // the held loads now try to store version 1 into the new, empty Redis
    expect(await Promise.all(loads)).toEqual(ids.map((id) => ({ id, version: 1 })));
    await sleep(100);
    for (const id of ids) {
      expect(await b.get(itemById, id)).toBeUndefined();
      expect(await a.get(itemById, id)).toBeUndefined();
    }
    for (const id of ids) expect(await a.getOrSet(itemById, [id], origin.load(id))).toEqual({ id, version: 2 });
    for (const id of ids) expect(await b.get(itemById, id)).toEqual({ id, version: 2 });
  });
});
