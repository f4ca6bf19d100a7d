import { INestApplicationContext, Injectable, Logger, Module } from '@nestjs/common';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { Cacheable } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

@Injectable()
class HugeResultService {
  loads = 0;
  value: unknown;

  @Cacheable({ name: 'huge.result', key: (label: string) => label })
  async result(_label: string): Promise<unknown> {
    this.loads++;
    return this.value;
  }
}

@Module({ providers: [HugeResultService] })
class HugeResultModule {}

// A full collection before each measured call: a major GC of the previous calls' garbage (tens of
// ms on a busy 2-core machine, over a heap holding the huge value) is not the cache blocking.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** The longest the event loop was blocked while `call` ran, in ms. */
async function blockedMs(call: () => Promise<unknown>): Promise<number> {
  collectGarbage();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(5);
  histogram.reset();
  await call();
  await sleep(5); // the sampling timer fires late once the loop is free again: that records the block
  histogram.disable();
  return histogram.max / 1e6;
}

const CALLS = 7;

/**
 * A result the cache cannot store (over maxValueBytes, or holding a function) must not block the
 * event loop on every call: only the first call may pay for finding that out. Timings here have
 * wide margins (a shared two-core machine, and a collection of the big value may land in any
 * call): the least blocked of the later calls must block a quarter of the first, or less than 50
 * ms, whichever is larger. The least, not the median: being descheduled or collecting garbage only
 * ever adds to a call's time, while work the cache did on every call would show in each of them.
 */
describe('event-loop blocking by results the cache cannot store', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await app?.close();
    app = undefined;
  });

  it.each([
    [
      '10 MB of small rows',
      () => Array.from({ length: 250_000 }, (_, i) => ({ id: i, name: `product ${i}`, price: i / 100 })),
    ],
    ['a 100 MB string', () => 'y'.repeat(100_000_000)],
    ['100 MB of 1 KB rows', () => Array.from({ length: 100_000 }, (_, i) => ({ id: i, text: 'x'.repeat(1_000) + i }))],
    [
      '1e6 elements and one function',
      () => [...Array.from({ length: 1_000_000 }, (_, i) => ({ id: i })), { format: () => 'row' }],
    ],
  ])('%s: only the first call may block the event loop for long', async (_, build) => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace() }, { imports: [HugeResultModule] });
    const service = app.get(HugeResultService);
    service.value = build();

    const blocked: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      blocked.push(await blockedMs(async () => expect(await service.result('big')).toBe(service.value)));
    }
    expect(service.loads).toBe(CALLS); // never stored, so every call loads
    const [first, ...later] = blocked;
    const report = `blocked per call (ms): ${blocked.map((ms) => ms.toFixed(1)).join(', ')}`;
    expect(Math.min(...later), report).toBeLessThan(Math.max(first / 4, 50));
  });
});
