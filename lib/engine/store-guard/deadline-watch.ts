import type { EventLoopUtilization } from 'node:perf_hooks';

/** Raised when a store call did not answer in time. */
export class DeadlineExceeded extends Error {}

/** A deadline being watched; settle it (`settled = true`) once what it bounds happened in time. */
export interface WatchedDeadline {
  settled: boolean;
}

interface Pending extends WatchedDeadline {
  due: number;
  settled: boolean;
  resolve: (value: unknown) => void;
  onError: (error: unknown) => unknown;
  /** Runs after the handler, however the call ended (frees its admission slot). */
  onSettled?: () => void;
  /** The call's own deadline: set for calls in flight, not for turns in a queue (see `after`). */
  deadlineMs?: number;
}

/**
 * Bounds many concurrent calls with one sweeping timer instead of a timer and a race per call:
 * on the hit path that difference is a large share of the cost. A call fails at most one sweep
 * (a tenth of the deadline) after it is due. Time the event loop spent unable to run the sweep
 * (this process overloaded, not the store slow) extends every pending deadline, so an overloaded
 * process does not mistake its own backlog for a failing Redis and send everything to the origin.
 * Pending calls sit in an array in call order; one that answers is only flagged, and the sweep
 * drops it, so the hit path does no set or map bookkeeping. The same sweep bounds calls' turns in
 * the admission queue (`after`), which count only time spent waiting on a slow store.
 */
export class DeadlineWatch {
  #pending: Pending[] = [];
  #timer?: NodeJS.Timeout;
  #lastSweep = 0;
  #lastUse?: EventLoopUtilization;

  constructor(private readonly sweepMs: number) {}

  /**
   * `onValue(result)` when `work` settles in time, else `onError(error)`: with the work's
   * rejection, or with a DeadlineExceeded once it is overdue. The handlers' result is what the
   * returned promise resolves to (it rejects only if a handler throws), so the caller needs no
   * further `.then` of its own. `onSettled` runs after either handler.
   */
  run<T, R>(
    work: Promise<T>,
    deadlineMs: number,
    onValue: (value: T) => R,
    onError: (error: unknown) => R,
    onSettled?: () => void,
  ): Promise<R> {
    return new Promise<R>((resolve) => {
      const due = Date.now() + deadlineMs;
      const entry: Pending = { due, settled: false, resolve: resolve as never, onError, onSettled, deadlineMs };
      this.#watch(entry);
      work.then(
        (value) => settle(entry, onValue as (value: unknown) => unknown, value),
        (error: unknown) => settle(entry, onError, error),
      );
    });
  }

  /**
   * Calls `onOverdue` once `deadlineMs` of waiting on the store passed, unless the returned handle
   * was settled first: a deadline on a call's turn in a queue, behind the calls in flight here.
   * Only time the event loop sat idle while the oldest call in flight had used half its deadline
   * counts: then the store is what holds the queue up. Time this process spent busy, or waited on
   * a store that answers promptly, is its own backlog: giving up would only send the caller to the
   * origin through the same busy process, and leave the entry unstored for the next caller.
   */
  after(deadlineMs: number, onOverdue: () => void): WatchedDeadline {
    const entry: Pending = { due: Date.now() + deadlineMs, settled: false, resolve: ignore, onError: onOverdue };
    this.#watch(entry);
    return entry;
  }

  #watch(entry: Pending): void {
    this.#pending.push(entry);
    if (!this.#timer) {
      this.#lastSweep = Date.now();
      this.#lastUse = performance.eventLoopUtilization();
      this.#timer = setInterval(() => this.#sweep(), this.sweepMs).unref();
    }
  }

  #sweep(): void {
    const now = Date.now();
    const previous = this.#lastSweep;
    const lag = now - previous - this.sweepMs;
    this.#lastSweep = now;
    const use = performance.eventLoopUtilization();
    const busyMs = performance.eventLoopUtilization(use, this.#lastUse).active;
    this.#lastUse = use;
    // What a turn in the queue does not count: all of the time since the last sweep while the
    // store answers promptly, else the part this process was busy.
    const unblamedMs = this.#storeSlow(now) ? busyMs : now - previous;
    const kept: Pending[] = [];
    // Entries started by a handler below are appended to this array and visited too.
    for (const entry of this.#pending) {
      if (entry.settled) continue;
      if (entry.deadlineMs === undefined) entry.due += unblamedMs;
      else if (lag > this.sweepMs) entry.due += lag;
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

  // The oldest call in flight (the first unsettled one: entries are in call order) has used half
  // its deadline, net of this process's stalls: the store is slow to answer.
  #storeSlow(now: number): boolean {
    for (const entry of this.#pending) {
      if (entry.settled || entry.deadlineMs === undefined) continue;
      return entry.due - now <= entry.deadlineMs / 2;
    }
    return false;
  }
}

const ignore = (): void => undefined;

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
  entry.onSettled?.();
  entry.resolve(outcome);
}
