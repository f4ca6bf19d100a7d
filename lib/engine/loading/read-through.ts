import { BackgroundRefresher } from './background-refresher.js';
import { CacheEngine } from '../cache.engine.js';
import { EntryPlan } from '../entry/entry-plan.js';

/**
 * Cache-aside as callers see it: a hit returns at once (starting a background refresh when stale
 * or due early), a miss loads once per key.
 */
export class ReadThrough {
  // Checks run before every cached read (the TypeORM bridge's dirty-transaction check); usually none.
  readonly #bypasses: (() => string | undefined)[] = [];

  constructor(
    private readonly engine: CacheEngine,
    private readonly refresher: BackgroundRefresher,
  ) {}

  /** Registers a check: while it returns a reason, reads go to the origin and store nothing. Returns its removal. */
  bypassWhen(check: () => string | undefined): () => void {
    this.#bypasses.push(check);
    return () => {
      const index = this.#bypasses.indexOf(check);
      if (index >= 0) this.#bypasses.splice(index, 1);
    };
  }

  async getOrLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    if (this.#bypasses.length > 0) {
      const reason = this.#bypassReason();
      if (reason !== undefined) return this.engine.bypass(plan, load, reason);
    }
    // A burst of callers on a cold key: join the running load rather than each reading the store.
    if (this.engine.isLoading(plan)) return this.engine.joinLoad(plan, load);
    const cached = await this.engine.read(plan);
    if (!cached.hit) return this.engine.load(plan, load, cached.unavailable, cached.stale);
    if (cached.refresh) this.refresher.trigger(plan, load);
    return cached.value;
  }

  #bypassReason(): string | undefined {
    for (const check of this.#bypasses) {
      const reason = check();
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
}
