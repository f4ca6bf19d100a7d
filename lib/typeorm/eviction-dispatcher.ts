import { Logger } from '@nestjs/common';
import type { CacheKit } from '../cachekit.service.js';
import { within } from '../timing/within.js';
import { EvictionEventPublisher, EvictionOutcome } from './eviction-events.js';
import type { EvictionTargets } from './eviction-targets.js';
import type { ChangeSummary, PendingEvictions } from './pending-evictions.js';

export interface EvictionDispatcherSettings {
  /** How long a commit hook waits for the store before leaving the eviction to the background. */
  commitWaitMs: number;
}

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
  /** Told once when the store confirmed this batch (the outbox deletes its row then). */
  confirmed?: () => void;
}

/** Where a batch comes from: the DataSource and whether a transaction or a single statement committed. */
export interface EvictionSource {
  dataSource: string;
  transaction: 'committed' | 'autocommit';
}

const LISTED_AT_SHUTDOWN = 20;

/**
 * Sends committed evictions to the store through CacheKit, publishes what became of them (those
 * the store could not confirm wait in CacheKit's retry queue, which tells us when they land), and
 * runs delayed second evictions. Never throws: it runs in commit hooks, where a throw would make a
 * committed transaction look failed.
 */
export class EvictionDispatcher {
  readonly #queued = new Set<EvictionBatch>();
  readonly #repeats = new Map<NodeJS.Timeout, EvictionBatch>();
  readonly #logger = new Logger('CacheKitTypeOrm');

  constructor(
    private readonly cacheKit: CacheKit,
    private readonly publisher: EvictionEventPublisher,
    private readonly settings: EvictionDispatcherSettings,
  ) {}

  /** Batches waiting for the store to come back. */
  get pending(): readonly EvictionBatch[] {
    return [...this.#queued];
  }

  /**
   * Evicts now (waiting at most `commitWait`) and schedules the delayed second evictions; `confirmed`
   * runs once the store confirmed the first eviction (at once or after retries).
   */
  async dispatch(
    pending: PendingEvictions,
    source: EvictionSource,
    committedAt = performance.now(),
    confirmed?: () => void,
  ): Promise<void> {
    try {
      const changes = pending.changes;
      for (const [delayMs, targets] of pending.repeats) {
        this.#scheduleRepeat(delayMs, { ...source, changes, targets, repeat: true, committedAt, attempts: 0 });
      }
      if (pending.isEmpty) return;
      const batch = {
        ...source,
        changes,
        targets: pending.targets,
        repeat: false,
        committedAt,
        attempts: 0,
        confirmed,
      };
      await this.#evict(batch);
    } catch (error) {
      this.#logger.error(`Post-commit eviction failed unexpectedly: ${error instanceof Error ? error.stack : error}`);
    }
  }

  /** Makes one last attempt for queued evictions, then logs (and reports as dropped) what is left. */
  async close(): Promise<void> {
    const repeats = [...this.#repeats.values()];
    for (const timer of this.#repeats.keys()) clearTimeout(timer);
    this.#repeats.clear();
    if (this.#queued.size > 0) await this.cacheKit.flushEvictions(this.settings.commitWaitMs);
    const left = [...this.#queued];
    this.#queued.clear();
    for (const batch of left) this.#publish(batch, 'dropped');
    if (left.length > 0) this.#logger.error(describeLeftovers(left));
    if (repeats.length > 0) {
      this.#logger.warn(`${repeats.length} delayed second eviction(s) did not run before shutdown: ${list(repeats)}.`);
    }
  }

  async #evict(batch: EvictionBatch): Promise<void> {
    batch.attempts++;
    const attempt = this.#send(batch);
    const ok = await within(attempt, this.settings.commitWaitMs);
    if (ok === undefined) void attempt.then((late) => this.#settle(batch, late));
    else this.#settle(batch, ok);
  }

  #settle(batch: EvictionBatch, ok: boolean): void {
    if (ok) {
      batch.confirmed?.();
      return this.#publish(batch, 'evicted');
    }
    this.#queued.add(batch);
    this.#publish(batch, 'queued');
  }

  // What CacheKit's retry queue did with a batch the store did not confirm at first.
  #retried(batch: EvictionBatch, outcome: 'retried' | 'dropped'): void {
    if (!this.#queued.delete(batch)) return; // reported already (shutdown)
    batch.attempts++;
    if (outcome === 'retried') batch.confirmed?.();
    this.#publish(batch, outcome);
  }

  #scheduleRepeat(delayMs: number, batch: EvictionBatch): void {
    const timer = setTimeout(() => {
      this.#repeats.delete(timer);
      void this.#evict(batch).catch(() => undefined);
    }, delayMs);
    timer.unref();
    this.#repeats.set(timer, batch);
  }

  async #send(batch: EvictionBatch): Promise<boolean> {
    const { targets } = batch;
    try {
      return await this.cacheKit.evictMany(
        { keys: targets.entries, tags: targets.tags },
        { onOutcome: (outcome) => this.#retried(batch, outcome), source: 'orm' },
      );
    } catch {
      return false;
    }
  }

  #publish(batch: EvictionBatch, outcome: EvictionOutcome): void {
    this.publisher.publish({
      dataSource: batch.dataSource,
      transaction: batch.transaction,
      changes: batch.changes,
      tags: batch.targets.tags,
      keys: batch.targets.keys,
      outcome,
      attempts: batch.attempts,
      latencyMs: performance.now() - batch.committedAt,
      repeat: batch.repeat,
    });
  }
}

function describeLeftovers(left: EvictionBatch[]): string {
  return (
    `${left.length} committed eviction(s) were still unconfirmed at shutdown (${list(left)}). ` +
    `The store never confirmed them, so these entries stay cached until their TTL expires.`
  );
}

function list(batches: EvictionBatch[]): string {
  const targets = [
    ...new Set(
      batches.flatMap((b) => [...b.targets.tags.map((t) => `tag ${t}`), ...b.targets.keys.map((k) => `key ${k}`)]),
    ),
  ];
  const shown = targets.slice(0, LISTED_AT_SHUTDOWN).join(', ');
  return targets.length > LISTED_AT_SHUTDOWN ? `${shown}, and ${targets.length - LISTED_AT_SHUTDOWN} more` : shown;
}
