import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import type { PendingEvictions } from '../pending-evictions.js';
import { encodePayload } from './outbox-payload.js';
import type { OutboxTable } from './outbox-table.js';
import { OutboxError } from './outbox.errors.js';
import { outboxMessages } from './outbox.messages.js';

/**
 * Writes a transaction's invalidations into the outbox table inside that transaction, just before
 * its COMMIT, and deletes the row once the store confirmed the eviction. A rollback takes the row
 * with it; a crash after COMMIT leaves it for the relay.
 */
export class OutboxWriter {
  // Keyed by runner: the tracker hands a merged PendingEvictions to the commit hook, not the one we wrote.
  readonly #written = new WeakMap<QueryRunner, string>();
  readonly #log = new RateLimitedLogger(new Logger('CacheKitTypeOrm'));

  constructor(
    private readonly dataSource: DataSource,
    private readonly table: OutboxTable,
  ) {}

  /**
   * beforeTransactionCommit: writes the row when this is the real COMMIT (not a savepoint's RELEASE)
   * and there is something to evict. A failed write fails the COMMIT: committing without the row
   * would reopen the window the outbox closes.
   */
  async beforeCommit(runner: QueryRunner, pending: PendingEvictions | undefined): Promise<void> {
    if (!pending || pending.isEmpty || !isOutermost(runner)) return;
    const id = randomUUID();
    try {
      await this.table.insert(runner, id, encodePayload(pending.targets));
    } catch (error) {
      throw new OutboxError(outboxMessages.writeFailed(this.table.path, error));
    }
    this.#written.set(runner, id);
  }

  /** afterTransactionCommit (the real one) or a rollback: the row this runner's transaction wrote, if any. */
  take(runner: QueryRunner): string | undefined {
    if (runner.isTransactionActive) return undefined;
    const id = this.#written.get(runner);
    this.#written.delete(runner);
    return id;
  }

  /** The store confirmed the eviction: the row has done its job. Errors are logged (the relay retries). */
  confirmed(id: string): void {
    this.table.delete(this.dataSource, [id]).catch((error: unknown) => {
      this.#log.warn('outbox-delete', outboxMessages.deleteFailed(this.table.path, error));
    });
  }
}

// TypeORM keeps the nesting depth in a protected field; unknown depth counts as outermost (a
// duplicate row is harmless: evictions are idempotent and the relay deletes it).
function isOutermost(runner: QueryRunner): boolean {
  const depth = (runner as unknown as { transactionDepth?: unknown }).transactionDepth;
  return typeof depth !== 'number' || depth <= 1;
}
