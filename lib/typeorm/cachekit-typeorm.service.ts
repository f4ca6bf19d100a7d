import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { EvictionEntry } from './entity-change.interface.js';
import { evictAfterCommit } from './evict-after-commit.js';
import { EvictionDispatcher } from './eviction-dispatcher.js';
import { CacheEvictionEvent, EvictionEventPublisher } from './eviction-events.js';

/**
 * The TypeORM bridge at runtime: its eviction events, explicit post-commit evictions, and what
 * waits for the store.
 * @example constructor(private readonly bridge: CacheKitTypeOrm) { bridge.events$.subscribe((e) => log(e)); }
 */
@Injectable()
export class CacheKitTypeOrm {
  constructor(
    @Inject(EvictionEventPublisher) private readonly publisher: EvictionEventPublisher,
    @Inject(EvictionDispatcher) private readonly dispatcher: EvictionDispatcher,
  ) {}

  /** Every post-commit eviction and its outcome (evicted, queued, retried, dropped). */
  get events$(): Observable<CacheEvictionEvent> {
    return this.publisher.events$;
  }

  /** Tags + entries waiting in the retry queue for the store to answer again. */
  get pendingEvictions(): number {
    return this.dispatcher.pending.reduce((sum, batch) => sum + batch.targets.size, 0);
  }

  /**
   * Same as the `evictAfterCommit` function: evicts after the transaction of `runnerOrManager` commits.
   * @example await bridge.evictAfterCommit(manager, ['products:all']);
   */
  evictAfterCommit(runnerOrManager: QueryRunner | EntityManager, entries: Iterable<EvictionEntry>): Promise<void> {
    return evictAfterCommit(runnerOrManager, entries);
  }
}
