import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CACHEKIT_REDIS } from '../../lib/index.js';
import { ORIGIN_MS, QuoteModule, QuoteService, QuoteUnavailableError } from '../fixtures/quote.fixture.js';
import { bootApp } from '../support/app.js';
import { RedisServer, freePort, startRedisServer } from '../support/redis-server.js';
import { DEADLINE_MS, MARGIN_MS, expectBounded, failOpenOptions, timed } from './fail-open.helpers.js';

describe('fail-open with Redis at a closed port', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function bootAtClosedPort(): Promise<QuoteService> {
    app = await bootApp(failOpenOptions(`redis://127.0.0.1:${await freePort()}`), { imports: [QuoteModule] });
    return app.get(QuoteService);
  }

  it('boots, and every cached call returns the origin value within origin + deadline', async () => {
    const service = await bootAtClosedPort();
    for (let i = 0; i < 8; i++) {
      const outcome = await expectBounded(() => service.quote(1), ORIGIN_MS);
      expect(outcome).toMatchObject({ ok: true, value: { id: 1, price: 10 } });
    }
    expect(service.loads).toBe(8); // nothing could be cached, so every call reached the origin
  });

  it("passes the origin's own error through, unchanged, within the same bound", async () => {
    const service = await bootAtClosedPort();
    for (let i = 0; i < 3; i++) {
      const outcome = await expectBounded(() => service.failing(4), ORIGIN_MS);
      expect(outcome.ok).toBe(false);
      expect((outcome as { error: unknown }).error).toBeInstanceOf(QuoteUnavailableError);
    }
  });

  it('serves concurrent callers with one origin call each flight', async () => {
    const service = await bootAtClosedPort();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => timed(() => service.quote(2))));
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ ok: true, value: { id: 2, price: 20 } });
      expect(outcome.ms).toBeLessThan(ORIGIN_MS + DEADLINE_MS + MARGIN_MS);
    }
    expect(service.loads).toBe(1);
  });

  it('runs @CachePut and @CacheEvict (one key and all entries) without throwing or hanging', async () => {
    const service = await bootAtClosedPort();
    expect(await expectBounded(() => service.reprice(1, 11), ORIGIN_MS)).toMatchObject({
      ok: true,
      value: { id: 1, price: 11 },
    });
    expect(await expectBounded(() => service.remove(2), ORIGIN_MS)).toMatchObject({ ok: true });
    expect(await expectBounded(() => service.resetAll(), ORIGIN_MS)).toMatchObject({ ok: true });
  });

  it('shuts down without waiting on a connection that does not exist', async () => {
    await bootAtClosedPort();
    const client = app!.get<Redis>(CACHEKIT_REDIS);
    await vi.waitFor(() => expect(client.status).toBe('reconnecting'));
    const closing = await timed(() => app!.close());
    app = undefined;
    expect(closing.ok).toBe(true);
    // The client sits between reconnect attempts with no socket: nothing to flush, nothing to wait for.
    expect(closing.ms).toBeLessThan(500);
  });
});

describe('fail-open when Redis is killed mid-run', () => {
  let app: INestApplicationContext | undefined;
  let server: RedisServer | undefined;
  afterEach(async () => {
    await app?.close();
    await server?.stop();
    app = undefined;
    server = undefined;
  });

  it('keeps serving from the origin after the server dies', async () => {
    server = await startRedisServer();
    app = await bootApp(failOpenOptions(server.url), { imports: [QuoteModule] });
    const service = app.get(QuoteService);
    await service.quote(1);
    await service.quote(1);
    expect(service.loads).toBe(1); // warm: the second call was a hit

    await server.stop();
    server = undefined;
    for (let i = 0; i < 6; i++) {
      expect(await expectBounded(() => service.quote(1), ORIGIN_MS)).toMatchObject({
        ok: true,
        value: { id: 1, price: 10 },
      });
    }
    expect((await expectBounded(() => service.failing(1), ORIGIN_MS)).ok).toBe(false);
    expect(await expectBounded(() => service.reprice(2, 21), ORIGIN_MS)).toMatchObject({ ok: true });
    expect(await expectBounded(() => service.remove(2), ORIGIN_MS)).toMatchObject({ ok: true });
  });
});
