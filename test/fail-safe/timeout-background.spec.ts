import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

const HARD_MS = 100;

describe('timeout.background and joiners under timeout.soft', () => {
  const closers: (() => Promise<void>)[] = [];
  const boot = async (options: Partial<CacheKitModuleOptions> = {}) => {
    const app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace(), ...options });
    closers.push(() => app.close());
    return app.get(CacheKit);
  };
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  const slowLoader = () => {
    const counter = { calls: 0 };
    const load = async () => {
      counter.calls++;
      await sleep(HARD_MS * 3);
      return `value ${counter.calls}`;
    };
    return { counter, load };
  };

  it('by default a load that outlived timeout.hard stores its result for the next callers', async () => {
    const cache = await boot();
    const late = defineCache({ name: 'late', key: (id: number) => id, timeout: { hard: HARD_MS } });
    const { counter, load } = slowLoader();
    await expect(cache.getOrSet(late, [1], load)).rejects.toMatchObject({ code: 'CACHEKIT_LOAD_TIMEOUT' });
    await sleep(HARD_MS * 4);
    expect(await cache.getOrSet(late, [1], load)).toBe('value 1');
    expect(counter.calls).toBe(1);
  });

  it('timeout.background: false drops the result of a load all of whose callers timed out', async () => {
    const cache = await boot({ singleFlight: false });
    const dropped = defineCache({
      name: 'dropped',
      key: (id: number) => id,
      timeout: { hard: HARD_MS, background: false },
    });
    const { counter, load } = slowLoader();
    await expect(cache.getOrSet(dropped, [1], load)).rejects.toMatchObject({ code: 'CACHEKIT_LOAD_TIMEOUT' });
    await sleep(HARD_MS * 4);
    expect(await cache.get(dropped, 1)).toBeUndefined();
    expect(counter.calls).toBe(1);
  });

  it('every joiner of a slow load gets the fail-safe value after timeout.soft, each once', async () => {
    const cache = await boot();
    const soft = defineCache({
      name: 'soft',
      key: (id: number) => id,
      ttl: 200,
      jitter: 0,
      failSafe: { maxAge: '1m' },
      timeout: { soft: 80 },
    });
    await cache.getOrSet(soft, [1], async () => ({ n: 1 }));
    await sleep(250);
    let calls = 0;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        cache.getOrSet(soft, [1], async () => {
          calls++;
          await sleep(1_000);
          return { n: 2 };
        }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(80 + 400);
    for (const answer of answers) expect(answer).toEqual({ n: 1 });
    answers[0]!.n = 99; // each caller has its own copy
    expect(answers[1]).toEqual({ n: 1 });
    expect(calls).toBe(1);
    expect(cache.stats().soft?.failSafeHits).toBe(5);
  });
});
