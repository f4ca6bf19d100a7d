import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FaultProxy, SUBSCRIBER_TAG, faults, startFaultProxy, startFaultProxyProcess } from '../support/fault-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';

/** A client that never retries or queues, so every fault shows as it happens. */
function client(port: number): Redis {
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  return redis;
}

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

describe.each([
  ['in this process', startFaultProxy],
  ['in a child process', startFaultProxyProcess],
])('the fault proxy %s, in front of a real redis-server', (_, start) => {
  let server: RedisServer;
  let proxy: FaultProxy;
  const clients: Redis[] = [];
  const connect = () => {
    const redis = client(proxy.port);
    clients.push(redis);
    return redis;
  };
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());
  afterEach(async () => {
    for (const redis of clients.splice(0)) redis.disconnect();
    await proxy.stop();
  });
  const boot = async () => {
    proxy = await start({ target: { port: server.port }, tags: [SUBSCRIBER_TAG] });
  };

  it('passes commands through, adds latency per direction, and slices without corrupting', async () => {
    await boot();
    const redis = connect();
    expect(await redis.ping()).toBe('PONG');
    await proxy.set(faults.latency(300));
    const both = await elapsed(() => redis.ping());
    expect(both).toBeGreaterThanOrEqual(590); // 300 ms each way
    expect(both).toBeLessThan(3_000);
    await proxy.set(faults.pass(), { direction: 'up' });
    const downOnly = await elapsed(() => redis.ping());
    expect(downOnly).toBeGreaterThanOrEqual(290);
    expect(downOnly).toBeLessThan(590); // one way only
    await proxy.set(faults.slice(3));
    const value = 'x'.repeat(300);
    await redis.set('fp:sliced', value);
    expect(await redis.get('fp:sliced')).toBe(value);
  });

  it('limits bandwidth', async () => {
    await boot();
    const redis = connect();
    await redis.set('fp:big', 'y'.repeat(25_000));
    await proxy.set(faults.bandwidth(50_000), { direction: 'down' });
    const ms = await elapsed(() => redis.get('fp:big'));
    expect(ms).toBeGreaterThanOrEqual(400); // 25 kB at 50 kB/s
    expect(ms).toBeLessThan(3_000);
  });

  it('blackholes: accepts and holds, then delivers late when the fault is lifted', async () => {
    await boot();
    const redis = connect();
    await redis.ping();
    await proxy.set(faults.blackhole());
    const held = redis.incr('fp:held');
    expect(await settlesWithin(held, 300)).toBe(false);
    // New connections are accepted too, and get no answer.
    const late = client(proxy.port);
    clients.push(late);
    expect(await settlesWithin(late.ping(), 300)).toBe(false);
    await proxy.clear();
    expect(await held).toBeGreaterThan(0);
    expect(await late.ping()).toBe('PONG');
  });

  it('resets open connections, refuses new ones, and closes them after a while', async () => {
    await boot();
    const redis = connect();
    await redis.ping();
    const closed = new Promise((resolve) => redis.once('close', resolve));
    await proxy.set(faults.reset());
    await closed;
    await proxy.set(faults.refuse());
    const refused = client(proxy.port);
    clients.push(refused);
    const error = await new Promise<Error>((resolve) => refused.once('error', resolve));
    expect(error.message).toMatch(/ECONNREFUSED/);
    await proxy.set(faults.closeAfter(200));
    const closing = connect();
    expect(await closing.ping()).toBe('PONG');
    const ended = await elapsed(() => new Promise((resolve) => closing.once('end', resolve)));
    expect(ended).toBeLessThan(2_000);
    await proxy.clear();
    expect(await connect().ping()).toBe('PONG');
  });

  it('tags a subscriber connection by its first bytes and faults it alone', async () => {
    await boot();
    const subscriber = connect();
    const publisher = connect();
    const received: string[] = [];
    subscriber.on('message', (_channel, message: string) => received.push(message));
    await subscriber.subscribe('fp:bus');
    await publisher.ping();
    const tags = (await proxy.connections()).map((c) => c.tag).sort();
    expect(tags).toEqual(['subscriber', null].sort());
    await proxy.set(faults.blackhole(), { tag: 'subscriber' });
    expect(await publisher.publish('fp:bus', 'one')).toBe(1); // the publisher's connection still answers
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([]);
    await proxy.clear({ tag: 'subscriber' });
    await vi.waitFor(() => expect(received).toEqual(['one']), { timeout: 2_000 });
  });
});

describe('the fault proxy in a child process', () => {
  it('keeps its own clock while this process is blocked', async () => {
    const server = await startRedisServer();
    const proxy = await startFaultProxyProcess({ target: { port: server.port } });
    const redis = client(proxy.port);
    try {
      await redis.ping();
      await proxy.set(faults.latency(600), { direction: 'up' });
      const started = performance.now();
      const reply = redis.ping();
      const blockedUntil = started + 1_000;
      while (performance.now() < blockedUntil); // this event loop stalls; the proxy's does not
      await reply;
      // The delay ran out during the stall: the reply waits only for our loop (an in-process proxy: 1.6 s).
      expect(performance.now() - started).toBeLessThan(1_400);
    } finally {
      redis.disconnect();
      await proxy.stop();
      await server.stop();
    }
  });
});
