import { describe, expect, it } from 'vitest';
import { RetryItem, RetryQueue } from '../../lib/engine/eviction/retry-queue.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Item extends RetryItem {
  tags: string[];
}

function batch(...tags: string[]): Item {
  return { tags, size: tags.length, attempts: 1 };
}

/** A store that fails until `up` is set, recording what each call sent. */
function flakyStore() {
  const store = {
    up: false,
    calls: [] as { tags: string[] }[],
    send: async (parts: Item[]) => {
      store.calls.push({ tags: parts.flatMap((p) => p.tags) });
      return store.up;
    },
  };
  return store;
}

describe('the retry queue of evictions the store did not confirm', () => {
  it('retries with backoff until the store answers, then reports each batch as retried', async () => {
    const store = flakyStore();
    const outcomes: [string, string, number][] = [];
    const queue = new RetryQueue<Item>(
      store.send,
      { initialDelayMs: 20, maxDelayMs: 80, maxTargets: 100 },
      (b, outcome) => outcomes.push([b.tags[0]!, outcome, b.attempts]),
    );
    queue.add(batch('a'));
    queue.add(batch('b'));
    await sleep(300);
    expect(store.calls.length).toBeGreaterThanOrEqual(3);
    expect(store.calls[0]!.tags).toEqual(['a', 'b']); // one round sends every pending batch together
    store.up = true;
    await sleep(150);
    expect(queue.pending).toHaveLength(0);
    expect(outcomes.slice(0, 2)).toEqual([
      ['a', 'queued', 1],
      ['b', 'queued', 1],
    ]);
    const retried = outcomes.filter(([, outcome]) => outcome === 'retried');
    expect(retried.map(([tag]) => tag)).toEqual(['a', 'b']);
    expect(retried[0]![2]).toBeGreaterThan(2);
    await queue.close(10);
  });

  it('holds at most maxTargets: the oldest batches are dropped and reported', async () => {
    const store = flakyStore();
    const outcomes: string[] = [];
    const queue = new RetryQueue<Item>(
      store.send,
      { initialDelayMs: 1_000, maxDelayMs: 1_000, maxTargets: 3 },
      (b, o) => outcomes.push(`${o}:${b.tags.join('+')}`),
    );
    queue.add(batch('a', 'b'));
    queue.add(batch('c', 'd'));
    expect(outcomes).toEqual(['queued:a+b', 'queued:c+d', 'dropped:a+b']);
    expect(queue.pending.map((b) => b.tags)).toEqual([['c', 'd']]);
    await queue.close(10);
  });

  it('drains at once on a recovery signal instead of waiting out the backoff', async () => {
    const store = flakyStore();
    const queue = new RetryQueue<Item>(
      store.send,
      { initialDelayMs: 5_000, maxDelayMs: 5_000, maxTargets: 10 },
      () => {},
    );
    queue.add(batch('a'));
    store.up = true;
    queue.drainSoon();
    await sleep(30);
    expect(store.calls).toHaveLength(1);
    expect(queue.pending).toHaveLength(0);
    await queue.close(10);
  });

  it('retries at once after a round that was in flight when the recovery signal came, and failed', async () => {
    // The round was sent while the store was still down; the store came back before it failed.
    let release!: () => void;
    const calls: boolean[] = [];
    let up = false;
    const send = async () => {
      calls.push(up);
      if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return calls.length > 1 && up;
    };
    const queue = new RetryQueue<Item>(send, { initialDelayMs: 5_000, maxDelayMs: 5_000, maxTargets: 10 }, () => {});
    queue.add(batch('a'));
    queue.drainSoon(); // a first signal: the round goes out while the store is still down
    await sleep(20);
    expect(calls).toHaveLength(1);
    up = true;
    queue.drainSoon();
    release();
    await sleep(30);
    expect(calls).toEqual([false, true]);
    expect(queue.pending).toHaveLength(0);
    await queue.close(10);
  });

  it('retries at once on flush, whatever the backoff, and stays open', async () => {
    const store = flakyStore();
    const queue = new RetryQueue<Item>(
      store.send,
      { initialDelayMs: 5_000, maxDelayMs: 5_000, maxTargets: 10 },
      () => {},
    );
    queue.add(batch('a'));
    await queue.flush(50);
    expect(store.calls).toHaveLength(1);
    store.up = true;
    await queue.flush(50);
    expect(store.calls).toHaveLength(2);
    expect(queue.pending).toHaveLength(0);
    queue.add(batch('b'));
    expect(queue.pending).toHaveLength(1); // still open
    await queue.close(10);
  });

  it('makes one last attempt at close and hands back what is still pending', async () => {
    const store = flakyStore();
    const queue = new RetryQueue<Item>(
      store.send,
      { initialDelayMs: 5_000, maxDelayMs: 5_000, maxTargets: 10 },
      () => {},
    );
    queue.add(batch('a'));
    const left = await queue.close(50);
    expect(store.calls).toHaveLength(1);
    expect(left.map((b) => b.tags)).toEqual([['a']]);
    expect(queue.pending).toHaveLength(0);
  });
});
