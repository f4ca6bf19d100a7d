import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { FillTicket } from '../../lib/stores/entry-store.interface.js';
import { sleep } from '../support/chaos-store.js';
import { engineOver, planFor } from '../support/engine.js';
import { PausableProxy } from '../support/pausable-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { MARGIN_MS } from './reliability.helpers.js';

const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };
const DEADLINE_MS = 100;
const HELD_MS = 300; // how long A's lease request is stuck on the wire: past its deadline
const LOCK = { lock: { waitMs: 5_000, leaseMs: 10_000 } }; // the module's defaults

/** A's store: its lease requests get stuck on the way to Redis (the proxy holds them), then arrive. */
class StuckLeaseStore extends RedisEntryStore {
  constructor(
    client: Redis,
    private readonly proxy: PausableProxy,
  ) {
    super(client, TIMES);
  }
  override leaseAndBegin(...args: Parameters<RedisEntryStore['leaseAndBegin']>): Promise<FillTicket | false> {
    this.proxy.hold();
    setTimeout(() => this.proxy.release(), HELD_MS);
    return super.leaseAndBegin(...args);
  }
}

/**
 * Instance A's lease request misses its deadline, so A loads without the store; Redis still runs
 * the request when it arrives and grants A the lease, under which nobody will fill. Another
 * instance missing the entry must not wait for that lease up to its wait bound (found by the
 * hot-keys bench: refill p99 of ~5 s after a warm-up burst whose store calls hit the deadline).
 */
describe('a lease granted after its request timed out', () => {
  let server: RedisServer;
  let proxy: PausableProxy;
  let slowClient: Redis;
  let client: Redis;

  beforeEach(async () => {
    server = await startRedisServer();
    proxy = new PausableProxy(server.port);
    await proxy.start();
    slowClient = new Redis({ port: proxy.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    client = new Redis(server.url);
    await Promise.all([slowClient.ping(), client.ping()]);
  });
  afterEach(async () => {
    slowClient.disconnect();
    client.disconnect();
    await proxy.stop();
    await server.stop();
  });

  it('is given back once it arrives: another instance loads without waiting it out', async () => {
    const a = engineOver(new StuckLeaseStore(slowClient, proxy), DEADLINE_MS);
    const b = engineOver(new RedisEntryStore(client, TIMES), DEADLINE_MS);
    const plan = planFor('{t:orphan:1}', [], LOCK);
    let loads = 0;
    const load = async () => ++loads;
    expect(await a.getOrLoad(plan, load)).toBe(1); // from the origin, after the lease's deadline
    await sleep(HELD_MS + 50); // A's lease request has reached Redis: the lease is A's now
    const started = performance.now();
    expect(await b.getOrLoad(plan, load)).toBe(2);
    const waitedMs = performance.now() - started;
    console.log(`[faults] orphan lease: B answered after ${waitedMs.toFixed(0)} ms (wait bound 5000 ms)`);
    expect(waitedMs).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });
});
