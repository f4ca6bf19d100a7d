import { nextVersion } from '../stores/version-nonce.js';
import { EntryPlan } from './entry-plan.js';
import { LoadOutcome, ReadResult } from './engine.types.js';
import { GuardedStore } from './guarded-store.js';

// Polling for another instance's load: fast at first (the waiter's latency bound), then gentler.
const FAST_POLL_MS = 4;
const SLOW_POLL_MS = 20;
const FAST_POLL_WINDOW_MS = 1_000;

/** What the lease loop needs from the engine. */
export interface LeaseSteps {
  store: GuardedStore;
  lookup(plan: EntryPlan): Promise<ReadResult>;
  loadAndStore(plan: EntryPlan, load: () => Promise<unknown>): Promise<LoadOutcome>;
  loadOnly(plan: EntryPlan, load: () => Promise<unknown>): Promise<LoadOutcome>;
}

/** Cross-instance single-flight: one instance loads under a lease; the others poll for its result, up to the wait bound. */
export async function loadUnderLease(
  steps: LeaseSteps,
  plan: EntryPlan,
  load: () => Promise<unknown>,
): Promise<LoadOutcome> {
  const lock = plan.lock!;
  const token = nextVersion();
  const started = Date.now();
  for (;;) {
    const acquired = await steps.store.acquireLease(plan.key, token, lock.leaseMs);
    if (acquired === undefined) return steps.loadOnly(plan, load); // store unavailable: fail open
    if (acquired) {
      let outcome: LoadOutcome | undefined;
      try {
        // Another instance may have filled the entry between our miss and our lease.
        const filled = await steps.lookup(plan);
        if (filled.hit) return (outcome = { value: filled.value });
        outcome = await steps.loadAndStore(plan, load);
        return outcome;
      } finally {
        // After a store failure the lease just expires: releasing would cost another deadline.
        // Not awaited: the callers have their value; the release never rejects (guarded).
        if (!outcome?.storeFailed) void steps.store.releaseLease(plan.key, token);
      }
    }
    const waited = Date.now() - started;
    if (waited >= lock.waitMs) return steps.loadAndStore(plan, load); // past the bound: load ourselves
    await sleep(waited < FAST_POLL_WINDOW_MS ? FAST_POLL_MS : SLOW_POLL_MS);
    const result = await steps.lookup(plan);
    if (result.hit) return { value: result.value };
    if (result.unavailable) return steps.loadOnly(plan, load);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
