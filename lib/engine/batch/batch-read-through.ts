import { CacheEngine } from '../cache.engine.js';
import { EntryPlan, revived } from '../entry/entry-plan.js';
import { BackgroundRefresher } from '../loading/background-refresher.js';
import { BatchLoader } from './batch-barrier.js';
import { RequestMemo, memoCopy } from '../../scope/request-memo.js';

/** How many entries one store round trip and one loader call take at most: bounds what is in flight. */
export const BATCH_CHUNK = 500;

/**
 * Cache-aside for many entries at once: the hits of a chunk in one store round trip, its misses
 * with one loader call (entries loading already are joined), stale hits refreshed in the
 * background one by one. Chunks run one after another, so 10,000 ids never put 10,000 commands
 * in flight at once. In a request with a memo (`requestMemo`), the ids the request read already
 * come from it, and every value the batch gets goes into it, as single calls do.
 */
export class BatchReadThrough {
  constructor(
    private readonly engine: CacheEngine,
    private readonly refresher: BackgroundRefresher,
    private readonly chunk = BATCH_CHUNK,
    private readonly memo?: RequestMemo,
  ) {}

  /** Values aligned with `plans`; `loader` gets indices into `plans`. */
  async getMany(plans: readonly EntryPlan[], loader: BatchLoader): Promise<unknown[]> {
    const memo = this.memo?.current();
    if (!memo) return this.#getMany(plans, loader);
    const values = new Array<unknown>(plans.length);
    const rest: number[] = [];
    plans.forEach((plan, i) => {
      if (!memo.values.has(plan.key)) return void rest.push(i);
      const value = memoCopy(memo.values.get(plan.key));
      values[i] = revived(plan, value);
    });
    if (rest.length === 0) return values;
    const generation = memo.generation;
    const found = await this.#getMany(
      rest.map((i) => plans[i]!),
      (indices) => loader(indices.map((k) => rest[k]!)),
    );
    // An eviction made in this request meanwhile: what was read may be older than it.
    const keep = memo.generation === generation;
    rest.forEach((i, k) => {
      values[i] = found[k];
      if (keep) memo.values.set(plans[i]!.key, memoCopy(found[k]));
    });
    return values;
  }

  async #getMany(plans: readonly EntryPlan[], loader: BatchLoader): Promise<unknown[]> {
    const values = new Array<unknown>(plans.length);
    for (let start = 0; start < plans.length; start += this.chunk) {
      const chunk = plans.slice(start, start + this.chunk);
      const reads = await this.engine.readMany(chunk);
      const missing: number[] = [];
      reads.forEach((read, i) => {
        if (!read.hit) return void missing.push(i);
        values[start + i] = read.value;
        if (read.refresh) this.refresher.trigger(chunk[i]!, async () => (await loader([start + i]))[0]);
      });
      if (missing.length === 0) continue;
      const loaded = await this.engine.loadMany(
        missing.map((i) => chunk[i]!),
        (indices) => loader(indices.map((k) => start + missing[k]!)),
      );
      missing.forEach((i, k) => (values[start + i] = loaded[k]));
    }
    return values;
  }
}
