import { CacheLoadTimeoutError } from '../../errors/cachekit.errors.js';
import { EntryPlan } from '../entry/entry-plan.js';
import { FlightDeadline } from './single-flight.js';

/**
 * The deadline callers of a load of this entry wait under (`loadTimeout`), or undefined when off.
 * @example flights.run(key, work, loadDeadline(plan))
 */
export function loadDeadline(plan: EntryPlan): FlightDeadline | undefined {
  const ms = plan.loadTimeoutMs;
  if (ms === undefined) return undefined;
  return { ms, error: () => new CacheLoadTimeoutError(plan.where, plan.key, ms) };
}
