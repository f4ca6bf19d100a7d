import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHEKIT_REDIS } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { faults, startFaultProxyProcess } from '../support/fault-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';

// The module's own client has a command timeout (10 deadlines, at least 1 s) for every command,
// the app's included, enforced by one sweeping timer instead of ioredis's timer per command.
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('the command timeout of a client the module creates', () => {
  let server: RedisServer;
  let app: INestApplicationContext | undefined;

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    server.thaw();
    await app?.close();
    app = undefined;
    await server.stop();
  });

  async function rejection(command: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
    const started = performance.now();
    const error = await command.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    return { error, ms: performance.now() - started };
  }

  it('rejects commands a frozen server never answers, each after the timeout, and keeps working after a thaw', async () => {
    app = await bootApp({ redis: server.url, namespace: uniqueNamespace(), operationTimeout: 100 });
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    expect(await redis.set('backstop', 'a')).toBe('OK');

    server.freeze();
    const first = rejection(redis.get('backstop'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = rejection(redis.get('backstop')); // sent later: times out later, not with the first
    const [a, b] = await Promise.all([first, second]);
    for (const { error, ms } of [a, b]) {
      expect((error as Error)?.message).toBe('Command timed out');
      expect(ms).toBeGreaterThanOrEqual(995); // the timeout, give or take clock granularity
      expect(ms).toBeLessThan(1_600);
    }

    server.thaw();
    expect(await redis.get('backstop')).toBe('a');
  });

  it('does not reject a command whose answer waited unread while this process was busy (a burst)', async () => {
    // The answer takes 200 ms; the process is busy for 1.5 s from 100 ms on, so the answer sits
    // unread in the socket until then, and the backstop's timer runs before it is read.
    const proxy = await startFaultProxyProcess({ target: { port: server.port } });
    try {
      app = await bootApp({ redis: proxy.url, namespace: uniqueNamespace(), operationTimeout: 100 });
      const redis = app.get<Redis>(CACHEKIT_REDIS);
      expect(await redis.set('backstop', 'a')).toBe('OK');
      await proxy.set(faults.latency(200), { direction: 'down' });
      const answered = rejection(redis.get('backstop'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Blocked in the check phase: the next turn of the loop runs timers before it reads sockets.
      await new Promise<void>((resolve) => setImmediate(() => (blockFor(1_500), resolve())));
      expect((await answered).error).toBeUndefined();
      expect(await redis.get('backstop')).toBe('a');
    } finally {
      await app?.close();
      app = undefined;
      await proxy.stop();
    }
  });

  it('leaves a commandTimeout the app set to ioredis', async () => {
    app = await bootApp({
      redis: { host: '127.0.0.1', port: server.port, commandTimeout: 300 },
      namespace: uniqueNamespace(),
    });
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    expect(redis.options.commandTimeout).toBe(300);
    server.freeze();
    const { error, ms } = await rejection(redis.get('backstop'));
    expect((error as Error)?.message).toBe('Command timed out');
    expect(ms).toBeLessThan(900);
  });

  it('hands the timeout back to ioredis if its command queue cannot be swept', async () => {
    app = await bootApp({ redis: server.url, namespace: uniqueNamespace(), operationTimeout: 100 });
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    expect(redis.options.commandTimeout).toBeUndefined();
    // Stands for a future ioredis whose queue no longer has this shape.
    redis.commandQueue.peekBack = () => {
      throw new TypeError('peekBack is not a function');
    };
    await new Promise((resolve) => setTimeout(resolve, 250)); // a few sweeps (every 100 ms)
    expect(redis.options.commandTimeout).toBe(1_000);
    server.freeze();
    const { error, ms } = await rejection(redis.get('backstop'));
    expect((error as Error)?.message).toBe('Command timed out');
    expect(ms).toBeGreaterThan(900); // ioredis's own 1 s timer (which may fire a fraction of a ms early)
  });
});
