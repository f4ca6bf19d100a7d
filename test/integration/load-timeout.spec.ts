import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions, Cacheable, defineCache } from '../../lib/index.js';
import { resolveOptions } from '../../lib/options/cachekit-options.validator.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

const TIMEOUT_MS = 200;
const never = () => new Promise<never>(() => undefined);

@Injectable()
class SlowService {
  calls = 0;
  /** What the origin does for each id; unset ids never answer. */
  readonly origin = new Map<number, () => Promise<string>>();

  @Cacheable({ name: 'slow', key: (id: number) => id, loadTimeout: TIMEOUT_MS })
  async find(id: number): Promise<string> {
    this.calls++;
    return (this.origin.get(id) ?? never)();
  }
}

@Module({ providers: [SlowService] })
class SlowModule {}

type Settled = { value: unknown } | { error: unknown } | { pending: true };

/** How a call ended, or that it had not after `boundMs` (a hung call must not hang the test). */
function settled(call: Promise<unknown>, boundMs = 3_000): Promise<Settled> {
  return Promise.race([
    call.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    sleep(boundMs).then(() => ({ pending: true as const })),
  ]);
}

const timedOut = (where: string) => ({
  error: expect.objectContaining({
    code: 'CACHEKIT_LOAD_TIMEOUT',
    message: expect.stringContaining(where),
  }),
});

describe('loadTimeout: a hung loader does not pin the callers of its key', () => {
  const apps: INestApplicationContext[] = [];
  const boot = async (options: Partial<CacheKitModuleOptions> = {}) => {
    const app = await bootApp(
      { redis: inject('redisUrl'), namespace: uniqueNamespace(), ...options },
      { imports: [SlowModule] },
    );
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('the caller and every joiner of a loader that never settles get CacheLoadTimeoutError; the loader runs once', async () => {
    const service = (await boot()).get(SlowService);
    const results = await Promise.all(Array.from({ length: 10 }, () => settled(service.find(1))));
    for (const result of results) expect(result).toEqual(timedOut('SlowService#find'));
    const error = (results[0] as { error: { key: string; where: string } }).error;
    expect(error.where).toBe('SlowService#find');
    expect(error.key).toContain(':slow:');
    expect(error.key).toContain('1');
    expect(service.calls).toBe(1); // joiners past the timeout do not start loads of their own
  });

  it('a caller arriving after the timeout starts a fresh load (without cross-instance single-flight)', async () => {
    const service = (await boot({ singleFlight: false })).get(SlowService);
    expect(await settled(service.find(2))).toEqual(timedOut('SlowService#find'));
    service.origin.set(2, async () => 'fresh');
    expect(await settled(service.find(2))).toEqual({ value: 'fresh' });
    expect(service.calls).toBe(2);
  });

  it('with a lease, later callers time out until the hung load lease expires, then load afresh', async () => {
    const service = (await boot({ singleFlight: { wait: '5s', lease: '1s' } })).get(SlowService);
    expect(await settled(service.find(3))).toEqual(timedOut('SlowService#find'));
    service.origin.set(3, async () => 'fresh');
    expect(await settled(service.find(3))).toEqual(timedOut('SlowService#find')); // waits on the lease, bounded
    await sleep(1_000);
    expect(await settled(service.find(3))).toEqual({ value: 'fresh' });
    expect(service.calls).toBe(2);
  });

  it('a load finishing after the timeout still fills the cache for later callers', async () => {
    const service = (await boot()).get(SlowService);
    service.origin.set(4, () => sleep(TIMEOUT_MS * 2).then(() => 'late'));
    expect(await settled(service.find(4))).toEqual(timedOut('SlowService#find'));
    await sleep(TIMEOUT_MS * 2);
    expect(await settled(service.find(4))).toEqual({ value: 'late' });
    expect(service.calls).toBe(1);
  });

  it('abandoned loads that never settle or reject after the timeout raise no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const service = (await boot()).get(SlowService);
      service.origin.set(6, () => sleep(TIMEOUT_MS + 100).then(() => Promise.reject(new Error('origin gave up'))));
      const hung = Array.from({ length: 5 }, () => settled(service.find(5)));
      const rejecting = Array.from({ length: 5 }, () => settled(service.find(6)));
      for (const result of await Promise.all([...hung, ...rejecting])) {
        expect(result).toEqual(timedOut('SlowService#find'));
      }
      await sleep(TIMEOUT_MS + 200); // the rejection happens now, with no caller left waiting
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('the module default applies to definitions and raw keys; a definition can turn it off', async () => {
    const app = await boot({ loadTimeout: 150 });
    const cache = app.get(CacheKit);
    expect(await settled(cache.getOrSet('raw:hung', never))).toEqual(timedOut("CacheKit('raw:hung')"));
    const hung = defineCache({ name: 'hung', key: (id: number) => id });
    expect(await settled(cache.getOrSet(hung, [1], never))).toEqual(timedOut('CacheKit(hung)'));
    const patient = defineCache({ name: 'patient', key: (id: number) => id, loadTimeout: false });
    expect(await settled(cache.getOrSet(patient, [1], () => sleep(400).then(() => 'worth the wait')))).toEqual({
      value: 'worth the wait',
    });
  });

  it('rejects a bad loadTimeout, naming the option', () => {
    expect(() => resolveOptions({ loadTimeout: 'soon' as never })).toThrow(
      /Option 'loadTimeout' must be a positive duration/,
    );
    expect(() => defineCache({ name: 'bad', loadTimeout: -1 })).toThrow(
      /defineCache\('bad'\): option 'loadTimeout' must be a positive duration/,
    );
  });
});
