import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { EvictionEntry } from './entity-change.interface.js';
import { EvictionTargets } from './eviction-targets.js';
import { PostCommitSubscriber } from './post-commit.subscriber.js';
import { DataSourceBindingError } from './typeorm.errors.js';
import { typeormMessages } from './typeorm.messages.js';

const WHERE = 'evictAfterCommit';

/**
 * Evicts tags / entries after the transaction of this QueryRunner or EntityManager commits (nothing
 * on rollback), for writes subscribers cannot see: QueryBuilder updates, repository.update()/delete(),
 * raw SQL. Outside a transaction it evicts at once. Rejects with DataSourceBindingError when no
 * CacheKitTypeOrmModule watches the DataSource, with InvalidationRuleError on a malformed entry.
 * @example await dataSource.transaction(async (m) => { await m.query('UPDATE product SET price = price * 1.1'); await evictAfterCommit(m, ['products:all']); });
 */
export async function evictAfterCommit(
  runnerOrManager: QueryRunner | EntityManager,
  entries: Iterable<EvictionEntry>,
): Promise<void> {
  const { dataSource, runner } = unwrap(runnerOrManager);
  const bridges = dataSource.subscribers.filter(
    (subscriber): subscriber is PostCommitSubscriber => subscriber instanceof PostCommitSubscriber,
  );
  if (bridges.length === 0) throw new DataSourceBindingError(typeormMessages.notRegistered(WHERE));
  const targets = new EvictionTargets().addEntries(entries, WHERE);
  await Promise.all(bridges.map((bridge) => bridge.evictAfterCommit(runner, targets)));
}

function unwrap(value: QueryRunner | EntityManager): { dataSource: DataSource; runner?: QueryRunner } {
  const candidate = value as Partial<QueryRunner & EntityManager> | null | undefined;
  if (candidate && typeof candidate === 'object' && candidate.dataSource) {
    if (typeof candidate.isTransactionActive === 'boolean') {
      return { dataSource: candidate.dataSource, runner: candidate as QueryRunner };
    }
    if (typeof candidate.transaction === 'function') {
      return { dataSource: candidate.dataSource, runner: candidate.queryRunner };
    }
  }
  throw new DataSourceBindingError(typeormMessages.notAManager(value));
}
