/**
 * Runs one call per key at a time in this process; concurrent callers of the same key share it.
 * @example const { promise } = flights.run(key, () => loadFromDb())
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** The shared result; `joined` is false only for the caller whose `work` runs. */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const existing = this.#inFlight.get(key);
    if (existing) return { promise: existing, joined: true };
    // Registered before `work` starts, so even a synchronous throw cannot leave a stale entry.
    const promise = Promise.resolve()
      .then(work)
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return { promise, joined: false };
  }

  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  get size(): number {
    return this.#inFlight.size;
  }
}
