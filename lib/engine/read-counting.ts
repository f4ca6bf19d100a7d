import type { Subject } from 'rxjs';
import type { CacheEvent } from '../observability/cache-event.interface.js';
import type { CacheStatsRecorder } from '../observability/cache-stats.js';
import type { EntryPlan } from './entry/entry-plan.js';
import type { ReadResult } from './engine.types.js';

/** A lookup that found nothing, as counted for a caller that joins a running load. */
export const MISS: ReadResult = { hit: false };

/** Counts one lookup as a hit, stale hit or miss, and tells listeners; returns the result. */
export function countRead(
  stats: CacheStatsRecorder,
  events$: Subject<CacheEvent>,
  plan: EntryPlan,
  result: ReadResult,
): ReadResult {
  const counters = stats.for(plan.name);
  // Events are built only when someone listens: a hit allocates nothing for them.
  const observed = events$.observed;
  if (!result.hit) {
    counters.misses++;
    if (observed) events$.next({ type: 'miss', name: plan.name, key: plan.key });
  } else if (result.refresh === 'stale') {
    counters.staleHits++;
    if (observed) events$.next({ type: 'stale-hit', name: plan.name, key: plan.key });
  } else {
    counters.hits++;
    if (observed) events$.next({ type: 'hit', name: plan.name, key: plan.key });
  }
  return result;
}
