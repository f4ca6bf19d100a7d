import type { DeadlineWatch } from './deadline-watch.js';

/** How a waiting call is treated: which breaker judges it, and how long its caller waits for a slot. */
export interface AdmissionTerms {
  /** Opening this direction's breaker drops the call (an open write breaker drops reads too). */
  direction: 'read' | 'write';
  /** How long it may wait for a slot, counting only time spent waiting on a slow store (see DeadlineWatch.after); past it, it is given up, not sent. */
  patienceMs: number;
  /** Kept even when its breaker opens: a lease release is sent while the breaker is open, too. */
  keepWhenOpen?: boolean;
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
  const background: AdmissionTerms = { direction: 'write', patienceMs: Math.max(1_000, deadlineMs * 10) };
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

/**
 * Bounds the store calls in flight: past `limit`, calls wait their turn, in the order they were
 * made. Without it a burst (a cold start: every key missing at once) puts tens of thousands of
 * commands in the client's queue together, and the last of them answer long after any deadline
 * although Redis is healthy: the wait is this process's own backlog, and it opened the breakers.
 * Kept in flight, the calls see how responsive Redis is; waiting, they see only the local queue.
 * Slots are freed when a call settles or misses its deadline, so a store that stops answering
 * cannot hold the gate closed for longer than one deadline.
 */
export class AdmissionGate {
  readonly #queue: Waiter[] = [];
  #head = 0;
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
    if (this.#inFlight >= this.limit || this.#head < this.#queue.length) return false;
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
      this.#queue.push(waiter);
    });
  }

  /**
   * Frees the slot of a call that settled or missed its deadline; the next in line start once the
   * replies that arrived together were handled (a tick later), so they leave in one socket write
   * rather than one write each. Calls made meanwhile queue behind them: the order holds.
   */
  leave(): void {
    this.#inFlight--;
    if (this.#draining || this.#head === this.#queue.length) return;
    this.#draining = true;
    process.nextTick(this.#drain);
  }

  readonly #drain = (): void => {
    this.#draining = false;
    this.batch(this.#startWaiting);
  };

  readonly #startWaiting = (): void => {
    while (this.#inFlight < this.limit && this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]!;
      this.#shift();
      if (waiter.done) continue;
      waiter.done = true;
      this.#inFlight++;
      waiter.start();
    }
  };

  /**
   * A breaker opened (in-flight calls failing: a real fault): the calls it judges that are still
   * waiting are dropped at once instead of waiting for slots that a failing store frees slowly.
   * An open write breaker skips reads too, so it drops both.
   */
  drop(direction: 'read' | 'write'): void {
    const kept: Waiter[] = [];
    const dropped: Waiter[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const waiter = this.#queue[i]!;
      if (waiter.done) continue;
      const judged = direction === 'write' || waiter.terms.direction === 'read';
      (judged && !waiter.terms.keepWhenOpen ? dropped : kept).push(waiter);
    }
    this.#queue.length = 0;
    this.#head = 0;
    for (const waiter of kept) this.#queue.push(waiter);
    for (const waiter of dropped) {
      waiter.done = true;
      this.#dropped++;
      waiter.drop();
    }
  }

  /** Counts for stats and tests. */
  snapshot(): AdmissionSnapshot {
    let queued = 0;
    for (let i = this.#head; i < this.#queue.length; i++) if (!this.#queue[i]!.done) queued++;
    return { inFlight: this.#inFlight, queued, gaveUp: this.#gaveUp, dropped: this.#dropped };
  }

  // An index instead of Array#shift (linear in the queue's length); compacted once half is spent.
  #shift(): void {
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
