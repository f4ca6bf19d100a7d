import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { Apps, ORIGIN_MS, Origin, itemById, scenarioOptions, sleep } from './reliability.helpers.js';

/**
 * Instance A coalesces concurrent callers of one entry (one store read, one load). A caller of A
 * that starts after instance B's eviction reached A (its bus message, sent once Redis confirmed
 * it) must not join a read or a load that A began before it, and get the value the eviction
 * removed. Found by the worker-faults test (1 stale read in ~40,000 calls after a Redis restart):
 * without an L1, A had no bus and never heard of B's evictions.
 */
// Longer than the bus message's trip on loopback (A hears of B's eviction over pub/sub).
const HOP_MS = 30;

describe('a caller that starts after another instance confirmed an eviction', () => {
  let server: RedisServer;
  let proxy: FaultProxy | undefined;
  const apps = new Apps();
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());
  afterEach(async () => {
    await apps.close();
    await proxy?.stop();
    proxy = undefined;
  });

  it('does not join a load that read the row before the write (no L1)', async () => {
    const namespace = uniqueNamespace();
    const a = await apps.boot(scenarioOptions(server.url, namespace, { operationTimeout: '1s' }));
    const b = await apps.boot(scenarioOptions(server.url, namespace, { operationTimeout: '1s' }));
    const origin = new Origin();
    const release = origin.hold(); // A's load reads version 1, then waits
    const first = a.getOrSet(itemById, [1], origin.load(1));
    await sleep(ORIGIN_MS + 50);
    origin.version = 2; // the write commits
    expect(await b.evict(itemById, 1)).toBe(true); // and its eviction is confirmed
    await sleep(HOP_MS); // the late caller hears of the write through some other hop (a request)
    const late = a.getOrSet(itemById, [1], origin.load(1)); // starts after that
    release();
    expect(await first).toEqual({ id: 1, version: 1 }); // began before the write: fine
    expect(await late).toEqual({ id: 1, version: 2 });
  });

  it('does not join a store read that Redis answered before the eviction (a slow link to A)', async () => {
    const namespace = uniqueNamespace();
    proxy = await startFaultProxyProcess({ target: { port: server.port } });
    const a = await apps.boot(scenarioOptions(proxy.url, namespace, { operationTimeout: '2s' }));
    const b = await apps.boot(scenarioOptions(server.url, namespace, { operationTimeout: '1s' }));
    expect(await b.set(itemById, [1], { id: 1, version: 1 })).toBe(true);
    await proxy.set(faults.latency(300));
    const first = a.get(itemById, 1); // reaches Redis after ~300 ms, its answer A ~300 ms later
    await sleep(450);
    expect(await b.evict(itemById, 1)).toBe(true);
    const late = a.get(itemById, 1); // starts after the eviction was confirmed
    expect(await first).toEqual({ id: 1, version: 1 });
    expect(await late).toBeUndefined();
  });
});
