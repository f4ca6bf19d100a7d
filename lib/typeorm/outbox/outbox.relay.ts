import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { CacheKit } from '../../cachekit.service.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import { ReplayDefinitions, decodePayload } from './outbox-payload.js';
import type { OutboxRow, OutboxTable } from './outbox-table.js';
import type { ResolvedOutboxOptions } from './outbox.options.js';
import { outboxMessages } from './outbox.messages.js';

/** What one relay run did. */
export interface OutboxRelayResult {
  /** Rows whose eviction the store confirmed (and which were deleted). */
  relayed: number;
  /** False when the store did not confirm a round: the rows stay for the next run. */
  complete: boolean;
}

/**
 * Replays outbox rows left behind (the writer crashed after COMMIT, or shut down with Redis down):
 * evicts their tags and entries, and deletes them only once the store confirmed. Runs at boot and
 * every `relayInterval`; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent instances take
 * disjoint rows, so each row is relayed by one instance at a time.
 */
export class OutboxRelay {
  readonly #replay = new ReplayDefinitions();
  readonly #log = new RateLimitedLogger(new Logger('CacheKitTypeOrm'));
  #timer?: NodeJS.Timeout;
  #running?: Promise<OutboxRelayResult>;
  #stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dataSourceName: string,
    private readonly table: OutboxTable,
    private readonly cacheKit: CacheKit,
    private readonly options: ResolvedOutboxOptions,
  ) {}

  /** Runs once now and then every `relayInterval`. */
  start(): void {
    void this.run();
    this.#timer = setInterval(() => void this.run(), this.options.relayIntervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One run (joined if one is in progress): rounds of `relayBatch` rows until none are left or the store refuses. */
  run(): Promise<OutboxRelayResult> {
    this.#running ??= this.#rounds().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #rounds(): Promise<OutboxRelayResult> {
    let relayed = 0;
    try {
      const cutoff = Date.now() - this.options.relayAfterMs;
      while (!this.#stopped && this.dataSource.isInitialized) {
        const round = await this.#round(cutoff);
        relayed += round.relayed;
        if (!round.confirmed) return { relayed, complete: false };
        if (round.taken < this.options.relayBatch) break;
      }
      return { relayed, complete: true };
    } catch (error) {
      this.#log.warn('outbox-relay', outboxMessages.relayFailed(this.dataSourceName, error));
      return { relayed, complete: false };
    }
  }

  // PostgreSQL: the rows stay locked (other relays skip them) until their DELETE commits.
  #round(cutoff: number): Promise<{ taken: number; relayed: number; confirmed: boolean }> {
    const work = async (db: EntityManager | DataSource) => {
      const rows = await this.table.take(db, cutoff, this.options.relayBatch);
      if (rows.length === 0) return { taken: 0, relayed: 0, confirmed: true };
      const confirmed = await this.#evict(rows);
      if (confirmed)
        await this.table.delete(
          db,
          rows.map((row) => row.id),
        );
      return { taken: rows.length, relayed: confirmed ? rows.length : 0, confirmed };
    };
    return this.table.postgres ? this.dataSource.transaction(work) : work(this.dataSource);
  }

  async #evict(rows: OutboxRow[]): Promise<boolean> {
    const tags = new Set<string>();
    const keys = new Map<string, [string, string]>();
    for (const row of rows) {
      const payload = decodePayload(row.payload);
      if (!payload) {
        this.#log.warn('outbox-row', outboxMessages.unreadableRow(this.table.path, row.id));
        continue;
      }
      for (const tag of payload.tags) tags.add(tag);
      for (const pair of payload.keys) keys.set(`${pair[0]}\u0000${pair[1]}`, pair);
    }
    if (tags.size === 0 && keys.size === 0) return true;
    // The retry queue may still land it later; the row stays until a run sees the store confirm.
    return this.cacheKit
      .evictMany({ keys: this.#replay.entries([...keys.values()]), tags: [...tags] })
      .catch(() => false);
  }
}
