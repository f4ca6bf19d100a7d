import { Logger } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ChangeSummary } from './pending-evictions.js';

/** Name of the event on @nestjs/event-emitter. @example @OnEvent(CACHE_EVICTION_EVENT) onEviction(e: CacheEvictionEvent) {} */
export const CACHE_EVICTION_EVENT = 'cachekit.eviction';

/**
 * What became of an eviction. @example events$.pipe(filter((e) => e.outcome === 'dropped'))
 * - `evicted`: the store confirmed the eviction;
 * - `queued`: the store was unavailable, the eviction waits in the retry queue (L1 entries are already gone);
 * - `retried`: a queued eviction was confirmed;
 * - `dropped`: a queued eviction was given up (queue full, or the app shut down): the entries live until their TTL.
 */
export type EvictionOutcome = 'evicted' | 'queued' | 'retried' | 'dropped';

/**
 * One post-commit eviction and what became of it, on `CacheKitTypeOrm.events$` and on
 * @nestjs/event-emitter as `CACHE_EVICTION_EVENT` when the app has it.
 * @example cacheKitTypeOrm.events$.subscribe((e) => e.outcome === 'dropped' && alert(e))
 */
export interface CacheEvictionEvent {
  /** The DataSource whose transaction committed ('default' unless named). */
  dataSource: string;
  /** `committed`: an explicit transaction committed; `autocommit`: a statement outside one. */
  transaction: 'committed' | 'autocommit';
  /** What changed, per entity and kind. */
  changes: readonly ChangeSummary[];
  tags: readonly string[];
  /** Entries as `name:key` (without the namespace). */
  keys: readonly string[];
  outcome: EvictionOutcome;
  /** Store calls made so far for this eviction. */
  attempts: number;
  /** Milliseconds from the COMMIT returning to this outcome. */
  latencyMs: number;
  /** True for the delayed second eviction of a rule with `again`. */
  repeat: boolean;
}

interface Emitter {
  emit(event: string, payload: unknown): unknown;
}

/** Publishes eviction events on an rxjs stream and, when present, on the app's EventEmitter2. */
export class EvictionEventPublisher {
  readonly #events = new Subject<CacheEvictionEvent>();
  readonly #logger = new Logger('CacheKitTypeOrm');
  #emitter?: Emitter;

  get events$(): Observable<CacheEvictionEvent> {
    return this.#events.asObservable();
  }

  useEmitter(emitter: Emitter | undefined): void {
    this.#emitter = emitter;
  }

  publish(event: CacheEvictionEvent): void {
    if (this.#events.observed) this.#events.next(event);
    if (!this.#emitter) return;
    try {
      this.#emitter.emit(CACHE_EVICTION_EVENT, event);
    } catch (error) {
      // A throwing listener must not turn a committed transaction into a failed call.
      this.#logger.error(
        `A '${CACHE_EVICTION_EVENT}' listener threw: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  complete(): void {
    this.#events.complete();
  }
}
