import { nextVersion } from '../../stores/version-nonce.js';
import { FillTicket } from '../../stores/entry-store.interface.js';
import { EntryPlan, longestLifeMs } from '../entry/entry-plan.js';
import { LoadOutcome, ReadResult } from '../engine.types.js';
import { GuardedStore } from '../store-guard/guarded-store.js';

// Polling for another instance's load: the gap before a poll grows with the time already waited
// (a quarter of it), so a waiter of a fast load gets its result a few ms late at most and a waiter
// of a slow one polls a few dozen times, not hundreds: after a cold restart there is one waiter
// per cold key per process. Jitter keeps waiters that started together out of step.
const FIRST_POLL_MS = 3;
const MAX_POLL_MS = 80;
const POLL_SHARE_OF_WAIT = 0.25;

/** What the lease loop needs from the engine. */
export interface LeaseSteps {
  store: GuardedStore;
  lookup(plan: EntryPlan): Promise<ReadResult>;
  /** Loads and fills, fenced by `begun` (a snapshot already under way) or by one of its own. */
  loadAndStore(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    begun?: Promise<FillTicket | undefined>,
  ): Promise<LoadOutcome>;
  /** Loads without the store; `failed`: a store call just failed here (counted). */
  loadOnly(plan: EntryPlan, load: () => Promise<unknown>, failed?: boolean): Promise<LoadOutcome>;
}

/**
 * Cross-instance single-flight: one instance loads under a lease; the others poll for its result,
 * up to the wait bound. A waiter stops polling once `abandoned` fires (its callers all left).
 * The lease, the fill's snapshot and the look for a fill by another instance go out together, so
 * a miss costs one round trip before its load, not three; the snapshot is wasted when the lease
 * is held elsewhere (it creates nothing another load does not create too).
 */
export async function loadUnderLease(
  steps: LeaseSteps,
  plan: EntryPlan,
  load: () => Promise<unknown>,
  abandoned?: AbortSignal,
): Promise<LoadOutcome> {
  const lock = plan.lock!;
  const token = nextVersion();
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const leasing = steps.store.acquireLease(plan.key, token, lock.leaseMs);
    // Only the first attempt overlaps: a waiter polling a slow load would write a snapshot per poll.
    const begun = attempt === 0 ? steps.store.begin(plan.key, plan.tags, longestLifeMs(plan)) : undefined;
    const filled = attempt === 0 ? steps.lookup(plan) : undefined;
    const acquired = await leasing;
    if (acquired === undefined) return steps.loadOnly(plan, load, true); // store unavailable: fail open
    if (acquired) {
      let outcome: LoadOutcome | undefined;
      try {
        // Another instance may have filled the entry between our miss and our lease.
        const found = await (filled ?? steps.lookup(plan));
        if (found.hit) return (outcome = { value: found.value });
        outcome = await steps.loadAndStore(plan, load, begun);
        return outcome;
      } finally {
        // After a store failure the lease just expires: releasing would cost another deadline.
        // Not awaited: the callers have their value; the release never rejects (guarded). It
        // shares the entry's connection, so Redis runs it after the fill sent before it.
        if (!outcome?.storeFailed) void steps.store.releaseLease(plan.key, token);
      }
    }
    const early = await filled;
    if (early?.hit) return { value: early.value };
    const waited = Date.now() - started;
    if (waited >= lock.waitMs) return steps.loadAndStore(plan, load); // past the bound: load ourselves
    await sleep(Math.min(nextPollMs(waited), lock.waitMs - waited));
    abandoned?.throwIfAborted();
    const result = await steps.lookup(plan);
    if (result.hit) return { value: result.value };
    if (result.unavailable) return steps.loadOnly(plan, load);
  }
}

/**
 * The gap before the next poll after waiting `waitedMs`: between half and all of a ceiling that is
 * a quarter of the wait so far, kept within 3..80 ms ("equal jitter").
 * @example nextPollMs(200) // between 25 and 50
 */
export function nextPollMs(waitedMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_POLL_MS, Math.max(FIRST_POLL_MS, waitedMs * POLL_SHARE_OF_WAIT));
  return ceiling / 2 + (random() * ceiling) / 2;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
