import type { EventLoopUtilization } from 'node:perf_hooks';

/** Raised when a store call did not answer in time. */
export class DeadlineExceeded extends Error {}

/** A deadline being watched; settle it (`settled = true`) once what it bounds happened in time. */
export interface WatchedDeadline {
  settled: boolean;
}

/** A class, not a literal, for the reason `Call` in invocation.pipeline.ts gives: one per store call. */
class Pending implements WatchedDeadline {
  settled = false;
  constructor(
    public due: number,
    readonly deadlineMs: number,
    public resolve: (value: unknown) => void,
    public onError: (error: unknown) => unknown,
    /** Runs after the handler, however the call ended (frees its admission slot). */
    public onSettled: (() => void) | undefined,
  ) {}
}

/** A turn in the admission queue; `due` is on the clock of time spent waiting on the store. */
interface Turn extends WatchedDeadline {
  due: number;
  onOverdue: () => void;
}

/** Turns of one patience, in the order they were queued: their due times are in order too. */
interface TurnLine {
  turns: Turn[];
  head: number;
}

/**
 * Bounds many concurrent calls with one sweeping timer instead of a timer and a race per call:
 * on the hit path that difference is a large share of the cost. A call fails at most one sweep
 * (a tenth of the deadline) after it is due. While the store keeps answering, time the event loop
 * was busy extends every pending deadline: a burst (a cold start's thousands of misses) keeps the
 * loop busy with replies and loads for seconds while Redis answers promptly, and counted in wall
 * time that backlog looked like a failing Redis, opened the breaker and sent everything to the
 * origin unstored. While nothing answers, wall time counts, less only stalls of the loop itself
 * (the sweep ran late): a silent store fails its calls after one deadline however busy we are.
 * Pending calls sit in an array in call order; one that answers is only flagged, and the sweep
 * drops it, so the hit path does no set or map bookkeeping. The same sweep bounds calls' turns in
 * the admission queue (`after`), which count only time spent waiting on a slow store.
 */
export class DeadlineWatch {
  #pending: Pending[] = [];
  // Per patience: thousands of turns may wait in a burst, and a sweep looks only at the first ones.
  readonly #lines = new Map<number, TurnLine>();
  #timer?: NodeJS.Timeout;
  #lastSweep = 0;
  #lastUse?: EventLoopUtilization;
  /** A call was answered since the last sweep: the store is responsive. */
  #answered = false;
  /** Time spent waiting on a slow store since the watch was made: the clock turns are due on. */
  #blamedMs = 0;

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
      const entry = new Pending(due, deadlineMs, resolve as never, onError, onSettled);
      this.#pending.push(entry);
      this.#start();
      work.then(
        (value) => {
          this.#answered = true;
          settle(entry, onValue as (value: unknown) => unknown, value);
        },
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
    const turn: Turn = { due: this.#blamedMs + deadlineMs, settled: false, onOverdue };
    let line = this.#lines.get(deadlineMs);
    if (!line) this.#lines.set(deadlineMs, (line = { turns: [], head: 0 }));
    line.turns.push(turn);
    this.#start();
    return turn;
  }

  #start(): void {
    if (this.#timer) return;
    this.#lastSweep = Date.now();
    this.#lastUse = performance.eventLoopUtilization();
    this.#timer = setInterval(() => this.#sweep(), this.sweepMs).unref();
  }

  #sweep(): void {
    const now = Date.now();
    const elapsed = now - this.#lastSweep;
    this.#lastSweep = now;
    const use = performance.eventLoopUtilization();
    const busyMs = performance.eventLoopUtilization(use, this.#lastUse).active;
    this.#lastUse = use;
    // Turns count the time since the last sweep only while the store is slow, and then only the
    // part this process sat idle.
    if (this.#storeSlow(now)) this.#blamedMs += Math.max(0, elapsed - busyMs);
    // Answers came in: time spent busy (reading them among other work) is ours, not the store's.
    // None came: only a stall of the loop itself (the sweep ran late) is ours.
    const lag = elapsed - this.sweepMs;
    const oursMs = this.#answered ? busyMs : lag > this.sweepMs ? lag : 0;
    this.#answered = false;
    const kept: Pending[] = [];
    // Entries started by a handler below are appended to this array and visited too.
    for (const entry of this.#pending) {
      if (entry.settled) continue;
      entry.due += oursMs;
      if (entry.due > now) {
        kept.push(entry);
        continue;
      }
      settle(entry, entry.onError, new DeadlineExceeded(`no answer within the deadline`));
    }
    this.#pending = kept;
    this.#sweepTurns();
    if (kept.length === 0 && this.#lines.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  // Turns leave their line in order (admitted, or given up here), so only the head is looked at.
  #sweepTurns(): void {
    for (const [patienceMs, line] of this.#lines) {
      const { turns } = line;
      while (line.head < turns.length) {
        const turn = turns[line.head]!;
        if (!turn.settled) {
          if (turn.due > this.#blamedMs) break;
          turn.settled = true;
          turn.onOverdue();
        }
        line.head++;
      }
      if (line.head === turns.length) this.#lines.delete(patienceMs);
      else if (line.head > 1024 && line.head * 2 > turns.length) {
        turns.splice(0, line.head);
        line.head = 0;
      }
    }
  }

  // The oldest call in flight (the first unsettled one: entries are in call order) has used half
  // its deadline, net of this process's stalls: the store is slow to answer.
  #storeSlow(now: number): boolean {
    for (const entry of this.#pending) {
      if (!entry.settled) return entry.due - now <= entry.deadlineMs / 2;
    }
    return false;
  }
}

// Settles once: a late answer after the deadline, or a deadline after the answer, is ignored. The
// entry stays in the pending list until the next sweep, so it lets go of the caller's promise
// (which holds the answer) and handlers: else every answer of a sweep's interval (thousands on a
// busy hit path) stays reachable until then, for the young collections to copy.
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
  const resolve = entry.resolve;
  entry.resolve = entry.onError = IGNORE;
  entry.onSettled = undefined;
  resolve(outcome);
}

const IGNORE = (): undefined => undefined;
