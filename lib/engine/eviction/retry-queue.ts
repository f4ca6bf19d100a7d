import { within } from '../../timing/within.js';

/** Something the store has to be told again: its size counts toward the queue's bound. */
export interface RetryItem {
  /** Targets (entries + tags) it holds. */
  readonly size: number;
  /** Store calls made so far for it. */
  attempts: number;
}

/** What became of an item: waiting, confirmed by a retry, or given up (queue full, shutdown). */
export type RetryOutcome = 'queued' | 'retried' | 'dropped';

export interface RetryQueueSettings {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Targets held at most; beyond it the oldest items are dropped. */
  maxTargets: number;
}

// One retry round sends at most this many targets, so a long queue drains in store-sized calls.
const ROUND_TARGETS = 2_000;

/**
 * Evictions the store could not confirm, retried with exponential backoff (with jitter) until it
 * answers again. Evicting is idempotent, so items are merged and sent together per round; a
 * recovery signal (`drainSoon`) retries at once.
 */
export class RetryQueue<T extends RetryItem> {
  readonly #batches: T[] = [];
  #targets = 0;
  #failures = 0;
  #timer?: NodeJS.Timeout;
  #draining?: Promise<void>;
  /** A recovery signal came while a round was in flight: that round may have been sent before it. */
  #soon = false;
  #closed = false;

  constructor(
    private readonly send: (items: T[]) => Promise<boolean>,
    private readonly settings: RetryQueueSettings,
    private readonly report: (item: T, outcome: RetryOutcome) => void,
  ) {}

  /** Items waiting for the store, oldest first. */
  get pending(): readonly T[] {
    return this.#batches;
  }

  add(batch: T): void {
    if (this.#closed) return this.report(batch, 'dropped');
    this.#batches.push(batch);
    this.#targets += batch.size;
    this.report(batch, 'queued');
    while (this.#targets > this.settings.maxTargets && this.#batches.length > 0) {
      const dropped = this.#batches.shift()!;
      this.#targets -= dropped.size;
      this.report(dropped, 'dropped');
    }
    this.#schedule(this.#backoff());
  }

  /** The store answered again: retry now instead of at the next backoff step. */
  drainSoon(): void {
    if (this.#batches.length === 0 || this.#closed) return;
    this.#failures = 0;
    // The round in flight may fail for having been sent while the store was still away: the next
    // one then goes at once, not after the backoff.
    if (this.#draining) return void (this.#soon = true);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#schedule(0);
  }

  /** Targets waiting. */
  get targets(): number {
    return this.#targets;
  }

  /** Retries now (waiting at most `waitMs`), whatever the backoff says; the queue stays open. */
  async flush(waitMs: number): Promise<void> {
    if (this.#batches.length === 0 || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await within(this.#draining ?? this.#drain(), waitMs);
  }

  /** Stops retrying after one last attempt within `waitMs`; resolves with what is still pending. */
  async close(waitMs: number): Promise<T[]> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await within(this.#draining ?? Promise.resolve(), waitMs);
    if (this.#batches.length > 0 && !this.#draining) await within(this.#round(), waitMs);
    return this.#batches.splice(0);
  }

  #schedule(delayMs: number): void {
    if (this.#closed || this.#timer || this.#draining || this.#batches.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, delayMs);
    this.#timer.unref();
  }

  // One round, then the next one scheduled: at once after a success (more may wait), else after the backoff.
  #drain(): Promise<void> {
    return (this.#draining = this.#round()
      .then((ok) => {
        this.#draining = undefined;
        const soon = this.#soon;
        this.#soon = false;
        this.#schedule(ok || soon ? 0 : this.#backoff());
      })
      .catch(() => {
        this.#draining = undefined;
      }));
  }

  async #round(): Promise<boolean> {
    const round: T[] = [];
    let size = 0;
    for (const batch of this.#batches) {
      if (round.length > 0 && size + batch.size > ROUND_TARGETS) break;
      round.push(batch);
      size += batch.size;
    }
    for (const batch of round) batch.attempts++;
    const ok = await this.send(round);
    if (!ok) {
      this.#failures++;
      return false;
    }
    this.#failures = 0;
    for (const batch of round) {
      const index = this.#batches.indexOf(batch);
      if (index < 0) continue; // dropped meanwhile
      this.#batches.splice(index, 1);
      this.#targets -= batch.size;
      this.report(batch, 'retried');
    }
    return true;
  }

  #backoff(): number {
    const { initialDelayMs, maxDelayMs } = this.settings;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.#failures, 30));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }
}
