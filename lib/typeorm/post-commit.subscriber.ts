import { Logger } from '@nestjs/common';
import type {
  EntityMetadata,
  EntitySubscriberInterface,
  InsertEvent,
  ObjectLiteral,
  QueryRunner,
  RecoverEvent,
  RemoveEvent,
  SoftRemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
  UpdateEvent,
} from 'typeorm';
import { readInsert, readRemoval, readUpdate } from './change-reader.js';
import type { BulkChange, EntityChange } from './entity-change.interface.js';
import type { EvictionDispatcher } from './eviction-dispatcher.js';
import type { EvictionTargets } from './eviction-targets.js';
import { PendingEvictions } from './pending-evictions.js';
import { TransactionTracker } from './transaction-tracker.js';
import type { DirtyTransactions } from './dirty-transactions.js';
import type { InvalidationRegistry } from './typeorm-invalidation.registry.js';
import type { OutboxWriter } from './outbox/outbox.writer.js';

/**
 * The bridge on one DataSource: entity after-hooks (which run inside the transaction, before
 * COMMIT, and also for work later rolled back) only collect; evictions are sent after the real
 * COMMIT. A change outside a transaction is already committed, so it is evicted at once.
 */
export class PostCommitSubscriber implements EntitySubscriberInterface {
  readonly #tracker = new TransactionTracker();
  readonly #logger = new Logger('CacheKitTypeOrm');

  constructor(
    readonly dataSourceName: string,
    private readonly registry: InvalidationRegistry,
    private readonly dispatcher: EvictionDispatcher,
    private readonly dirty?: DirtyTransactions,
    private readonly outbox?: OutboxWriter,
  ) {}

  afterInsert(event: InsertEvent<ObjectLiteral>): Promise<void> | void {
    return this.#collect(event.queryRunner, event.metadata, () => readInsert(event));
  }

  afterUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> | void {
    return this.#collect(event.queryRunner, event.metadata, () => readUpdate(event));
  }

  afterRemove(event: RemoveEvent<ObjectLiteral>): Promise<void> | void {
    return this.#collect(event.queryRunner, event.metadata, () => readRemoval('remove', event));
  }

  afterSoftRemove(event: SoftRemoveEvent<ObjectLiteral>): Promise<void> | void {
    return this.#collect(event.queryRunner, event.metadata, () => readRemoval('soft-remove', event));
  }

  afterRecover(event: RecoverEvent<ObjectLiteral>): Promise<void> | void {
    return this.#collect(event.queryRunner, event.metadata, () => readRemoval('recover', event));
  }

  afterTransactionStart(event: TransactionStartEvent): void {
    this.#tracker.started(event.queryRunner);
  }

  // Outbox only: the row is written inside the transaction; a failed write fails the COMMIT on purpose.
  beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> | void {
    return this.outbox?.beforeCommit(event.queryRunner, this.#tracker.current(event.queryRunner));
  }

  afterTransactionCommit(event: TransactionCommitEvent): Promise<void> | void {
    const committedAt = performance.now();
    try {
      const pending = this.#tracker.committed(event.queryRunner);
      const row = this.outbox?.take(event.queryRunner);
      const confirmed = row === undefined ? undefined : () => this.outbox!.confirmed(row);
      if (pending) return this.dispatcher.dispatch(pending, this.#source('committed'), committedAt, confirmed);
    } catch (error) {
      this.#fail(error);
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.#tracker.rolledBack(event.queryRunner);
    this.outbox?.take(event.queryRunner);
  }

  /** Evicts `targets` after the transaction of `runner` commits, or now when it is in none. */
  evictAfterCommit(runner: QueryRunner | undefined, targets: EvictionTargets): Promise<void> {
    const level = this.#tracker.current(runner);
    const pending = level ?? new PendingEvictions();
    pending.record({ entity: '(explicit)', kind: 'explicit', bulk: false }, targets);
    return level ? Promise.resolve() : this.dispatcher.dispatch(pending, this.#source('autocommit'));
  }

  #collect(
    runner: QueryRunner,
    metadata: EntityMetadata,
    read: () => EntityChange | BulkChange | undefined,
  ): Promise<void> | void {
    const committedAt = performance.now();
    this.dirty?.wrote(); // reads after this in the same transaction bypass the cache
    try {
      const change = read();
      if (!change) return;
      const level = this.#tracker.current(runner);
      const pending = level ?? new PendingEvictions();
      this.registry.collect(metadata, change, pending);
      if (!level) return this.dispatcher.dispatch(pending, this.#source('autocommit'), committedAt);
    } catch (error) {
      this.#fail(error);
    }
  }

  #source(transaction: 'committed' | 'autocommit') {
    return { dataSource: this.dataSourceName, transaction };
  }

  // Never rethrown: from a hook it would fail (or roll back) a write the database accepted.
  #fail(error: unknown): void {
    this.#logger.error(`Post-commit bridge error: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
