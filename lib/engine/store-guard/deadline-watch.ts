/** Raised when a store call did not answer in time. */
export class DeadlineExceeded extends Error {}

interface Pending {
  due: number;
  settled: boolean;
  resolve: (value: unknown) => void;
  onError: (error: unknown) => unknown;
}

/**
 * Bounds many concurrent calls with one sweeping timer instead of a timer and a race per call:
 * on the hit path that difference is a large share of the cost. A call fails at most one sweep
 * (a tenth of the deadline) after it is due. Time the event loop spent unable to run the sweep
 * (this process overloaded, not the store slow) extends every pending deadline, so an overloaded
 * process does not mistake its own backlog for a failing Redis and send everything to the origin.
 * Pending calls sit in an array in call order; one that answers is only flagged, and the sweep
 * drops it, so the hit path does no set or map bookkeeping.
 */
export class DeadlineWatch {
  #pending: Pending[] = [];
  #timer?: NodeJS.Timeout;
  #lastSweep = 0;

  constructor(private readonly sweepMs: number) {}

  /**
   * `onValue(result)` when `work` settles in time, else `onError(error)`: with the work's
   * rejection, or with a DeadlineExceeded once it is overdue. The handlers' result is what the
   * returned promise resolves to (it rejects only if a handler throws), so the caller needs no
   * further `.then` of its own.
   */
  run<T, R>(
    work: Promise<T>,
    deadlineMs: number,
    onValue: (value: T) => R,
    onError: (error: unknown) => R,
  ): Promise<R> {
    return new Promise<R>((resolve) => {
      const entry: Pending = { due: Date.now() + deadlineMs, settled: false, resolve: resolve as never, onError };
      this.#pending.push(entry);
      if (!this.#timer) {
        this.#lastSweep = Date.now();
        this.#timer = setInterval(() => this.#sweep(), this.sweepMs).unref();
      }
      work.then(
        (value) => settle(entry, onValue as (value: unknown) => unknown, value),
        (error: unknown) => settle(entry, onError, error),
      );
    });
  }

  #sweep(): void {
    const now = Date.now();
    const lag = now - this.#lastSweep - this.sweepMs;
    this.#lastSweep = now;
    const kept: Pending[] = [];
    for (const entry of this.#pending) {
      if (entry.settled) continue;
      if (lag > this.sweepMs) entry.due += lag;
      if (entry.due > now) {
        kept.push(entry);
        continue;
      }
      settle(entry, entry.onError, new DeadlineExceeded(`no answer within the deadline`));
    }
    this.#pending = kept;
    if (kept.length === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

// Settles once: a late answer after the deadline, or a deadline after the answer, is ignored.
function settle(entry: Pending, handler: (input: unknown) => unknown, input: unknown): void {
  if (entry.settled) return;
  entry.settled = true;
  let outcome: unknown;
  try {
    outcome = handler(input);
  } catch (error) {
    outcome = Promise.reject(error);
  }
  entry.resolve(outcome);
}
