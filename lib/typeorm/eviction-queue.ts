import type { EvictionTargets } from './eviction-targets.js';
import type { EvictionOutcome } from './eviction-events.js';
import type { ChangeSummary } from './pending-evictions.js';

/** One committed transaction's eviction, as it travels to the store (and through the retry queue). */
export interface EvictionBatch {
  dataSource: string;
  transaction: 'committed' | 'autocommit';
  changes: ChangeSummary[];
  targets: EvictionTargets;
  repeat: boolean;
  /** performance.now() when the COMMIT returned. */
  committedAt: number;
  attempts: number;
}

export interface EvictionQueueSettings {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Tags + entries held at most; beyond it the oldest batches are dropped. */
  maxTargets: number;
}

// One retry round sends at most this many targets, so a long queue drains in store-sized calls.
const ROUND_TARGETS = 2_000;

/**
 * Evictions the store could not confirm, retried with exponential backoff (with jitter) until it
 * answers again. Evicting is idempotent, so batches are merged and sent together per round; a
 * recovery signal (`drainSoon`) retries at once.
 */
export class EvictionQueue {
  readonly #batches: EvictionBatch[] = [];
  #targets = 0;
  #failures = 0;
  #timer?: NodeJS.Timeout;
  #draining?: Promise<void>;
  #closed = false;

  constructor(
    private readonly send: (targets: EvictionTargets[]) => Promise<boolean>,
    private readonly settings: EvictionQueueSettings,
    private readonly report: (batch: EvictionBatch, outcome: EvictionOutcome) => void,
  ) {}

  /** Batches waiting for the store, oldest first. */
  get pending(): readonly EvictionBatch[] {
    return this.#batches;
  }

  add(batch: EvictionBatch): void {
    if (this.#closed) return this.report(batch, 'dropped');
    this.#batches.push(batch);
    this.#targets += batch.targets.size;
    this.report(batch, 'queued');
    while (this.#targets > this.settings.maxTargets && this.#batches.length > 0) {
      const dropped = this.#batches.shift()!;
      this.#targets -= dropped.targets.size;
      this.report(dropped, 'dropped');
    }
    this.#schedule(this.#backoff());
  }

  /** The store answered again: retry now instead of at the next backoff step. */
  drainSoon(): void {
    if (this.#batches.length === 0 || this.#draining || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#failures = 0;
    this.#schedule(0);
  }

  /** Stops retrying after one last attempt within `waitMs`; resolves with what is still pending. */
  async close(waitMs: number): Promise<EvictionBatch[]> {
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
      this.#draining = this.#round()
        .then((ok) => {
          this.#draining = undefined;
          this.#schedule(ok ? 0 : this.#backoff());
        })
        .catch(() => (this.#draining = undefined));
    }, delayMs);
    this.#timer.unref();
  }

  async #round(): Promise<boolean> {
    const round: EvictionBatch[] = [];
    let size = 0;
    for (const batch of this.#batches) {
      if (round.length > 0 && size + batch.targets.size > ROUND_TARGETS) break;
      round.push(batch);
      size += batch.targets.size;
    }
    for (const batch of round) batch.attempts++;
    const ok = await this.send(round.map((batch) => batch.targets));
    if (!ok) {
      this.#failures++;
      return false;
    }
    this.#failures = 0;
    for (const batch of round) {
      const index = this.#batches.indexOf(batch);
      if (index < 0) continue; // dropped meanwhile
      this.#batches.splice(index, 1);
      this.#targets -= batch.targets.size;
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

/** Waits for `promise` at most `ms`; resolves undefined on timeout. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
