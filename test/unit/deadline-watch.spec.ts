import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DeadlineWatch } from '../../lib/engine/store-guard/deadline-watch.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('DeadlineWatch', () => {
  it('keeps nothing of an answered call until its next sweep', async () => {
    // A minute's deadline: the sweep (a tenth of it) does not run during the test.
    const watch = new DeadlineWatch(6_000);
    let answer: WeakRef<object> | undefined;
    await (async () => {
      const value = { payload: Buffer.alloc(1_024) };
      answer = new WeakRef(value);
      const result = await watch.run(
        Promise.resolve(value),
        60_000,
        (v) => v,
        () => undefined,
      );
      expect(result).toBe(value);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    // Thousands of answers a second wait for the sweep: held until then, they survive every young
    // collection meanwhile, which then copies them (the tail of a busy hit path).
    expect(answer!.deref()).toBeUndefined();
  });

  it('still answers a call that was due before its sweep', async () => {
    const watch = new DeadlineWatch(5);
    const outcome = await watch.run(
      new Promise(() => undefined),
      20,
      () => 'answered',
      () => 'overdue',
    );
    expect(outcome).toBe('overdue');
  });
});
