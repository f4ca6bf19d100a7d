import type { DeadlineWatch } from './deadline-watch.js';

/** How a waiting call is treated: which breaker judges it, and how long its caller waits for a slot. */
export interface AdmissionTerms {
  /** Opening this direction's breaker drops the call (an open write breaker drops reads too). */
  direction: 'read' | 'write';
  /** How long it may wait for a slot, counting only time spent waiting on a slow store (see DeadlineWatch.after); past it, it is given up, not sent. */
  patienceMs: number;
  /** Kept even when its breaker opens: a lease release is sent while the breaker is open, too. */
  keepWhenOpen?: boolean;
  /** No caller waits for it (fills, lease releases): while callers' calls wait too, it gets one turn in five. */
  background?: boolean;
}

/**
 * A bound to start from (`maxInFlight`, off by default): well above what steady traffic keeps in
 * flight (a caller has one call on its path at a time, plus its fill and lease release), well
 * below a cold start's burst, and few enough that Redis answers the last of them within milliseconds.
 */
export const SUGGESTED_MAX_IN_FLIGHT = 256;

/** How each kind of store call waits for its turn. */
export interface StoreTurns {
  /** Reads (the hit path): judged by the read breaker. */
  read: AdmissionTerms;
  /** Writes a caller waits for: leases, snapshots, puts, evictions. */
  caller: AdmissionTerms;
  /** Fills: no caller waits for them. */
  background: AdmissionTerms;
  /** Lease releases: as fills, and kept when the breaker opens. */
  release: AdmissionTerms;
}

/**
 * A caller waits for its turn no longer than for an answer. Fills and lease releases have no
 * caller waiting and are fenced (a late one is harmless): they wait as long as the client's own
 * command timeout lets a command sit in its queue (10 x the deadline, at least 1 s).
 * @example storeTurns(100).background.patienceMs // 1000
 */
export function storeTurns(deadlineMs: number): StoreTurns {
  const background: AdmissionTerms = {
    direction: 'write',
    patienceMs: Math.max(1_000, deadlineMs * 10),
    background: true,
  };
  return {
    read: { direction: 'read', patienceMs: deadlineMs },
    caller: { direction: 'write', patienceMs: deadlineMs },
    background,
    release: { ...background, keepWhenOpen: true },
  };
}

interface Waiter {
  terms: AdmissionTerms;
  start(): void;
  drop(): void;
  /** Set once it was started, dropped or given up: then it is skipped when its turn comes. */
  done: boolean;
}

/** How busy the gate is: calls in flight, calls waiting, and calls that gave up or were dropped while waiting. */
export interface AdmissionSnapshot {
  inFlight: number;
  queued: number;
  /** Waited past their patience: their callers went on without the store (not a store failure). */
  gaveUp: number;
  /** Waiting when their breaker opened: skipped, as calls made while it is open are. */
  dropped: number;
}

/** Waiters in the order they came; an index instead of Array#shift (linear in the line's length). */
class WaitLine {
  #waiters: Waiter[] = [];
  #head = 0;

  get waiting(): boolean {
    return this.#head < this.#waiters.length;
  }

  push(waiter: Waiter): void {
    this.#waiters.push(waiter);
  }

  /** The first in line, taken out of it. */
  shift(): Waiter {
    const waiter = this.#waiters[this.#head++]!;
    if (this.#head === this.#waiters.length) {
      this.#waiters.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      // Compacted once half is spent.
      this.#waiters.splice(0, this.#head);
      this.#head = 0;
    }
    return waiter;
  }

  /** Takes out the waiters `leaves` picks, in order, and returns them. */
  remove(leaves: (waiter: Waiter) => boolean): Waiter[] {
    const left: Waiter[] = [];
    const kept: Waiter[] = [];
    for (let i = this.#head; i < this.#waiters.length; i++) {
      const waiter = this.#waiters[i]!;
      if (!waiter.done) (leaves(waiter) ? left : kept).push(waiter);
    }
    this.#waiters = kept;
    this.#head = 0;
    return left;
  }

  count(): number {
    let queued = 0;
    for (let i = this.#head; i < this.#waiters.length; i++) if (!this.#waiters[i]!.done) queued++;
    return queued;
  }
}

/** While both lines wait, a background call is started after this many callers' calls. */
const CALLERS_PER_BACKGROUND = 4;

/**
 * Bounds the store calls in flight: past `limit`, calls wait their turn, in the order they were
 * made. Without it a burst (a cold start: every key missing at once) puts tens of thousands of
 * commands in the client's queue together, and the last of them answer long after any deadline
 * although Redis is healthy: the wait is this process's own backlog, and it opened the breakers.
 * Kept in flight, the calls see how responsive Redis is; waiting, they see only the local queue.
 * Slots are freed when a call settles or misses its deadline, so a store that stops answering
 * cannot hold the gate closed for longer than one deadline. Calls a caller waits for go ahead of
 * the burst's fills and lease releases (one in five turns for those): a request arriving after a
 * cold start waits behind the callers ahead of it, not behind the thousands of fills they left.
 * Fills are fenced by version, so one sent after a later eviction or read is harmless.
 */
export class AdmissionGate {
  readonly #callers = new WaitLine();
  readonly #background = new WaitLine();
  #callersInARow = 0;
  #inFlight = 0;
  #gaveUp = 0;
  #dropped = 0;
  #draining = false;

  /** `batch(send)`: runs `send`, whose store commands then leave in one socket write. */
  constructor(
    private readonly limit: number,
    private readonly watch: DeadlineWatch,
    private readonly batch: (send: () => void) => void = (send) => send(),
  ) {}

  /** True when a call may be sent now: it holds a slot until `leave()`. False: it must wait its turn. */
  tryEnter(): boolean {
    if (this.#inFlight >= this.limit || this.#callers.waiting || this.#background.waiting) return false;
    this.#inFlight++;
    return true;
  }

  /** Takes a slot whatever the bound: for the breaker's probes, whose verdict must not wait behind others. */
  enterNow(): void {
    this.#inFlight++;
  }

  /**
   * For a call `tryEnter` turned away: resolves with what `send` resolves to once a slot is free
   * (`send` then holds it until `leave()`), or with undefined when it waited past its patience or
   * its breaker opened first. Neither is a store failure: the store was never asked.
   */
  waitTurn<T>(terms: AdmissionTerms, send: () => Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve) => {
      const waiter: Waiter = {
        terms,
        done: false,
        start: () => {
          patience.settled = true;
          resolve(send());
        },
        drop: () => {
          patience.settled = true;
          resolve(undefined);
        },
      };
      const patience = this.watch.after(terms.patienceMs, () => {
        if (waiter.done) return;
        waiter.done = true;
        this.#gaveUp++;
        resolve(undefined);
      });
      (terms.background ? this.#background : this.#callers).push(waiter);
    });
  }

  /**
   * Frees the slot of a call that settled or missed its deadline; the next in line start once the
   * replies that arrived together were handled (a tick later), so they leave in one socket write
   * rather than one write each. Calls made meanwhile queue behind them: the order holds.
   */
  leave(): void {
    this.#inFlight--;
    if (this.#draining || !(this.#callers.waiting || this.#background.waiting)) return;
    this.#draining = true;
    process.nextTick(this.#drain);
  }

  readonly #drain = (): void => {
    this.#draining = false;
    this.batch(this.#startWaiting);
  };

  readonly #startWaiting = (): void => {
    while (this.#inFlight < this.limit) {
      const line = this.#nextLine();
      if (!line) return;
      const waiter = line.shift();
      if (waiter.done) continue;
      waiter.done = true;
      this.#inFlight++;
      waiter.start();
    }
  };

  #nextLine(): WaitLine | undefined {
    const background = this.#background.waiting;
    if (this.#callers.waiting && !(background && this.#callersInARow >= CALLERS_PER_BACKGROUND)) {
      this.#callersInARow++;
      return this.#callers;
    }
    this.#callersInARow = 0;
    return background ? this.#background : undefined;
  }

  /**
   * A breaker opened (in-flight calls failing: a real fault): the calls it judges that are still
   * waiting are dropped at once instead of waiting for slots that a failing store frees slowly.
   * An open write breaker skips reads too, so it drops both.
   */
  drop(direction: 'read' | 'write'): void {
    const judged = (waiter: Waiter) =>
      (direction === 'write' || waiter.terms.direction === 'read') && !waiter.terms.keepWhenOpen;
    for (const waiter of [...this.#callers.remove(judged), ...this.#background.remove(judged)]) {
      waiter.done = true;
      this.#dropped++;
      waiter.drop();
    }
  }

  /** Counts for stats and tests. */
  snapshot(): AdmissionSnapshot {
    const queued = this.#callers.count() + this.#background.count();
    return { inFlight: this.#inFlight, queued, gaveUp: this.#gaveUp, dropped: this.#dropped };
  }
}
