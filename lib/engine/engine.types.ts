import type { FailSafeCandidate } from './fail-safe/fail-safe-candidate.js';

/** A lookup: a miss, or a hit that may be stale (SWR) or due for an early refresh (XFetch). */
export type ReadResult =
  | {
      hit: true;
      value: unknown;
      refresh?: 'stale' | 'early';
      /** Served by the L1 tier. */
      l1?: boolean;
      /** Epoch ms the entry was stored (store and L1 hits). */
      createdAt?: number;
      /** The serialized value, when the hit had one: what the staleness audit compares. */
      body?: Uint8Array;
    }
  /**
   * `unavailable`: the store failed or timed out, so the caller should not wait on it again.
   * `stale`: the entry's last good value, past its expiry but kept by `failSafe`.
   */
  | { hit: false; unavailable?: boolean; stale?: FailSafeCandidate };

/** What one load produced; `body` is set when it was stored, so joiners decode their own copy. */
export interface LoadOutcome {
  value: unknown;
  body?: Uint8Array;
  /** The store failed during this load: skip further store calls (each would cost a deadline). */
  storeFailed?: boolean;
  /**
   * Set when the fill carried the load's lease: true once that fill reached the store (which gave
   * the lease back), false when it did not (failed or skipped): then a release is still due.
   */
  leaseGivenBack?: Promise<boolean>;
  /** The load failed (or timed out) and this is the last good value (fail-safe): why. */
  failSafe?: string;
}

/** Set when a load must not store its result (abandoned refresh, shutdown). */
export interface LoadControl {
  abandoned: boolean;
  /** Token of the entry's lease the load holds: if the entry expires meanwhile, it may still store. */
  lease?: string;
  /** A background refresh: its failure is its own (backoff), never answered by fail-safe. */
  refresh?: boolean;
}

/** A lookup that found the entry. */
export type Hit = Extract<ReadResult, { hit: true }>;
