import { Injectable, Logger, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { CacheEvent, CacheKit, Cacheable } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { freePort } from '../support/redis-server.js';

@Injectable()
class ReportService {
  loads = 0;

  @Cacheable({ name: 'report.big', key: (id: number) => id })
  async big(id: number): Promise<string> {
    this.loads++;
    return 'x'.repeat(2_000) + id;
  }

  @Cacheable({ name: 'report.plain', key: (id: number) => id })
  async plain(id: number): Promise<{ id: number; at: Date }> {
    this.loads++;
    return { id, at: new Date() };
  }

  @Cacheable({ name: 'report.fn', key: (id: number) => id })
  async withFunction(id: number): Promise<{ id: number; rows: { format: () => string }[] }> {
    this.loads++;
    return { id, rows: [{ format: () => `row ${id}` }] };
  }
}

@Module({ providers: [ReportService] })
class ReportModule {}

describe('values the cache does not store', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['memory', () => undefined],
    ['redis', () => inject('redisUrl')],
  ])(
    'on %s: too large or unserializable values are returned uncached, warned once per cache name',
    async (_, redis) => {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const app = await bootApp(
        { redis: redis(), namespace: uniqueNamespace(), maxValueBytes: 1_000 },
        { imports: [ReportModule] },
      );
      const service = app.get(ReportService);
      const events: CacheEvent[] = [];
      app.get(CacheKit).events$.subscribe((event) => events.push(event));

      expect(await service.big(1)).toBe('x'.repeat(2_000) + '1');
      expect(await service.big(1)).toBe('x'.repeat(2_000) + '1');
      expect(service.loads).toBe(2);
      const fn = await service.withFunction(2);
      expect(fn.rows[0].format()).toBe('row 2'); // the caller still gets the real value
      await service.withFunction(2);
      expect(service.loads).toBe(4);

      const messages = warn.mock.calls.map(([message]) => String(message));
      const sizeWarnings = messages.filter((m) => m.includes('exceed maxValueBytes'));
      const serializeWarnings = messages.filter((m) => m.includes('cannot be serialized'));
      expect(sizeWarnings).toHaveLength(1);
      expect(sizeWarnings[0]).toContain('ReportService#big');
      expect(serializeWarnings).toHaveLength(1);
      expect(serializeWarnings[0]).toMatch(
        /ReportService#withFunction under key '.*report\.fn:#2.*': a function at result\.rows\[0\]\.format/,
      );
      expect(events.filter((e) => e.type === 'store-skipped')).toHaveLength(4);
      expect(app.get(CacheKit).stats()['report.big'].skippedStores).toBe(2);
      await app.close();
    },
  );

  it('concurrent callers of one load get their own copies even when the store is down', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const app = await bootApp(
      { redis: `redis://127.0.0.1:${await freePort()}`, namespace: uniqueNamespace() },
      { imports: [ReportModule] },
    );
    const service = app.get(ReportService);
    const [first, second] = await Promise.all([service.plain(5), service.plain(5)]);
    expect(service.loads).toBe(1);
    expect(first).not.toBe(second);
    expect(second).toEqual(first);
    await app.close();
  });
});
