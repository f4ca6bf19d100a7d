import { CacheLoadTimeoutError } from '../../errors/cachekit.errors.js';
import { EntryPlan } from '../entry/entry-plan.js';
import { LoadOutcome } from '../engine.types.js';
import { FailSafeCandidate, qualifies } from './fail-safe-candidate.js';

/**
 * One caller's wait for a load when a fail-safe value is at hand: past `timeout.soft`, or on a
 * hard timeout, it answers with that value (its body, for the caller to decode its own copy). The
 * load is left running and stores its result; its later rejection is handled here, never unhandled.
 * @example const outcome = await waitWithFailSafe(flight, plan, candidate);
 */
export function waitWithFailSafe(
  load: Promise<LoadOutcome>,
  plan: EntryPlan,
  candidate: FailSafeCandidate,
): Promise<LoadOutcome> {
  // No value of its own: every caller answered this way decodes its own copy of the body.
  const answer = (cause: string): LoadOutcome => ({ value: undefined, body: candidate.body, failSafe: cause });
  const softMs = plan.softTimeoutMs;
  const viaHard = load.catch((error: unknown) => {
    if (error instanceof CacheLoadTimeoutError && qualifies(plan.failSafe?.when, error)) return answer(error.message);
    throw error;
  });
  if (softMs === undefined) return viaHard;
  return new Promise<LoadOutcome>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      resolve(answer(`no answer within timeout.soft (${softMs} ms)`));
    }, softMs);
    viaHard.then(
      (outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(outcome);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
