import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheEvent, CacheKit } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, freePort, startRedisServer } from '../support/redis-server.js';
import {
  Apps,
  DEADLINE_MS,
  MARGIN_MS,
  ORIGIN_MS,
  Origin,
  itemById,
  scenarioOptions,
  sleep,
  timed,
  until,
} from './reliability.helpers.js';

const PASSWORD = 'cachekit-secret';
const WINDOW_MS = 2_000;
/** Commands Redis may receive from one idle-ish instance in WINDOW_MS: probes, backed-off retries, our calls. */
const MAX_COMMANDS_IN_WINDOW = 60;
const CALLS_IN_WINDOW = 10;

interface Refusal {
  cause: 'OOM' | 'READONLY' | 'NOAUTH';
  serverArgs: string[];
  /** Whether the app warms the cache and then the fault starts, or the fault is there before the app boots. */
  warm: boolean;
  apply(admin: Redis): Promise<void>;
  lift(admin: Redis): Promise<void>;
}

const refusals: Refusal[] = [
  {
    cause: 'OOM',
    serverArgs: ['--maxmemory-policy', 'noeviction'],
    warm: true,
    apply: async (admin) => {
      const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
      await admin.config('SET', 'maxmemory', String(Math.floor(used / 2)));
    },
    lift: async (admin) => void (await admin.config('SET', 'maxmemory', '0')),
  },
  {
    cause: 'READONLY',
    serverArgs: [],
    warm: true,
    // A replica of a master that does not exist: reads answer (stale data), writes are refused.
    apply: async (admin) => void (await admin.call('REPLICAOF', '127.0.0.1', String(await freePort()))),
    lift: async (admin) => void (await admin.call('REPLICAOF', 'NO', 'ONE')),
  },
  {
    cause: 'NOAUTH',
    serverArgs: [],
    warm: false,
    // Set before the app boots: the app never knew the password.
    apply: async (admin) => void (await admin.config('SET', 'requirepass', PASSWORD)),
    lift: async (admin) => void (await admin.config('SET', 'requirepass', '')),
  },
];

/** Every command Redis ran or refused since the last CONFIG RESETSTAT, the admin's own excluded. */
async function commandsSinceReset(admin: Redis): Promise<number> {
  let total = 0;
  for (const line of (await admin.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+).*?rejected_calls=(\d+),failed_calls=(\d+)/.exec(line);
    if (!match || ['info', 'config'].includes(match[1])) continue;
    total += Number(match[2]) + Number(match[3]);
  }
  return total;
}

describe.each(refusals)('Redis refusing with $cause', (refusal) => {
  const apps = new Apps();
  let server: RedisServer;
  let admin: Redis;
  afterEach(async () => {
    await apps.close();
    admin.disconnect();
    await server.stop();
  });

  /** An app whose rows 1 and 2 were cached (unless the fault predates it), with the fault in force. */
  async function underRefusal(): Promise<{ cache: CacheKit; origin: Origin; events: CacheEvent[] }> {
    server = await startRedisServer(refusal.serverArgs);
    admin = new Redis(server.port, '127.0.0.1');
    if (!refusal.warm) await refusal.apply(admin);
    const origin = new Origin();
    const cache = await apps.boot(
      scenarioOptions(server.url, uniqueNamespace(), { evictionRetry: { initialDelay: '100ms', maxDelay: '1s' } }),
    );
    const events: CacheEvent[] = [];
    cache.events$.subscribe((event) => event.type === 'store-error' && events.push(event));
    if (refusal.warm) {
      for (const id of [1, 2]) await cache.getOrSet(itemById, [id], origin.load(id));
      expect(origin.loads).toBe(2);
      await refusal.apply(admin);
    }
    return { cache, origin, events };
  }

  it('names the cause in its store-error events', async () => {
    const { cache, origin, events } = await underRefusal();
    for (let call = 0; call < 4; call++) await cache.getOrSet(itemById, [3], origin.load(3));
    await cache.evict(itemById, 1);
    expect(events.length).toBeGreaterThan(0);
    expect([...new Set(events.map((event) => event.cause))]).toEqual([refusal.cause]);
    expect(cache.storeStats().lastFailure?.cause).toBe(refusal.cause);
  });

  it('fails open, retries nothing in a hot loop, and lands the evictions once lifted', async () => {
    const { cache, origin, events } = await underRefusal();
    origin.version = 2;
    await cache.evict(itemById, 1); // a write commits; its eviction may or may not be accepted
    for (let call = 0; call < 6; call++) {
      const { value, ms } = await timed(() => cache.getOrSet(itemById, [3], origin.load(3)));
      expect(value).toEqual({ id: 3, version: 2 });
      expect(ms).toBeLessThan(ORIGIN_MS + DEADLINE_MS + MARGIN_MS);
    }
    // Refused, or skipped while the store refuses writes: then it waits for a retry.
    if (!(await cache.evict(itemById, 2))) expect(cache.storeStats().pendingEvictions).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(0);

    // Two seconds of light traffic: how many commands and connections does Redis see?
    await admin.config('RESETSTAT');
    for (let call = 0; call < CALLS_IN_WINDOW; call++) {
      expect(await cache.getOrSet(itemById, [3], origin.load(3))).toEqual({ id: 3, version: 2 });
      await sleep(WINDOW_MS / CALLS_IN_WINDOW);
    }
    const commands = await commandsSinceReset(admin);
    const connections = Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))![1]);
    console.log(
      `[faults] ${refusal.cause}: ${commands} commands and ${connections} connections in ${WINDOW_MS} ms ` +
        `with ${CALLS_IN_WINDOW} calls; ${events.length} store-error events; pending evictions ${cache.storeStats().pendingEvictions}`,
    );
    expect(commands).toBeLessThan(MAX_COMMANDS_IN_WINDOW);
    expect(connections).toBeLessThan(10);

    await refusal.lift(admin);
    await until(async () => cache.storeStats().pendingEvictions === 0, 8_000, 25, 'the pending evictions land');
    await until(async () => cache.storeStats().breaker.writes === 'closed', 5_000, 25, 'the write breaker closes');
    // Nothing evicted during the fault is ever served again: both rows come from the origin, and are cached again.
    for (const id of [1, 2]) expect(await cache.getOrSet(itemById, [id], origin.load(id))).toEqual({ id, version: 2 });
    await until(async () => {
      await cache.getOrSet(itemById, [1], origin.load(1));
      return (await cache.get(itemById, 1)) !== undefined;
    }, 5_000);
    expect(await cache.get(itemById, 1)).toEqual({ id: 1, version: 2 });
  });
});
