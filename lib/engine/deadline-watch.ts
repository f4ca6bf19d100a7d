/** Raised when a store call did not answer in time. */
export class DeadlineExceeded extends Error {}

interface Pending {
  due: number;
  reject: (error: Error) => void;
}

/**
 * Bounds many concurrent calls with one sweeping timer instead of a timer and a race per call:
 * on the hit path that difference is a large share of the cost. A call fails at most one sweep
 * (a tenth of the deadline) after it is due. Time the event loop spent unable to run the sweep
 * (this process overloaded, not the store slow) extends every pending deadline, so an overloaded
 * process does not mistake its own backlog for a failing Redis and send everything to the origin.
 */
export class DeadlineWatch {
  readonly #pending = new Set<Pending>();
  #timer?: NodeJS.Timeout;
  #lastSweep = 0;

  constructor(private readonly sweepMs: number) {}

  run<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { due: Date.now() + deadlineMs, reject };
      this.#pending.add(entry);
      if (!this.#timer) {
        this.#lastSweep = Date.now();
        this.#timer = setInterval(() => this.#sweep(), this.sweepMs).unref();
      }
      work.then(
        (value) => {
          this.#pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  #sweep(): void {
    const now = Date.now();
    const lag = now - this.#lastSweep - this.sweepMs;
    this.#lastSweep = now;
    for (const entry of this.#pending) {
      if (lag > this.sweepMs) entry.due += lag;
      if (entry.due > now) continue;
      this.#pending.delete(entry);
      entry.reject(new DeadlineExceeded(`no answer within the deadline`));
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
