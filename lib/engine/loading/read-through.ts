import { BackgroundRefresher } from './background-refresher.js';
import { CacheEngine } from '../cache.engine.js';
import { EntryPlan } from '../entry/entry-plan.js';
import { RequestMemo, memoCopy } from '../../scope/request-memo.js';

/**
 * Cache-aside as callers see it: a hit returns at once (starting a background refresh when stale
 * or due early), a miss loads once per key.
 */
export class ReadThrough {
  constructor(
    private readonly engine: CacheEngine,
    private readonly refresher: BackgroundRefresher,
    private readonly memo?: RequestMemo,
  ) {}

  getOrLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    const memo = this.memo?.current();
    if (!memo) return this.#getOrLoad(plan, load);
    if (memo.values.has(plan.key)) {
      const value = memoCopy(memo.values.get(plan.key));
      return Promise.resolve(plan.revive ? plan.revive(value) : value);
    }
    const generation = memo.generation;
    return this.#getOrLoad(plan, load).then((value) => {
      // An eviction made in this request meanwhile: what was read may be older than it.
      if (memo.generation === generation) memo.values.set(plan.key, memoCopy(value));
      return value;
    });
  }

  async #getOrLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    // A burst of callers on a cold key: join the running load rather than each reading the store.
    if (this.engine.isLoading(plan)) return this.engine.joinLoad(plan, load);
    const cached = await this.engine.read(plan);
    if (!cached.hit) return this.engine.load(plan, load, cached.unavailable);
    if (cached.refresh) this.refresher.trigger(plan, load);
    return cached.value;
  }
}
