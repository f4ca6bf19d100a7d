/** Whether this instance streams the slot (`active`), waits for it (`standby`), or was shut down. */
export type CdcState = 'starting' | 'active' | 'standby' | 'stopped';

/**
 * What the consumer does, as it happens, on `CacheKitCdc.events$`.
 * @example cdc.events$.pipe(filter((e) => e.type === 'evicted')).subscribe((e) => metrics.lag.set(e.lagMs))
 * - `state`: this instance became active or standby;
 * - `received`: a committed transaction's COMMIT arrived (before its eviction);
 * - `evicted`: its eviction was confirmed by the store and its LSN acknowledged.
 */
export type CdcEvent =
  | { type: 'state'; state: CdcState }
  | { type: 'received'; lsn: string; rows: number }
  | {
      type: 'evicted';
      lsn: string;
      rows: number;
      tags: readonly string[];
      /** Entries as `name:key`. */
      keys: readonly string[];
      /** Entities whose rows went through the rule's bulk handler (threshold, TRUNCATE or unreadable rows). */
      bulk: readonly string[];
      /** Milliseconds from the COMMIT (server clock) to the store confirming the eviction. */
      lagMs: number;
    };

/** Counters of one consumer. @example cdc.stats().lagMs */
export interface CdcStats {
  state: CdcState;
  /** Milliseconds between the last evicted transaction's COMMIT and its confirmed eviction; undefined before the first. */
  lagMs?: number;
  /** The last LSN acknowledged to PostgreSQL (the slot resumes after it). */
  acknowledgedLsn?: string;
  transactions: number;
  rows: number;
  /** Store calls that were not confirmed at once (the stream waited). */
  unconfirmed: number;
}
