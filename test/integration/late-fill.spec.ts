import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { sleep } from '../support/chaos-store.js';
import { engineOver, planFor } from '../support/engine.js';
import { PausableProxy } from '../support/pausable-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { storedPayload } from '../support/stored-entries.js';

const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };
const DEADLINE = 100;

/**
 * A fill that timed out on the client may still reach Redis later. It must not resurrect a value
 * that an eviction (completed in between) removed.
 */
describe('a late fill', () => {
  let server: RedisServer;
  let proxy: PausableProxy;
  let readerClient: Redis;
  let writerClient: Redis;

  beforeEach(async () => {
    server = await startRedisServer();
    proxy = new PausableProxy(server.port);
    await proxy.start();
    readerClient = new Redis({
      port: proxy.port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    writerClient = new Redis(server.url);
    await new Promise((resolve) => readerClient.once('ready', resolve));
    await writerClient.ping();
  });
  afterEach(async () => {
    readerClient.disconnect();
    writerClient.disconnect();
    await proxy.stop();
    await server.stop();
  });

  it.each([
    ['by key', false],
    ['by tag', true],
  ])('delivered after an eviction %s does not resurrect the old value', async (_, byTag) => {
    const reader = engineOver(new RedisEntryStore(readerClient, TIMES), DEADLINE);
    const writer = engineOver(new RedisEntryStore(writerClient, TIMES), DEADLINE);
    const plan = planFor('{t:late:1}', ['{t:~tag:late}']);
    let row = 'old';
    const read = reader.getOrLoad(plan, async () => {
      const seen = row;
      proxy.hold(); // the fill that follows is stuck on the way to Redis
      return seen;
    });
    expect(await read).toBe('old'); // served from the origin after the fill's deadline
    row = 'new';
    if (byTag) expect(await writer.evictTags(plan.tags)).toBe(true);
    else expect(await writer.evict('late', [plan.key])).toBe(true);
    proxy.release(); // the late fill now reaches Redis
    await sleep(50);
    expect(await storedPayload(writerClient, plan.key).then((d) => (d ? 'stored' : 'absent'))).toBe(
      byTag ? 'stored' : 'absent',
    );
    expect(await writer.read(plan)).toEqual({ hit: false });
  });

  it('sent while Redis is frozen with SIGSTOP and applied after an eviction on thaw is refused', async () => {
    const reader = engineOver(new RedisEntryStore(readerClient, TIMES), DEADLINE);
    const writer = engineOver(new RedisEntryStore(writerClient, TIMES), DEADLINE);
    const plan = planFor('{t:late:2}');
    // Hold the fill in the proxy, freeze Redis, then deliver both the eviction and the fill to the
    // frozen server with the eviction first; on thaw Redis applies them in that order.
    const read = reader.getOrLoad(plan, async () => {
      proxy.hold();
      return 'old';
    });
    expect(await read).toBe('old');
    server.freeze();
    const eviction = writer.evict('late', [plan.key]); // times out on our side, queued in Redis
    await sleep(20);
    proxy.release();
    await eviction;
    await sleep(20);
    server.thaw();
    await sleep(100);
    expect(await writer.read(plan)).toEqual({ hit: false });
  });
});
