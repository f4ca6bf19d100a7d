import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../lib/engine/loading/single-flight.js';

describe('SingleFlight', () => {
  it("starts the work in the first caller's turn, ahead of continuations already queued", async () => {
    // A burst's shared read missed: its joiners' continuations are queued; the load's lease must not wait for them.
    const flights = new SingleFlight<number>();
    const order: string[] = [];
    queueMicrotask(() => order.push('queued before'));
    const { promise, joined } = flights.run('k', async () => (order.push('work'), 1));
    expect(joined).toBe(false);
    expect(order).toEqual(['work']);
    expect(await promise).toBe(1);
    expect(order).toEqual(['work', 'queued before']);
  });

  it('lets a call the work makes for the same key join it, and forgets the key once it settles', async () => {
    const flights = new SingleFlight<number>();
    let inner: { promise: Promise<number>; joined: boolean } | undefined;
    const { promise } = flights.run('k', async () => {
      inner = flights.run('k', async () => 2);
      return 1;
    });
    expect(inner?.joined).toBe(true);
    expect(await promise).toBe(1);
    expect(await inner!.promise).toBe(1);
    expect(flights.has('k')).toBe(false);
  });

  it('rejects every caller when the work throws before its first await, and leaves no entry', async () => {
    const flights = new SingleFlight<number>();
    const first = flights.run('k', () => {
      throw new Error('origin down');
    });
    const second = flights.run('k', async () => 2);
    expect(second.joined).toBe(true);
    await expect(first.promise).rejects.toThrow('origin down');
    await expect(second.promise).rejects.toThrow('origin down');
    expect(flights.has('k')).toBe(false);
    expect(await flights.run('k', async () => 3).promise).toBe(3);
  });
});
