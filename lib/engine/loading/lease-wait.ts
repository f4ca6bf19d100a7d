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
  /** Loads and fills, fenced by `begun` (the snapshot taken with the lease) or by one of its own. */
  loadAndStore(plan: EntryPlan, load: () => Promise<unknown>, begun?: FillTicket): Promise<LoadOutcome>;
  /** Loads without the store; `failed`: a store call just failed here (counted). */
  loadOnly(plan: EntryPlan, load: () => Promise<unknown>, failed?: boolean): Promise<LoadOutcome>;
  /** Resolves when the holder announces its fill of the entry, or after `ms` at most (the poll). */
  waitForFill(plan: EntryPlan, ms: number): Promise<void>;
}

/**
 * Cross-instance single-flight: one instance loads under a lease; the others wait for its result
 * (woken by the fill's notice, or polling), up to the wait bound. A waiter stops once `abandoned`
 * fires (its callers all left). Each attempt sends the lease (with the fill's snapshot, taken only
 * for the holder) and a look for a fill by another instance together: a miss costs one round
 * trip before its load, not three.
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
  for (;;) {
    const [ticket, found] = await Promise.all([
      steps.store.leaseAndBegin(plan.key, token, lock.leaseMs, plan.tags, longestLifeMs(plan)),
      steps.lookup(plan),
    ]);
    if (ticket === undefined) return steps.loadOnly(plan, load, true); // store unavailable: fail open
    if (found.hit) {
      if (ticket) void steps.store.releaseLease(plan.key, token); // filled meanwhile: nothing to load
      // The body too: joiners decode their copies from it, cheaper than cloning the value.
      return { value: found.value, body: found.body };
    }
    if (ticket) {
      let outcome: LoadOutcome | undefined;
      try {
        return (outcome = await steps.loadAndStore(plan, load, ticket));
      } finally {
        // Unless the fill gave it back: also after a store failure, since a store slow for a moment
        // answers again, and a lease left to expire would make every instance's caller of this key
        // wait out the wait bound. Not awaited: the callers have their value; the release never
        // rejects (guarded).
        const release = () => steps.store.releaseLease(plan.key, token);
        const givenBack = outcome?.leaseGivenBack;
        if (givenBack) void givenBack.then((back) => (back ? undefined : release()));
        else void release();
      }
    }
    if (found.unavailable) return steps.loadOnly(plan, load);
    const waited = Date.now() - started;
    if (waited >= lock.waitMs) return steps.loadAndStore(plan, load); // past the bound: load ourselves
    await steps.waitForFill(plan, Math.min(nextPollMs(waited), lock.waitMs - waited));
    abandoned?.throwIfAborted();
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
