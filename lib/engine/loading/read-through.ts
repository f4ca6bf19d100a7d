import { BackgroundRefresher } from './background-refresher.js';
import { CacheEngine } from '../cache.engine.js';
import { EntryPlan } from '../entry/entry-plan.js';

/**
 * Cache-aside as callers see it: a hit returns at once (starting a background refresh when stale
 * or due early), a miss loads once per key.
 */
export class ReadThrough {
  constructor(
    private readonly engine: CacheEngine,
    private readonly refresher: BackgroundRefresher,
  ) {}

  async getOrLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    // A burst of callers on a cold key: join the running load rather than each reading the store.
    if (this.engine.isLoading(plan)) return this.engine.joinLoad(plan, load);
    const cached = await this.engine.read(plan);
    if (!cached.hit) return this.engine.load(plan, load, cached.unavailable, cached.stale);
    if (cached.refresh) this.refresher.trigger(plan, load);
    return cached.value;
  }
}
