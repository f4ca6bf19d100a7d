/** Loads the values of several entries (by their index in the batch) with one call; aligned with `indices`. */
export type BatchLoader = (indices: number[]) => Promise<unknown[]>;

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Holds back the loads of a batch's entries until each has taken its fence (the engine's `begin`
 * runs before an entry's load), then runs one loader call for all of them and hands each its value.
 * The loader's error reaches every entry, so every waiting caller gets it and nothing is stored.
 * @example const barrier = new BatchBarrier(load); barrier.expect(0); barrier.seal(); await barrier.load(0);
 */
export class BatchBarrier {
  readonly #expected = new Set<number>();
  readonly #arrived = new Map<number, Waiter>();
  #sealed = false;
  #fired = false;

  constructor(private readonly loader: BatchLoader) {}

  /** The entry at `index` will call `load`: the loader waits for it. */
  expect(index: number): void {
    this.#expected.add(index);
  }

  /** Every entry that will call `load` was announced. */
  seal(): void {
    this.#sealed = true;
    this.#fireWhenComplete();
  }

  /** The value of the entry at `index`, from the one loader call. */
  load(index: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#arrived.set(index, { resolve, reject });
      this.#fireWhenComplete();
    });
  }

  #fireWhenComplete(): void {
    if (this.#fired || !this.#sealed || this.#arrived.size < this.#expected.size) return;
    this.#fired = true;
    // In the order the entries were asked for, whatever order their fences came back in.
    const waiters = [...this.#arrived].sort(([a], [b]) => a - b);
    const indices = waiters.map(([index]) => index);
    let pending: Promise<unknown[]>;
    try {
      pending = this.loader(indices);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (values) => waiters.forEach(([, waiter], i) => waiter.resolve(values[i])),
      (error: unknown) => waiters.forEach(([, waiter]) => waiter.reject(error)),
    );
  }
}
