import { GuardedStore } from '../store-guard/guarded-store.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import { RetryItem, RetryOutcome, RetryQueue, RetryQueueSettings } from './retry-queue.js';

/** What one eviction removes: entry keys and tag keys (a cache name's generation is a tag key). */
export interface Eviction {
  keys: readonly string[];
  tags: readonly string[];
}

/** Learns what became of an eviction the store did not confirm at once. */
export type EvictionOutcomeListener = (outcome: Exclude<RetryOutcome, 'queued'>) => void;

interface PendingEviction extends Eviction, RetryItem {
  onOutcome?: EvictionOutcomeListener;
}

const LISTED = 10;

/** Sends an eviction's keys and tags to the store together; true when it confirmed both. */
export async function sendEviction(store: GuardedStore, { keys, tags }: Eviction): Promise<boolean> {
  const [evicted, untagged] = await Promise.all([
    keys.length === 0 || store.invalidate(keys),
    tags.length === 0 || store.invalidateTags(tags),
  ]);
  return evicted && untagged;
}

/**
 * Evictions the store refused or did not answer, retried in the background until it confirms them
 * (bounded; the oldest are dropped beyond `maxTargets`). Until then no read of an entry they name,
 * or of an entry carrying a tag they name, is served from the cache: a failed eviction is never a
 * silent stale read in this process. Other instances see the eviction once a retry lands.
 */
export class EvictionRetries {
  readonly #queue: RetryQueue<PendingEviction>;
  // How many queued evictions name each key or tag.
  readonly #waiting = new Map<string, number>();
  // How many evictions on their way to the store name each key or tag (not yet confirmed or queued).
  readonly #sending = new Map<string, number>();

  constructor(
    private readonly store: GuardedStore,
    settings: RetryQueueSettings,
    private readonly log: RateLimitedLogger,
    private readonly onDropped: () => void = () => undefined,
  ) {
    this.#queue = new RetryQueue<PendingEviction>(
      (items) => this.#send(items),
      settings,
      (item, outcome) => this.#settled(item, outcome),
    );
  }

  /** Targets (entries + tags) still waiting for the store. */
  get size(): number {
    return this.#waiting.size;
  }

  /** True while some eviction is queued or on its way to the store (a cheap check before `blocks`). */
  get blocking(): boolean {
    return this.#waiting.size > 0 || this.#sending.size > 0;
  }

  /**
   * True when a queued eviction, or one on its way to the store, names this entry or one of its
   * tags: do not serve it from the cache (nor from L1, which drops it only once the store answered).
   */
  blocks(key: string, tags: readonly string[]): boolean {
    for (const targets of [this.#waiting, this.#sending]) {
      if (targets.size === 0) continue;
      if (targets.has(key)) return true;
      for (const tag of tags) if (targets.has(tag)) return true;
    }
    return false;
  }

  /**
   * Blocks reads of what `eviction` names while it is sent: a caller told the eviction is done
   * (a COMMIT that returned after `commitWait`) before the store answered must not be served the
   * old value from L1. Call the returned function once the send settled (and after `add`).
   */
  sending(eviction: Eviction): () => void {
    const targets = [...eviction.keys, ...eviction.tags];
    for (const target of targets) this.#sending.set(target, (this.#sending.get(target) ?? 0) + 1);
    return () => {
      for (const target of targets) {
        const count = (this.#sending.get(target) ?? 1) - 1;
        if (count > 0) this.#sending.set(target, count);
        else this.#sending.delete(target);
      }
    };
  }

  add(eviction: Eviction, onOutcome?: EvictionOutcomeListener): void {
    for (const target of [...eviction.keys, ...eviction.tags]) {
      this.#waiting.set(target, (this.#waiting.get(target) ?? 0) + 1);
    }
    this.#queue.add({ ...eviction, size: eviction.keys.length + eviction.tags.length, attempts: 1, onOutcome });
  }

  /** The store answers again: retry now rather than at the next backoff step. */
  drainSoon(): void {
    this.#queue.drainSoon();
  }

  /** Retries now, waiting at most `waitMs`. */
  flush(waitMs: number): Promise<void> {
    return this.#queue.flush(waitMs);
  }

  /** One last attempt within `waitMs`; what is left is logged (those entries live until their TTL). */
  async close(waitMs: number): Promise<void> {
    const left = await this.#queue.close(waitMs);
    for (const item of left) this.#settled(item, 'dropped');
  }

  #send(items: PendingEviction[]): Promise<boolean> {
    const keys = [...new Set(items.flatMap((item) => item.keys))];
    const tags = [...new Set(items.flatMap((item) => item.tags))];
    return sendEviction(this.store, { keys, tags });
  }

  #settled(item: PendingEviction, outcome: RetryOutcome): void {
    if (outcome === 'queued') return;
    for (const target of [...item.keys, ...item.tags]) {
      const count = (this.#waiting.get(target) ?? 1) - 1;
      if (count > 0) this.#waiting.set(target, count);
      else this.#waiting.delete(target);
    }
    if (outcome === 'dropped') {
      this.onDropped();
      const targets = [...item.keys, ...item.tags];
      const shown = targets.slice(0, LISTED).join(', ') + (targets.length > LISTED ? ', ...' : '');
      this.log.error(
        'eviction-dropped',
        `Gave up an eviction the cache store never confirmed (${shown}); those entries stay cached until their TTL.`,
      );
    }
    item.onOutcome?.(outcome);
  }
}
