import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CACHEKIT_REDIS } from '../../lib/index.js';
import { ORIGIN_MS, QuoteModule, QuoteService, QuoteUnavailableError } from '../fixtures/quote.fixture.js';
import { bootApp } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import {
  BREAKER_COOLDOWN_MS,
  BREAKER_FAILURES,
  DEADLINE_MS,
  expectBounded,
  failOpenOptions,
  timed,
} from './fail-open.helpers.js';

// A frozen server (SIGSTOP) keeps its sockets open and answers nothing: only our own deadline
// bounds a call then, unlike a dead server whose refused connections fail at once.
/**
 * `redis.monitor()` without its race: ioredis marks the connection as monitoring only a tick after
 * the server's OK, so a line that arrives in the same read (another client's command at that
 * moment) is taken for a reply and reported as "Command queue state error", which rejects
 * `monitor()` and leaves the connection without an error listener. Here that line is only lost.
 */
async function startMonitor(admin: Redis): Promise<Redis> {
  const watcher = admin.duplicate({ monitor: true, lazyConnect: false });
  watcher.on('error', (error: Error) => {
    if (!error.message.includes('Command queue state error')) throw error;
  });
  await new Promise((resolve) => watcher.once('monitoring', resolve));
  return watcher;
}

describe('fail-open with Redis frozen', () => {
  let server: RedisServer;
  let admin: Redis;
  let monitor: Redis | undefined;
  let app: INestApplicationContext | undefined;
  let service: QuoteService;

  beforeEach(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    server.thaw(); // first, so the app's client can say goodbye instead of timing out
    await app?.close();
    app = undefined;
    monitor?.disconnect();
    monitor = undefined;
    await admin.quit();
    await server.stop();
  });

  async function boot(deadlineMs = DEADLINE_MS): Promise<void> {
    app = await bootApp(failOpenOptions(server.url, { operationTimeout: deadlineMs }), { imports: [QuoteModule] });
    service = app.get(QuoteService);
  }

  /**
   * Records every command clients send (commands run inside our Lua scripts excluded), so the test
   * can count what reached Redis while it was frozen: queued commands run, and show here, after the thaw.
   */
  async function watchCommands(): Promise<{ commands: string[]; drained(): Promise<string[]> }> {
    const watcher = await startMonitor(admin);
    monitor = watcher;
    const commands: string[] = [];
    watcher.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') commands.push(args[0].toLowerCase());
    });
    return {
      commands,
      // Replies come in order on the app's connection: once its PING shows, every earlier command ran.
      async drained() {
        await app!.get<Redis>(CACHEKIT_REDIS).ping();
        await vi.waitFor(() => expect(commands).toContain('ping'));
        return commands.filter((name) => name !== 'ping');
      },
    };
  }

  it('answers with correct values within origin + deadline, and hits again after a thaw', async () => {
    await boot();
    await service.quote(1);
    await service.quote(1);
    expect(service.loads).toBe(1);

    server.freeze();
    for (let i = 0; i < 6; i++) {
      expect(await expectBounded(() => service.quote(1), ORIGIN_MS)).toMatchObject({
        ok: true,
        value: { id: 1, price: 10 },
      });
    }
    expect(service.loads).toBe(7); // frozen: every call was served by the origin
    const failed = await expectBounded(() => service.failing(1), ORIGIN_MS);
    expect(failed.ok ? undefined : failed.error).toBeInstanceOf(QuoteUnavailableError);

    server.thaw();
    // Hits resume once the breaker's cooldown has passed and a probe finds Redis answering.
    await vi.waitFor(
      async () => {
        const before = service.loads;
        await service.quote(1);
        expect(service.loads).toBe(before);
      },
      { timeout: 5_000, interval: 50 },
    );
  });

  it('runs @CachePut and @CacheEvict without throwing or hanging while frozen', async () => {
    await boot();
    await service.quote(1);
    server.freeze();
    expect(await expectBounded(() => service.reprice(1, 12), ORIGIN_MS)).toMatchObject({
      ok: true,
      value: { id: 1, price: 12 },
    });
    expect(await expectBounded(() => service.remove(2), ORIGIN_MS)).toMatchObject({ ok: true });
    expect(await expectBounded(() => service.resetAll(), ORIGIN_MS)).toMatchObject({ ok: true });
    await sleep(BREAKER_COOLDOWN_MS + 50); // past the cooldown, so the next operations reach the frozen store
    expect(await expectBounded(() => service.resetAll(), ORIGIN_MS)).toMatchObject({ ok: true });
    await sleep(BREAKER_COOLDOWN_MS + 50);
    expect(await expectBounded(() => service.reprice(1, 13), ORIGIN_MS)).toMatchObject({ ok: true });
  });

  it('waits out one deadline on a miss, not one for the read and another for the write', async () => {
    // With a deadline longer than the margin, a second wait would break the bound.
    const deadlineMs = 400;
    await boot(deadlineMs);
    await service.quote(1);
    server.freeze();
    for (let i = 0; i < BREAKER_FAILURES; i++) {
      expect(await expectBounded(() => service.quote(10 + i), ORIGIN_MS, deadlineMs)).toMatchObject({
        ok: true,
        value: { id: 10 + i },
      });
    }
  });

  it('opens the breaker after repeated failures, then lets one probe through per cooldown', async () => {
    await boot();
    await service.instant(1);
    const sent = await watchCommands();
    server.freeze();
    // Until the breaker opens, each call may wait out the deadline.
    for (let i = 0; i < BREAKER_FAILURES; i++) await expectBounded(() => service.instant(1), 0);
    // Open: calls no longer touch Redis, so they take a fraction of the deadline.
    for (let i = 0; i < 10; i++) {
      const outcome = await timed(() => service.instant(1));
      expect(outcome).toMatchObject({ ok: true, value: { id: 1, price: 10 } });
      expect(outcome.ms).toBeLessThan(DEADLINE_MS / 2);
    }
    await sleep(BREAKER_COOLDOWN_MS + 50);
    await expectBounded(() => service.instant(1), 0); // the probe: it reaches the frozen store
    for (let i = 0; i < 5; i++) expect((await timed(() => service.instant(1))).ms).toBeLessThan(DEADLINE_MS / 2);

    server.thaw();
    // Every command sent while frozen ran after the thaw: the reads (one MGET each: the entry and
    // its tag versions) that failed and opened the breaker, plus one probe.
    const drained = await sent.drained();
    expect(drained).toEqual(Array.from({ length: BREAKER_FAILURES + 1 }, () => 'mget'));
    await vi.waitFor(
      async () => {
        const before = service.loads;
        await service.instant(1);
        expect(service.loads).toBe(before);
      },
      { timeout: 5_000, interval: 50 },
    );
  });
});
