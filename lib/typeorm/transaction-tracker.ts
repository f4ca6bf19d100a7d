import type { QueryRunner } from 'typeorm';
import { PendingEvictions } from './pending-evictions.js';

/**
 * Follows transactions and savepoints per QueryRunner and keeps what each level collected until
 * it commits. The state lives here, not in `queryRunner.data` (which TypeORM swaps around each
 * save). Every subscriber receives every transaction event, and a savepoint's RELEASE broadcasts
 * afterTransactionCommit too: the real COMMIT is the one after which `isTransactionActive` is false.
 */
export class TransactionTracker {
  readonly #levels = new WeakMap<QueryRunner, PendingEvictions[]>();

  /** afterTransactionStart: a transaction or a savepoint began. */
  started(runner: QueryRunner): void {
    const levels = this.#levels.get(runner);
    // A runner reused after a transaction that ended without our seeing it (e.g. a failed COMMIT
    // followed by release()) starts again from one level.
    if (!levels || depthOf(runner) === 1) this.#levels.set(runner, [new PendingEvictions()]);
    else levels.push(new PendingEvictions());
  }

  /** Where a change made on `runner` is collected; undefined outside a transaction (autocommit). */
  current(runner: QueryRunner | undefined): PendingEvictions | undefined {
    if (!runner?.isTransactionActive) return undefined;
    let levels = this.#levels.get(runner);
    // A transaction that began before the bridge was attached: collect from here on.
    if (!levels?.length) this.#levels.set(runner, (levels = [new PendingEvictions()]));
    return levels[levels.length - 1];
  }

  /** afterTransactionCommit: what to evict now when this was the real COMMIT, else undefined. */
  committed(runner: QueryRunner): PendingEvictions | undefined {
    const levels = this.#levels.get(runner);
    if (!levels?.length) return undefined;
    if (runner.isTransactionActive) {
      // RELEASE SAVEPOINT: the savepoint's changes now belong to the enclosing level.
      if (levels.length > 1) levels[levels.length - 2]!.merge(levels.pop()!);
      return undefined;
    }
    this.#levels.delete(runner);
    return levels.reduce((all, level) => all.merge(level), new PendingEvictions());
  }

  /** afterTransactionRollback: a rolled-back savepoint or transaction evicts nothing. */
  rolledBack(runner: QueryRunner): void {
    const levels = this.#levels.get(runner);
    if (!levels) return;
    if (!runner.isTransactionActive) this.#levels.delete(runner);
    else if (levels.length > 1) levels.pop();
    // With one level while still in a transaction the nesting is unknown (we attached mid-way):
    // keep what was collected, since evicting too much is harmless and too little is not.
  }
}

// TypeORM keeps the nesting depth in a protected field; read it defensively, never rely on it.
function depthOf(runner: QueryRunner): number | undefined {
  const depth = (runner as unknown as { transactionDepth?: unknown }).transactionDepth;
  return typeof depth === 'number' ? depth : undefined;
}
