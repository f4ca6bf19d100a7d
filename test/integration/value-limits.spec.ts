import { INestApplicationContext, Injectable, Logger, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { CacheEvent, CacheKit, CacheKitModuleOptions, Cacheable, defineCache, v8Serializer } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

/** `{ next: { next: ... } }`, `levels` objects deep. */
function chain(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) node = (node.next = {}) as Record<string, unknown>;
  return root;
}

@Injectable()
class NestedService {
  loads = 0;
  levels = 6_000;

  @Cacheable({ name: 'limits.deep', key: (id: number) => id })
  async deep(id: number): Promise<Record<string, unknown>> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 20)); // long enough for a second caller to join
    return { id, ...chain(this.levels) };
  }
}

@Module({ providers: [NestedService] })
class NestedModule {}

const report = defineCache({ name: 'limits.report', key: (id: number) => id });

describe('values nested too deeply', () => {
  let app: INestApplicationContext;
  afterEach(async () => {
    vi.restoreAllMocks();
    await app?.close();
  });

  const boot = async () => {
    app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace() }, { imports: [NestedModule] });
    const events: CacheEvent[] = [];
    app.get(CacheKit).events$.subscribe((event) => events.push(event));
    return { service: app.get(NestedService), events };
  };

  it('a result 6000 levels deep is returned uncached; the skip names method, key and a bounded path', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { service, events } = await boot();

    const first = await service.deep(1);
    expect(first.id).toBe(1);
    expect(typeof first.next).toBe('object');
    await service.deep(1);
    expect(service.loads).toBe(2);

    const skips = events.filter((e) => e.type === 'store-skipped');
    expect(skips).toHaveLength(2);
    for (const skip of skips) {
      expect(skip.reason).toMatch(/NestedService#deep under key '.*limits\.deep:#1.*'/);
      expect(skip.reason).toContain('result.next.next');
      expect(skip.reason).toContain('6000 levels');
      expect(skip.reason!.length).toBeLessThan(500);
    }
    const logged = warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('NestedService#deep'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('6000 levels');
    expect(app.get(CacheKit).stats()['limits.deep'].skippedStores).toBe(2);
  });

  it('a result that serializes but is too deep to read back is not stored, and joined callers still get it', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { service, events } = await boot();
    service.levels = 2_500; // v8 writes this, but cannot read it back (its reader needs more stack)

    const [first, joined] = await Promise.all([service.deep(2), service.deep(2)]);
    expect(first.id).toBe(2);
    expect(joined.id).toBe(2);
    expect(service.loads).toBe(1);
    expect((await service.deep(2)).id).toBe(2);
    expect(service.loads).toBe(2);
    expect(events.filter((e) => e.type === 'store-skipped').map((e) => e.reason)).toEqual([
      expect.stringContaining('2500 levels'),
      expect.stringContaining('2500 levels'),
    ]);
    expect(warn.mock.calls.map(([message]) => String(message)).join('\n')).not.toContain('undecodable');
  });
});

describe('what a read accepts', () => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  const boot = async (options: CacheKitModuleOptions) => {
    const app = await bootApp({ redis: inject('redisUrl'), ...options });
    apps.push(app);
    return app.get(CacheKit);
  };
  const countingSerializer = () => {
    const counter = { decodes: 0 };
    return {
      counter,
      serializer: {
        encode: (value: unknown) => v8Serializer.encode(value),
        decode: (payload: Uint8Array) => {
          counter.decodes++;
          return v8Serializer.decode(payload);
        },
      },
    };
  };

  it('a stored body larger than maxValueBytes is a miss and is not decoded', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const namespace = uniqueNamespace();
    const writer = await boot({ namespace, maxValueBytes: 4_000_000 });
    const { counter, serializer } = countingSerializer();
    const reader = await boot({ namespace, maxValueBytes: 1_000_000, serializer });
    const value = { text: 'x'.repeat(2_000_000) };
    expect(await writer.set(report, [1], value)).toBe(true);
    expect(((await writer.get(report, 1)) as { text: string } | undefined)?.text.length).toBe(value.text.length);

    expect((await reader.get(report, 1)) === undefined ? 'miss' : 'hit').toBe('miss');
    expect(counter.decodes).toBe(0);
  });

  it('a compressed body that inflates past maxValueBytes is a miss', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const namespace = uniqueNamespace();
    const writer = await boot({ namespace, maxValueBytes: 64_000_000, compression: { minBytes: 1_024 } });
    const { counter, serializer } = countingSerializer();
    const reader = await boot({ namespace, maxValueBytes: 1_000_000, serializer });
    const value = { text: 'a'.repeat(8_000_000) }; // deflates to a few KB, under the reader's limit
    expect(await writer.set(report, [2], value)).toBe(true);
    expect(((await writer.get(report, 2)) as { text: string } | undefined)?.text.length).toBe(value.text.length);

    expect((await reader.get(report, 2)) === undefined ? 'miss' : 'hit').toBe('miss');
    expect(counter.decodes).toBe(0);
  });
});
